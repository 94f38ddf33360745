// train.py of the exported PyTorch project: the entry point: command line, torchrun / --nproc process start, device choice, the models × seeds loop.
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const TRAIN_PY = String.raw`"""Trains the models of an X-Ray Lab experiment with PyTorch DistributedDataParallel, and writes the results in the
lab's results.json format.

    torchrun --standalone --nproc_per_node=N train.py --data DIR      # N processes on this machine (torchrun)
    torchrun --nnodes=M --node_rank=R --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 --nproc_per_node=N \\
        train.py --data DIR                                           # N processes on each of M machines
    python3 train.py --nproc N --data DIR                             # N processes started by this script
    python3 train.py --data DIR                                       # one process

DIR is the dataset folder the experiment was made from: experiment.json lists every image of the train / val / test
split by its path relative to DIR. Processes talk over gloo on CPUs and NCCL on CUDA GPUs (one GPU per process).
Results go to results/results.json beside this file (--results DIR to choose the folder), the trained weights to
results/models/. Nothing is written into DIR: the dataset may be read-only or shared.
"""
import argparse
import datetime
import json
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from data import DataError, check_data
from results import lab_settings, write_results
from trainer import prepare_model, train_one
from weights import WeightsMismatch

HERE = os.path.dirname(os.path.abspath(__file__))


class UsageError(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(description='Train an X-Ray Lab experiment with PyTorch DistributedDataParallel.')
    p.add_argument('--data', required=True, help='the dataset folder the experiment was made from')
    p.add_argument('--nproc', type=int, default=1, help='processes to start on this machine (not with torchrun)')
    p.add_argument('--device', choices=['auto', 'cpu', 'cuda'], default='auto', help='default: cuda when available')
    p.add_argument('--results', help='results folder, outside --data (default: results/ beside train.py); a path ending in .json names the file')
    p.add_argument('--experiment', default=os.path.join(HERE, 'experiment.json'))
    p.add_argument('--models', help='comma-separated subset of the experiment\'s model ids')
    p.add_argument('--seeds', help='comma-separated seeds instead of the experiment\'s')
    p.add_argument('--epochs', type=int, help='instead of the experiment\'s (0: evaluate the exported weights only)')
    p.add_argument('--batch', type=int, help='global batch size instead of the experiment\'s')
    p.add_argument('--lr', type=float, help='learning rate instead of the experiment\'s')
    p.add_argument('--fine-tune', type=int, dest='fine_tune', help='InceptionV3: epochs that also train mixed9 and '
                   'mixed10 after the head\'s, instead of the experiment\'s')
    p.add_argument('--from-scratch', action='store_true', help='ignore the weights the lab trained')
    p.add_argument('--workers', type=int, default=2, help='image-decoding workers per process (default 2)')
    return p.parse_args(argv)


def load_experiment(args):
    """experiment.json with the command line's overrides applied."""
    with open(args.experiment) as f:
        experiment = json.load(f)
    hp = experiment['hyperparameters']
    if args.models:
        wanted = [m.strip() for m in args.models.split(',') if m.strip()]
        known = [m['id'] for m in experiment['models']]
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise UsageError(f'--models {unknown[0]}: not in this experiment (it has {", ".join(known)})')
        experiment['models'] = [m for m in experiment['models'] if m['id'] in wanted]
    if args.seeds:
        hp['seeds'] = [int(s) for s in args.seeds.split(',')]
    for option, key, low in (('epochs', 'epochs', 0), ('batch', 'batchSize', 1), ('fine_tune', 'fineTuneEpochs', 0)):
        value = getattr(args, option)
        if value is not None:
            if value < low:
                raise UsageError(f'--{option.replace("_", "-")} must be at least {low} (got {value})')
            hp[key] = value
    if args.lr is not None:
        if not args.lr > 0:
            raise UsageError(f'--lr must be positive (got {args.lr})')
        hp['learningRate'] = args.lr
    return experiment


def results_file(args):
    """Where results.json goes, refusing a place inside the data folder (datasets are often read-only or shared, and a
    results/ folder among the class folders would read as one more class)."""
    target = args.results or os.path.join(HERE, 'results')
    path = os.path.abspath(target if target.endswith('.json') else os.path.join(target, 'results.json'))
    data = os.path.realpath(args.data)
    if os.path.commonpath([os.path.realpath(os.path.dirname(path)), data]) == data:
        raise UsageError(f'--results {target}: that is inside the data folder {args.data}; results never go into the '
                         'dataset: choose a folder outside it (default: results/ beside train.py)')
    return path


def choose_device(requested, processes_here):
    """'cpu' or 'cuda', with a clear message when CUDA is asked for and not there."""
    available = torch.cuda.is_available()
    if requested == 'cuda' and not available:
        build = torch.version.cuda or 'none: a CPU-only build'
        raise UsageError(f'--device cuda: no CUDA device is usable here (PyTorch {torch.__version__}, CUDA {build}). '
                         'Run with --device cpu, or on a machine with an NVIDIA GPU and a CUDA build of PyTorch.')
    device = 'cuda' if requested == 'cuda' or (requested == 'auto' and available) else 'cpu'
    if device == 'cuda' and processes_here > torch.cuda.device_count():
        raise UsageError(f'{processes_here} processes on this machine but {torch.cuda.device_count()} CUDA device(s): '
                         'use one process per GPU (--nproc / --nproc_per_node)')
    return device


def check_weights(experiment, from_scratch):
    """Loads every exported weights file once into its model, so a file that does not fit fails before training."""
    seeds = experiment['hyperparameters']['seeds']
    for entry in experiment['models']:
        for seed in seeds:
            model, _ = prepare_model(entry, seed, experiment, HERE, from_scratch)
            del model


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def log(message, everywhere=False):
    rank = int(os.environ.get('RANK', '0'))
    if rank == 0 or everywhere:
        print(message, file=sys.stderr, flush=True)


def run(args, experiment, device_type):
    """One process of the run (rank from torchrun's or our environment variables)."""
    rank = int(os.environ.get('RANK', '0'))
    world = int(os.environ.get('WORLD_SIZE', '1'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    local_world = int(os.environ.get('LOCAL_WORLD_SIZE', str(world)))
    if device_type == 'cuda':
        torch.cuda.set_device(local_rank)
        device = torch.device('cuda', local_rank)
    else:
        device = torch.device('cpu')
        if 'OMP_NUM_THREADS' not in os.environ:
            # Processes on one machine share its cores.
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // local_world))
    if world > 1:
        # Rank 0 validates and tests while the others wait: allow that more than the default 30 minutes.
        dist.init_process_group('nccl' if device_type == 'cuda' else 'gloo', timeout=datetime.timedelta(hours=2))
    results = args.results_file
    ctx = {
        'rank': rank, 'world': world, 'device': device, 'data': args.data, 'project': HERE, 'workers': args.workers,
        'from_scratch': args.from_scratch, 'log': log, 'torch': torch.__version__,
        'models_dir': os.path.join(os.path.dirname(os.path.abspath(results)), 'models'),
    }
    hp = experiment['hyperparameters']
    meta = {
        'title': experiment.get('title', 'X-Ray Lab experiment'), 'runtime': 'pytorch', 'torch': torch.__version__,
        'device': device_type, 'worldSize': world, 'data': os.path.abspath(args.data),
        'counts': {split: len(experiment['splits'].get(split, [])) for split in ('train', 'val', 'test')},
        'classes': experiment['classNames'], 'positiveClass': experiment['classNames'][experiment['positiveClass']],
        'hyperparameters': hp,
    }
    records = []
    try:
        for entry in experiment['models']:
            for seed in hp['seeds']:
                record = train_one(entry, seed, experiment, ctx)
                if rank == 0:
                    records.append(record)
                    write_results(results, records, meta, lab_settings(experiment))  # after every model: a long run keeps what it finished
        if rank == 0:
            log(f'wrote {results} ({len(records)} result(s))')
    finally:
        if world > 1:
            dist.destroy_process_group()


def spawned(index, processes, port, args, experiment, device_type):
    """Entry point of each process started by --nproc: the environment torchrun would have set."""
    os.environ.update({
        'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(port), 'RANK': str(index), 'LOCAL_RANK': str(index),
        'WORLD_SIZE': str(processes), 'LOCAL_WORLD_SIZE': str(processes),
    })
    run(args, experiment, device_type)


def main(argv=None):
    args = parse_args(argv)
    under_torchrun = 'RANK' in os.environ and 'WORLD_SIZE' in os.environ
    try:
        if args.nproc < 1:
            raise UsageError(f'--nproc must be at least 1 (got {args.nproc})')
        experiment = load_experiment(args)
        check_data(args.data, experiment['splits'])
        args.results_file = results_file(args)
        processes_here = int(os.environ.get('LOCAL_WORLD_SIZE', '1')) if under_torchrun else args.nproc
        device_type = choose_device(args.device, processes_here)
        check_weights(experiment, args.from_scratch)
    except (UsageError, DataError, WeightsMismatch) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    started = time.perf_counter()
    if under_torchrun:
        if args.nproc != 1:
            log('--nproc is ignored under torchrun (its --nproc_per_node decides)')
        run(args, experiment, device_type)
    elif args.nproc > 1:
        log(f'starting {args.nproc} processes ({device_type}, {"nccl" if device_type == "cuda" else "gloo"})')
        mp.spawn(spawned, args=(args.nproc, free_port(), args, experiment, device_type), nprocs=args.nproc, join=True)
    else:
        run(args, experiment, device_type)
    log(f'done in {time.perf_counter() - started:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
`;
