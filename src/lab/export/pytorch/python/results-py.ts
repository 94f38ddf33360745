// results.py of the exported PyTorch project: result records and results.json in the lab's format, written atomically.
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const RESULTS_PY = String.raw`"""results.json in X-Ray Lab's format ({generatedAt, meta, results: [record, …]}), so the lab's page and its
'xray-lab' command open PyTorch runs beside browser runs. Every record says "runtime": "pytorch"."""
import datetime
import json
import math
import os


def finite(x):
    """JSON has no NaN or Infinity: the lab stores those (and missing numbers) as null."""
    return x if isinstance(x, (int, float)) and math.isfinite(x) else None


def make_record(entry, seed, hp, class_names, positive, sizes, outcome, context):
    """One result record (src/lab/report/result-record.ts's shape, plus runtime fields)."""
    params, trainable = sizes
    history = outcome.get('history', [])
    record = {
        'modelId': entry['id'],
        'label': entry['label'],
        'params': params,
        'trainableParams': trainable,
        'bytes': params * 4,
        'inputSize': hp['size'],
        'channels': hp['channels'],
        'backend': f'torch-{context["device"]}',
        'seed': seed,
        'epochsRun': len(history),
        'epochsPlanned': outcome.get('epochsPlanned', hp['epochs']),
        'bestEpoch': outcome.get('bestEpoch'),
        'trainTimeMs': finite(outcome.get('trainTimeMs')),
        'msPerEpoch': finite(outcome['trainTimeMs'] / len(history)) if history else None,
        'trainImagesPerSec': finite(outcome.get('trainImagesPerSec')),
        'inference': outcome.get('inference'),
        'test': outcome.get('test'),
        'positiveClass': class_names[positive],
        'classNames': list(class_names),
        'status': outcome['status'],
        'history': [{k: finite(v) if k != 'epoch' else v for k, v in e.items()} for e in history],
        'runtime': 'pytorch',
        'worldSize': context['world'],
        'torchVersion': context['torch'],
    }
    if 'error' in outcome:
        record['error'] = outcome['error']
    if entry.get('backbone', {}).get('record'):
        record['backbone'] = entry['backbone']['record']
    return record


def plain(value):
    """The value with every NaN or infinite number (a diverged loss, say) replaced by None, recursively."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return None if isinstance(value, float) and not math.isfinite(value) else value


def lab_settings(experiment):
    """The run's settings under the lab's names (experiment.json's labSettings, when exported from a card, with the
    command line's overrides), so the page shows what ran; keys the lab does not know are not added."""
    hp = experiment['hyperparameters']
    return {
        **experiment.get('labSettings', {}), 'models': [m['id'] for m in experiment['models']], 'size': hp['size'],
        'channels': hp['channels'], 'epochs': hp['epochs'], 'batchSize': hp['batchSize'], 'learningRate': hp['learningRate'],
        'seeds': hp['seeds'], **({'fineTune': hp['fineTuneEpochs']} if 'fineTuneEpochs' in hp else {}),
    }


def write_results(path, records, meta, settings=None):
    """Writes the file atomically (a temporary file renamed over it), so a crash never leaves half a results.json."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    document = plain({
        'generatedAt': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z'),
        'meta': meta,
        'settings': settings,
        'results': records,
    })
    temporary = f'{path}.partial-{os.getpid()}'
    with open(temporary, 'w') as f:
        json.dump(document, f, indent=2, allow_nan=False)
        f.write('\n')
    os.replace(temporary, path)
`;
