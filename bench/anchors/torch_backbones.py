"""PyTorch anchors for `npm run bench -- transfer --vs-torch`: torchvision's MobileNetV2 (width 0.35) and
InceptionV3 as frozen feature extractors (eval mode, no_grad, pooled features, no classifier), the same networks
X-Ray Lab builds in tfjs, timed on one batch of random images.

    python3 bench/anchors/torch_backbones.py --backbones mobilenet-v2,inception-v3 --batch 32 --batches 3 \
        [--threads N] [--channels-last]

Prints one JSON object per backbone on stdout: images/s of each timed forward pass after one warm-up pass (median,
all runs), the same protocol as the tfjs side. Random weights: speed does not depend on their values.
"""
import argparse
import json
import sys
import time

import torch
from torch import nn
import torchvision

SIZES = {'mobilenet-v2': 224, 'inception-v3': 299}


def build(backbone_id):
    """Image in, pooled features out, as the lab's backbones (MobileNetV2 α 0.35: 1280 features; InceptionV3: 2048)."""
    if backbone_id == 'mobilenet-v2':
        net = torchvision.models.mobilenet_v2(width_mult=0.35)
        return nn.Sequential(net.features, nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if backbone_id == 'inception-v3':
        net = torchvision.models.inception_v3(aux_logits=False, init_weights=False)
        # Its forward ends in average pooling, dropout (inactive in eval mode) and fc: keep the pooled features.
        net.fc = nn.Identity()
        return net
    raise SystemExit(f'unknown backbone {backbone_id!r} (mobilenet-v2, inception-v3)')


def count_params(model):
    """Parameters plus BatchNorm's moving mean and variance, as Keras/tfjs count them."""
    stats = sum(b.numel() for name, b in model.named_buffers() if name.endswith(('running_mean', 'running_var')))
    return sum(p.numel() for p in model.parameters()) + stats


def measure(backbone_id, args):
    torch.manual_seed(1)
    size = SIZES[backbone_id]
    model = build(backbone_id).eval()
    x = torch.rand(args.batch, 3, size, size) * 2 - 1
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        features = model(x).shape[1]
        runs = []
        for _ in range(args.batches):
            started = time.perf_counter()
            model(x)
            runs.append(args.batch / (time.perf_counter() - started))
    s = sorted(runs)
    mid = len(s) // 2
    median = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return {
        'backbone': backbone_id, 'size': size, 'batch': args.batch, 'features': features,
        'layout': 'channels-last' if args.channels_last else 'nchw', 'torch': torch.__version__,
        'torchvision': torchvision.__version__, 'threads': torch.get_num_threads(), 'params': count_params(model),
        'imagesPerSec': median, 'runs': runs,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--backbones', default='mobilenet-v2,inception-v3')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--batches', type=int, default=3, help='timed forward passes after one warm-up pass')
    p.add_argument('--threads', type=int, default=0, help='torch.set_num_threads; 0 keeps torch\'s default')
    p.add_argument('--channels-last', action='store_true', help='NHWC memory format (as tfjs) instead of NCHW')
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    for backbone_id in args.backbones.split(','):
        print(json.dumps(measure(backbone_id, args)))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
