// models.py of the exported PyTorch project: the lab's networks (cnn, LightLayers, transfer head) with the lab's layer names and parameter counts.
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const MODELS_PY = String.raw`"""The lab's networks in PyTorch, layer for layer: the same topology and parameter counts as X-Ray Lab's builders,
and module names equal to the lab's (Keras) layer names, so that weights exported from the lab load by name.

Keras conventions kept: BatchNormalization epsilon 1e-3 and momentum m (PyTorch's momentum is 1 - m); Glorot-uniform
kernels and zero biases; 'same' padding for odd kernels. Inputs are NCHW float tensors in the model's pixel range.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F

from backbones import InceptionV3, MobileNetV2, mobilenet_features

#: L2 penalty l2·Σw² on every LightConv2D / LightDense factor, added to the loss as the lab (and the study) do.
FACTOR_L2 = 1e-4


def batch_norm(channels, momentum):
    """Keras' BatchNormalization(momentum, epsilon=1e-3)."""
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=1 - momentum)


def keras_init(module):
    """Glorot-uniform kernels and zero biases, Keras' defaults (PyTorch's own defaults differ)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class LightConv2d(nn.Module):
    """LightConv2D (Jha et al. 2021): y = conv(relu(conv(x, W1) + b1), W2) + b2 through a rank-k bottleneck, both
    convolutions with the layer's kernel size and 'same' padding. kh·kw·c_in·k + kh·kw·k·filters + k + filters
    parameters instead of kh·kw·c_in·filters + filters."""

    def __init__(self, c_in, filters, kernel, rank):
        super().__init__()
        self.first = nn.Conv2d(c_in, rank, kernel, padding=kernel // 2)
        self.second = nn.Conv2d(rank, filters, kernel, padding=kernel // 2)

    def forward(self, x):
        return self.second(F.relu(self.first(x)))

    def factors(self):
        return [self.first.weight, self.second.weight]


class LightLinear(nn.Module):
    """LightDense: y = x·(s·W1)·(s·W2) + b with W1 (in, k), W2 (k, units) and the reference code's factor scale
    s = sqrt(2 / units)."""

    def __init__(self, features, units, rank, scale_factors=True):
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(features, rank))
        self.w2 = nn.Parameter(torch.empty(rank, units))
        self.bias = nn.Parameter(torch.zeros(units))
        self.scale = math.sqrt(2 / units) if scale_factors else 1.0
        nn.init.xavier_uniform_(self.w1)
        nn.init.xavier_uniform_(self.w2)

    def forward(self, x):
        return (x @ (self.w1 * self.scale)) @ (self.w2 * self.scale) + self.bias

    def factors(self):
        return [self.w1, self.w2]


class Conv2DBaseline(nn.Module):
    """The study's "from scratch" network: three blocks of three [Conv 3×3 valid + ReLU → BatchNorm] with 8, 16 and
    32 filters, each block ending in MaxPool 2×2; then global average pooling → Dense (logits)."""

    FILTERS = (8, 16, 32)

    def __init__(self, channels=3, classes=2, momentum=0.99):
        super().__init__()
        c_in = channels
        for b, filters in enumerate(self.FILTERS, start=1):
            for c in range(1, 4):
                self.add_module(f'block{b}_conv{c}', nn.Conv2d(c_in, filters, 3))
                self.add_module(f'block{b}_conv{c}_bn', batch_norm(filters, momentum))
                c_in = filters
        self.logits = nn.Linear(c_in, classes)
        keras_init(self)

    def forward(self, x):
        layer = self.get_submodule
        for b in range(1, len(self.FILTERS) + 1):
            for c in range(1, 4):
                x = layer(f'block{b}_conv{c}_bn')(F.relu(layer(f'block{b}_conv{c}')(x)))
            x = F.max_pool2d(x, 2)
        return self.logits(x.mean(dim=(2, 3)))


class LightLayersNet(nn.Module):
    """The study's LightLayers network of rank k: three residual blocks (8, 16, 32 filters) of
    LightConv2D 3×3 → BN → ReLU → LightConv2D 3×3 → BN, plus a LightConv2D 1×1 → BN shortcut, added, ReLU,
    MaxPool 2×2; then global average pooling → Dense (logits)."""

    FILTERS = (8, 16, 32)

    def __init__(self, rank, channels=3, classes=2, momentum=0.99):
        super().__init__()
        c_in = channels
        for b, filters in enumerate(self.FILTERS, start=1):
            p = f'block{b}'
            self.add_module(f'{p}_light1', LightConv2d(c_in, filters, 3, rank))
            self.add_module(f'{p}_bn1', batch_norm(filters, momentum))
            self.add_module(f'{p}_light2', LightConv2d(filters, filters, 3, rank))
            self.add_module(f'{p}_bn2', batch_norm(filters, momentum))
            self.add_module(f'{p}_shortcut', LightConv2d(c_in, filters, 1, rank))
            self.add_module(f'{p}_shortcut_bn', batch_norm(filters, momentum))
            c_in = filters
        self.logits = nn.Linear(c_in, classes)
        keras_init(self)

    def forward(self, x):
        layer = self.get_submodule
        for b in range(1, len(self.FILTERS) + 1):
            p = f'block{b}'
            main = layer(f'{p}_bn1')(layer(f'{p}_light1')(x))
            main = layer(f'{p}_bn2')(layer(f'{p}_light2')(F.relu(main)))
            shortcut = layer(f'{p}_shortcut_bn')(layer(f'{p}_shortcut')(x))
            x = F.max_pool2d(F.relu(main + shortcut), 2)
        return self.logits(x.mean(dim=(2, 3)))


class TransferNet(nn.Module):
    """A frozen ImageNet backbone (pooled features) with a trained head: Dense, or LightDense, optionally after
    dropout. The backbone always runs in inference mode, as the lab extracts its features: its BatchNorm layers
    keep their ImageNet statistics. 'tuned_layers' (InceptionV3's mixed9/mixed10 convolutions, when the experiment
    fine-tunes) start frozen too; fine_tune() lets them train with the head, as the lab's second stage does."""

    def __init__(self, backbone, features, classes=2, dropout=0.0, light_rank=None, tuned_layers=()):
        super().__init__()
        self.backbone = backbone
        self.backbone.requires_grad_(False)
        self.tuned_layers = list(tuned_layers)
        self.head_dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.logits = LightLinear(features, classes, light_rank) if light_rank else nn.Linear(features, classes)
        if not light_rank:
            keras_init(self.logits)

    def train(self, mode=True):
        super().train(mode)
        self.backbone.eval()
        return self

    def tuned_parameters(self):
        """The backbone parameters that fine-tuning trains (none unless the experiment fine-tunes)."""
        return [p for name in self.tuned_layers for p in self.backbone.get_submodule(name).parameters()]

    def fine_tune(self):
        """From now on the tuned layers train with the head; everything else in the backbone stays frozen."""
        for p in self.tuned_parameters():
            p.requires_grad_(True)

    def forward(self, x):
        # Autograd records nothing through frozen layers: only what fine_tune() unfroze gets gradients.
        return self.logits(self.head_dropout(self.backbone(x)))


def build_model(entry, hyperparameters, classes):
    """The network of one experiment.json model entry, freshly initialised (seed torch before calling)."""
    channels, momentum = hyperparameters['channels'], hyperparameters['batchNormMomentum']
    family = entry['family']
    if family == 'cnn':
        return Conv2DBaseline(channels, classes, momentum)
    if family == 'lightlayers':
        return LightLayersNet(entry['rank'], channels, classes, momentum)
    if family == 'transfer':
        backbone = entry['backbone']
        if backbone['network'] == 'inception-v3':
            net, features = InceptionV3(channels), 2048
        elif backbone['network'] == 'mobilenet-v2':
            alpha = backbone.get('alpha', 1.0)
            net, features = MobileNetV2(channels, alpha), mobilenet_features(alpha)
        else:
            raise ValueError(f'{entry["id"]}: unknown backbone {backbone["network"]}')
        head = entry.get('head', {})
        tuned = backbone.get('fineTune', {}).get('layers', []) if hyperparameters.get('fineTuneEpochs', 0) > 0 else []
        return TransferNet(net, features, classes, head.get('dropout', 0.0), head.get('lightRank'), tuned)
    raise ValueError(f'{entry["id"]}: unknown model family {family}')


def factor_penalty(model):
    """FACTOR_L2 · Σw² over every LightConv2D / LightDense factor that trains (0 for other models)."""
    total = 0.0
    for m in model.modules():
        if isinstance(m, (LightConv2d, LightLinear)):
            total = total + sum(w.pow(2).sum() for w in m.factors() if w.requires_grad)
    return FACTOR_L2 * total


def count_params(model):
    """(all, trainable) as Keras and the lab count: parameters plus BatchNorm's moving mean and variance; trainable
    includes the layers a fine-tuning stage will train, as the lab's record of a fine-tuned model does."""
    params = sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for name, b in model.named_buffers() if name.endswith(('running_mean', 'running_var')))
    trains = {id(p): p for p in model.parameters() if p.requires_grad}
    trains.update((id(p), p) for p in getattr(model, 'tuned_parameters', list)())
    return params + stats, sum(p.numel() for p in trains.values())
`;
