"""PyTorch anchors for `npm run bench -- train --vs-torch`: the study's `cnn` and LightLayers `light-kN` networks,
same topology and parameter counts as X-Ray Lab's tfjs builders, trained with Adam on generated data.

    python3 bench/anchors/torch_train.py --models light-k5,cnn --size 128 --batch 32 --steps 5 [--threads N]
        [--channels-last] [--data PREFIX] [--params-only]

Prints one JSON object per model on stdout: images/s of one warm-up epoch then --repeats timed epochs (median,
min, max), the same protocol as `npm run bench -- train`. Only a benchmark: the project never needs Python to run or test.
"""
import argparse
import json
import resource
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


def batch_norm(channels):
    # Keras defaults as in the study: epsilon 1e-3, momentum 0.99 (PyTorch counts momentum the other way round).
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


class LightConv2d(nn.Module):
    """conv(relu(conv(x, W1) + b1), W2) + b2 through a rank-k bottleneck, 'same' padding, as LightConv2D."""

    def __init__(self, c_in, filters, kernel, rank):
        super().__init__()
        self.first = nn.Conv2d(c_in, rank, kernel, padding=kernel // 2)
        self.second = nn.Conv2d(rank, filters, kernel, padding=kernel // 2)
        # tfjs zero-initialises the biases (LightConv2D); the factors are Glorot-uniform.
        for conv in (self.first, self.second):
            nn.init.xavier_uniform_(conv.weight)
            nn.init.zeros_(conv.bias)

    def forward(self, x):
        return self.second(F.relu(self.first(x)))

    def l2(self):
        return self.first.weight.pow(2).sum() + self.second.weight.pow(2).sum()


class LightBlock(nn.Module):
    def __init__(self, c_in, filters, rank):
        super().__init__()
        self.light1, self.bn1 = LightConv2d(c_in, filters, 3, rank), batch_norm(filters)
        self.light2, self.bn2 = LightConv2d(filters, filters, 3, rank), batch_norm(filters)
        self.shortcut, self.shortcut_bn = LightConv2d(c_in, filters, 1, rank), batch_norm(filters)

    def forward(self, x):
        main = self.bn2(self.light2(F.relu(self.bn1(self.light1(x)))))
        return F.max_pool2d(F.relu(main + self.shortcut_bn(self.shortcut(x))), 2)


class LightNet(nn.Module):
    """The study's LightLayers network: blocks of 8, 16, 32 filters, global average pool, Dense(classes)."""

    def __init__(self, rank, channels=3, classes=2):
        super().__init__()
        widths = [channels, 8, 16, 32]
        self.blocks = nn.Sequential(*[LightBlock(widths[i], widths[i + 1], rank) for i in range(3)])
        self.head = nn.Linear(32, classes)

    def forward(self, x):
        return self.head(self.blocks(x).mean(dim=(2, 3)))

    def penalty(self):
        # The L2 of 1e-4·Σw² on every LightConv2D factor, as the tfjs layer adds to the loss.
        return 1e-4 * sum(m.l2() for m in self.modules() if isinstance(m, LightConv2d))


class Conv2DBaseline(nn.Module):
    """Three blocks of three [Conv 3×3 valid + ReLU → BatchNorm], max-pool 2×2 each, then GAP → Dense(classes)."""

    def __init__(self, channels=3, classes=2):
        super().__init__()
        layers, c_in = [], channels
        for filters in (8, 16, 32):
            for _ in range(3):
                layers += [nn.Conv2d(c_in, filters, 3), nn.ReLU(), batch_norm(filters)]
                c_in = filters
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(32, classes)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))

    def penalty(self):
        return 0.0


def build(model_id, channels):
    if model_id == 'cnn':
        return Conv2DBaseline(channels)
    if model_id.startswith('light-k'):
        return LightNet(int(model_id[len('light-k'):]), channels)
    raise SystemExit(f'unknown model id {model_id!r} (cnn, light-kN)')


