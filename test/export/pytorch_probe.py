"""Test probe for exported PyTorch projects: imports a project's own modules and reports what they do.

    /usr/bin/python3 pytorch_probe.py JOBS.json

JOBS.json: {"predict": [{"project", "modelId", "seed", "inputs", "count", "outputs"}],
            "pixels": {"project", "data", "images": [{"path", "size", "channels"}], "outputs"}}
- predict: builds the model as train.py does (seeded, exported weights loaded), counts its parameters as the lab
  does, and writes its logits on `inputs` (float32 NHWC, as the lab takes them) to `outputs` (float32).
- pixels: decodes and resizes each image as the project's data.py does and writes the uint8 CHW arrays, one
  after the other.
Prints {"predict": [{"params", "trainable", "loaded"}], "pixels": byte count} as JSON.
"""
import json
import os
import sys

import numpy as np


def main(jobs_path):
    jobs = json.load(open(jobs_path))
    projects = {job['project'] for job in jobs.get('predict', [])} | ({jobs['pixels']['project']} if 'pixels' in jobs else set())
    # Every exported project carries the same Python files; import them from the first one.
    sys.path.insert(0, sorted(projects)[0])
    import torch
    from data import decode, to_square
    from models import count_params
    from trainer import prepare_model

    torch.set_num_threads(1)
    report = {'predict': []}
    for job in jobs.get('predict', []):
        experiment = json.load(open(os.path.join(job['project'], 'experiment.json')))
        entry = next(m for m in experiment['models'] if m['id'] == job['modelId'])
        model, loaded = prepare_model(entry, job['seed'], experiment, job['project'], from_scratch=False)
        model.eval()
        hp = experiment['hyperparameters']
        shape = (job['count'], hp['size'], hp['size'], hp['channels'])
        x = torch.from_numpy(np.fromfile(job['inputs'], dtype='<f4').reshape(shape)).permute(0, 3, 1, 2).contiguous()
        with torch.no_grad():
            logits = model(x)
        logits.numpy().astype('<f4').tofile(job['outputs'])
        params, trainable = count_params(model)
        report['predict'].append({'params': params, 'trainable': trainable, 'loaded': loaded})
    if 'pixels' in jobs:
        job = jobs['pixels']
        arrays = [to_square(decode(os.path.join(job['data'], image['path'])), image['size'], image['channels'])
                  for image in job['images']]
        blob = np.concatenate([a.reshape(-1) for a in arrays])
        blob.tofile(job['outputs'])
        report['pixels'] = int(blob.size)
    print(json.dumps(report))


if __name__ == '__main__':
    main(sys.argv[1])
