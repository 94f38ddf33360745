// backbones.py of the exported PyTorch project: InceptionV3 and MobileNetV2 backbones, written once as their forward pass, with Keras layer names.
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const BACKBONES_PY = String.raw`"""InceptionV3 and MobileNetV2 without their classifiers, as Keras applications define them and the lab rebuilds
them: same layer order, same Keras layer names (conv2d_1 … / Conv1, block_1_expand …), so ImageNet weights
exported from the lab load by name. Output: the globally average-pooled feature vector.

Each network is written once, as its forward pass (like the lab's Keras-style builders). A first pass over a small
dummy image creates the layers, named in Keras order; later passes reuse them.
"""
import torch
from torch import nn
import torch.nn.functional as F


class TracedNet(nn.Module):
    """Base of a network whose forward pass creates its layers the first time (see the module note)."""

    def trace(self, channels, size):
        self._tracing = True
        with torch.no_grad():
            self.forward(torch.zeros(1, channels, size, size))
        self._tracing = False
        self.train()

    def layer(self, name, make):
        """The layer called 'name', created by 'make()' during the tracing pass."""
        if self._tracing:
            module = make()
            module.eval()  # the dummy pass must not move BatchNorm statistics (and one pixel has no batch variance)
            self.add_module(name, module)
        return self.get_submodule(name)


def shift_only_batch_norm(channels, momentum):
    """Keras' BatchNormalization(scale=False): normalise, then add a learnt shift β (stored as 'bias'); no γ."""
    bn = nn.BatchNorm2d(channels, eps=1e-3, momentum=1 - momentum, affine=False)
    bn.bias = nn.Parameter(torch.zeros(channels))  # F.batch_norm takes a bias without a weight
    return bn


def grey_to_rgb(x):
    """ImageNet networks take RGB: one grey channel is repeated three times (the lab's grey_to_rgb layer)."""
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x


class InceptionV3(TracedNet):
    """Keras' InceptionV3(include_top=False, pooling='avg'): 2,048 features, input ≥ 75 px in [-1, 1]."""

    def __init__(self, channels=3):
        super().__init__()
        self.trace(channels, 75)

    def conv_bn(self, x, filters, kh, kw, stride=1, padding='same'):
        self.count += 1
        pad = ((kh - 1) // 2, (kw - 1) // 2) if padding == 'same' else 0
        conv = self.layer(f'conv2d_{self.count}', lambda: nn.Conv2d(x.shape[1], filters, (kh, kw), stride, pad, bias=False))
        bn = self.layer(f'batch_normalization_{self.count}', lambda: shift_only_batch_norm(filters, 0.99))
        return F.relu(bn(conv(x)))

    def forward(self, x):
        self.count = 0  # Keras numbers conv2d_N / batch_normalization_N together, from 1
        cb = self.conv_bn
        pool = lambda t: F.max_pool2d(t, 3, 2)
        avg = lambda t: F.avg_pool2d(t, 3, 1, 1, count_include_pad=False)  # 'same' pooling averages real pixels only
        x = cb(grey_to_rgb(x), 32, 3, 3, 2, 'valid')
        x = cb(x, 32, 3, 3, 1, 'valid')
        x = pool(cb(x, 64, 3, 3))
        x = cb(x, 80, 1, 1, 1, 'valid')
        x = pool(cb(x, 192, 3, 3, 1, 'valid'))
        for pool_filters in (32, 64, 64):  # mixed0-2: 35×35
            b1 = cb(x, 64, 1, 1)
            b5 = cb(cb(x, 48, 1, 1), 64, 5, 5)
            b3 = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
            bp = cb(avg(x), pool_filters, 1, 1)
            x = torch.cat([b1, b5, b3, bp], 1)
        b3 = cb(x, 384, 3, 3, 2, 'valid')  # mixed3: reduction to 17×17
        bd = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, 'valid')
        x = torch.cat([b3, bd, pool(x)], 1)
        for f in (128, 160, 160, 192):  # mixed4-7: factorised 7×7
            b1 = cb(x, 192, 1, 1)
            b7 = cb(cb(cb(x, f, 1, 1), f, 1, 7), 192, 7, 1)
            bd = cb(cb(cb(cb(cb(x, f, 1, 1), f, 7, 1), f, 1, 7), f, 7, 1), 192, 1, 7)
            bp = cb(avg(x), 192, 1, 1)
            x = torch.cat([b1, b7, bd, bp], 1)
        b3 = cb(cb(x, 192, 1, 1), 320, 3, 3, 2, 'valid')  # mixed8: reduction to 8×8
        b7 = cb(cb(cb(cb(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 2, 'valid')
        x = torch.cat([b3, b7, pool(x)], 1)
        for _ in range(2):  # mixed9-10: split 3×3
            b1 = cb(x, 320, 1, 1)
            b3 = cb(x, 384, 1, 1)
            b3 = torch.cat([cb(b3, 384, 1, 3), cb(b3, 384, 3, 1)], 1)
            bd = cb(cb(x, 448, 1, 1), 384, 3, 3)
            bd = torch.cat([cb(bd, 384, 1, 3), cb(bd, 384, 3, 1)], 1)
            bp = cb(avg(x), 192, 1, 1)
            x = torch.cat([b1, b3, bd, bp], 1)
        return x.mean(dim=(2, 3))


def make_divisible(v, divisor=8):
    """Keras' _make_divisible: round to a multiple of 'divisor', never more than 10% below 'v'."""
    rounded = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * v else rounded


def mobilenet_features(alpha):
    return make_divisible(1280 * alpha) if alpha > 1 else 1280


#: [filters, stride, expansion] of MobileNetV2's blocks 0..16 (the paper's table 2).
MOBILENET_PLAN = [
    (16, 1, 1),
    (24, 2, 6), (24, 1, 6),
    (32, 2, 6), (32, 1, 6), (32, 1, 6),
    (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
    (96, 1, 6), (96, 1, 6), (96, 1, 6),
    (160, 2, 6), (160, 1, 6), (160, 1, 6),
    (320, 1, 6),
]


class MobileNetV2(TracedNet):
    """Keras' MobileNetV2(include_top=False, pooling='avg') with width multiplier alpha: 1,280 features (α ≤ 1),
    input ≥ 32 px in [-1, 1]."""

    def __init__(self, channels=3, alpha=1.0):
        super().__init__()
        self.alpha = alpha
        self.trace(channels, 32)

    def conv(self, name, x, filters, kernel=1, stride=1, groups=1):
        padding = kernel // 2 if stride == 1 else 0  # stride 2 pads explicitly first (Keras' correct_pad)
        return self.layer(name, lambda: nn.Conv2d(x.shape[1], filters, kernel, stride, padding, groups=groups, bias=False))(x)

    def bn(self, name, x):
        return self.layer(name, lambda: nn.BatchNorm2d(x.shape[1], eps=1e-3, momentum=1 - 0.999))(x)

    @staticmethod
    def correct_pad(x):
        """Keras' correct_pad before a stride-2 3×3 'valid' convolution: one pixel less on top/left of even sides."""
        h, w = x.shape[2], x.shape[3]
        return F.pad(x, (w % 2, 1, h % 2, 1))

    def block(self, x, filters, stride, expansion, index):
        prefix = 'expanded_conv_' if index == 0 else f'block_{index}_'
        c_in = x.shape[1]
        pointwise = make_divisible(int(filters * self.alpha))
        y = x
        if index != 0:
            y = F.relu6(self.bn(f'{prefix}expand_BN', self.conv(f'{prefix}expand', y, expansion * c_in)))
        if stride == 2:
            y = self.correct_pad(y)
        y = self.conv(f'{prefix}depthwise', y, y.shape[1], 3, stride, groups=y.shape[1])
        y = F.relu6(self.bn(f'{prefix}depthwise_BN', y))
        y = self.bn(f'{prefix}project_BN', self.conv(f'{prefix}project', y, pointwise))
        # Linear bottleneck: the residual is added without an activation, only when shapes agree.
        return x + y if c_in == pointwise and stride == 1 else y

    def forward(self, x):
        x = self.correct_pad(grey_to_rgb(x))
        x = self.conv('Conv1', x, make_divisible(32 * self.alpha), 3, 2)
        x = F.relu6(self.bn('bn_Conv1', x))
        for index, (filters, stride, expansion) in enumerate(MOBILENET_PLAN):
            x = self.block(x, filters, stride, expansion, index)
        x = F.relu6(self.bn('Conv_1_bn', self.conv('Conv_1', x, mobilenet_features(self.alpha))))
        return x.mean(dim=(2, 3))
`;
