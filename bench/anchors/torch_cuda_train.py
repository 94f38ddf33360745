"""PyTorch-CUDA anchors for `npm run bench -- gpu`: the study's `cnn` and LightLayers `light-kN` networks of
torch_train.py (same topology and parameter counts as X-Ray Lab's), trained with Adam on a CUDA GPU.

    python3 bench/anchors/torch_cuda_train.py --models cnn,light-k5 --size 128 --batch 32 --steps 5 --repeats 3

Prints one JSON object per model: training images/s of --repeats timed epochs after one warm-up epoch (median,
min, max), each epoch ended by torch.cuda.synchronize(). Without CUDA it prints one object with "cuda": false and
the reason, and exits 0: the GPU bench then says PyTorch-CUDA was not measured.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_train import build, count_params, spread  # noqa: E402  (the CPU anchors' networks)


def measure(model_id, args, device):
    torch.manual_seed(args.seed)
    model = build(model_id, 3).to(device)
    params, _ = count_params(model)
    count = args.batch * args.steps
    x = torch.rand(count, 3, args.size, args.size, device=device)
    y = torch.arange(count, device=device) % 2
    batches = [(x[i:i + args.batch], y[i:i + args.batch]) for i in range(0, count, args.batch)]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)

    def epoch():
        torch.cuda.synchronize()
        started = time.perf_counter()
        for xb, yb in batches:
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb) + model.penalty()
            loss.backward()
            opt.step()
        torch.cuda.synchronize()
        return count / (time.perf_counter() - started)

    model.train()
    epoch()
    train = spread([epoch() for _ in range(args.repeats)])
    return {
        'model': model_id, 'size': args.size, 'batch': args.batch, 'cuda': True,
        'device': torch.cuda.get_device_name(device),
        'torch': torch.__version__, 'cudnnBenchmark': torch.backends.cudnn.benchmark, 'params': params,
        'trainImgPerSec': train['median'], 'train': train,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--models', default='cnn,light-k5')
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--seed', type=int, default=1)
    args = p.parse_args()
    if not torch.cuda.is_available():
        print(json.dumps({'cuda': False, 'torch': torch.__version__,
                          'reason': 'torch.cuda.is_available() is False (a CPU-only torch build, or no CUDA driver)'}))
        return
    # Fixed shapes: let cuDNN pick its fastest convolution algorithms, as a tuned PyTorch run would.
    torch.backends.cudnn.benchmark = True
    device = torch.device('cuda')
    for model_id in args.models.split(','):
        print(json.dumps(measure(model_id, args, device)))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