def count_params(model):
    """Parameters plus BatchNorm's moving mean and variance, as Keras/tfjs count them (4 per channel)."""
    trainable = sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for name, b in model.named_buffers() if name.endswith(('running_mean', 'running_var')))
    return trainable + stats, trainable


def load_batches(args):
    """The lab's phantom images when --data is given (uint8 NHWC + int32 labels, as the tfjs bench trains on),
    else uniform noise with alternating labels; returned as float [0, 1] NCHW batches."""
    if args.data:
        import numpy as np
        pixels = np.fromfile(args.data + '.pixels', dtype=np.uint8)
        labels = np.fromfile(args.data + '.labels', dtype=np.int32)
        count = labels.shape[0]
        x = torch.from_numpy(pixels.reshape(count, args.size, args.size, args.channels).copy())
        x = x.permute(0, 3, 1, 2).float().div(255).contiguous()
        y = torch.from_numpy(labels.astype('int64'))
    else:
        count = args.batch * args.steps
        x = torch.rand(count, args.channels, args.size, args.size)
        y = torch.arange(count) % 2
    return [(x[i:i + args.batch], y[i:i + args.batch]) for i in range(0, count, args.batch)]


def spread(runs):
    s = sorted(runs)
    mid = len(s) // 2
    median = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return {'min': s[0], 'median': median, 'max': s[-1], 'runs': runs}


def measure(model_id, args):
    torch.manual_seed(args.seed)
    model = build(model_id, args.channels)
    params, trainable = count_params(model)
    batches = load_batches(args)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        batches = [(x.to(memory_format=torch.channels_last), y) for x, y in batches]
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)

    def epoch():
        started, images = time.perf_counter(), 0
        for x, y in batches:
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y) + model.penalty()
            loss.backward()
            opt.step()
            loss.item()
            images += x.shape[0]
        return images / (time.perf_counter() - started)

    # One warm-up epoch, then timed epochs: the same protocol as the tfjs bench.
    model.train()
    epoch()
    train = spread([epoch() for _ in range(args.repeats)])
    model.eval()
    x0 = batches[0][0]
    with torch.no_grad():
        model(x0)
        infer_runs = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            model(x0)
            infer_runs.append(x0.shape[0] / (time.perf_counter() - started))
    return {
        'model': model_id, 'size': args.size, 'batch': args.batch, 'channels': args.channels,
        'backend': 'torch-cpu', 'env': 'pytorch-channels-last' if args.channels_last else 'pytorch',
        'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'params': params, 'trainableParams': trainable, 'steps': len(batches), 'repeats': args.repeats,
        'trainImgPerSec': train['median'], 'train': train,
        'inferImgPerSec': spread(infer_runs)['median'], 'infer': spread(infer_runs),
        'sameInputs': bool(args.data),
        # ru_maxrss is in KiB on Linux.
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--models', default='light-k5,cnn')
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--channels', type=int, default=3)
    p.add_argument('--steps', type=int, default=5, help='steps per epoch when no --data is given')
    p.add_argument('--repeats', type=int, default=3, help='timed epochs after one warm-up epoch')
    p.add_argument('--data', default='', help='path prefix of <prefix>.pixels (uint8 NHWC) and <prefix>.labels (int32)')
    p.add_argument('--threads', type=int, default=0, help='torch.set_num_threads; 0 keeps torch\'s default')
    p.add_argument('--channels-last', action='store_true', help='NHWC memory format (as tfjs) instead of NCHW')
    p.add_argument('--params-only', action='store_true', help='print parameter counts without training')
    p.add_argument('--seed', type=int, default=1)
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    for model_id in args.models.split(','):
        if args.params_only:
            params, trainable = count_params(build(model_id, args.channels))
            print(json.dumps({'model': model_id, 'channels': args.channels, 'params': params, 'trainableParams': trainable}))
        else:
            print(json.dumps(measure(model_id, args)))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
