// data.py of the exported PyTorch project: the split manifest's images, decoded with Pillow and resized exactly as the lab resizes them.
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const DATA_PY = String.raw`"""The experiment's images: the split manifest's files under --data, decoded with Pillow and resized exactly as X-Ray
Lab resizes them (stretched to a square; k×k box averaging when an axis shrinks by k ≥ 2, then half-pixel bilinear;
grey = ITU-R BT.601 luminance; grey repeated when RGB is wanted), so both runtimes train on the same pixels.
"""
import os

import numpy as np
import torch
from torch.utils.data import Dataset

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float64)


class DataError(Exception):
    pass


def check_data(root, splits):
    """Fails early, naming what is missing, when the manifest's images are not under 'root'."""
    if not os.path.isdir(root):
        raise DataError(f'--data {root}: no such folder')
    entries = [e for split in ('train', 'val', 'test') for e in splits.get(split, [])]
    missing = [e['path'] for e in entries if not os.path.isfile(os.path.join(root, e['path']))]
    if missing:
        raise DataError(f'--data {root}: {len(missing)} of the {len(entries)} images of the split manifest are not there '
                        f'(first: {missing[0]}). Point --data at the folder the experiment was made from: '
                        'experiment.json lists each image by its path relative to it.')


def decode(path):
    """An 8-bit image as an H×W (grey) or H×W×3 (colour) uint8 array; colour images whose channels are all equal
    (grey X-rays saved as RGB) come back grey, alpha is dropped."""
    from PIL import Image  # imported here so that a missing Pillow is reported only when images are read

    with Image.open(path) as image:
        if image.mode.startswith('I'):  # 16-bit grey: to 8 bits by rounding v / 257, as the lab's PNG reader does
            wide = np.asarray(image).astype(np.float64)
            return np.clip(np.floor(wide / 257 + 0.5), 0, 255).astype(np.uint8)
        if image.mode in ('L', 'LA', '1'):
            return np.asarray(image.convert('L'))
        rgb = np.asarray(image.convert('RGB'))
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 0] == rgb[..., 2]).all():
        return rgb[..., 0]
    return rgb


def _shrink(pixels, k, axis):
    """Averages runs of k pixels along 'axis'; the last run may be shorter."""
    n = pixels.shape[axis]
    starts = np.arange(0, n, k)
    sums = np.add.reduceat(pixels, starts, axis=axis)
    counts = np.minimum(starts + k, n) - starts
    shape = [1] * pixels.ndim
    shape[axis] = len(starts)
    return sums / counts.reshape(shape)


def _bilinear_table(n, k, out):
    """For each output position: the two shrunk cells to blend and the weight of the second."""
    cells = -(-n // k)
    if cells == 1:
        return np.zeros(out, dtype=np.int64), np.zeros(out, dtype=np.int64), np.zeros(out)
    starts = np.arange(cells) * k
    centres = (starts + np.minimum(starts + k, n)) / 2  # a cell's average sits at its centre
    u = (np.arange(out) + 0.5) * n / out
    # Cells either side of u; beyond the first or last centre both weights land on the edge cell.
    hi = np.clip(np.searchsorted(centres, u, side='right'), 1, cells - 1)
    lo = hi - 1
    t = np.clip((u - centres[lo]) / (centres[hi] - centres[lo]), 0.0, 1.0)
    return lo, hi, t


def to_square(pixels, size, channels):
    """Resizes an H×W or H×W×3 uint8 image to a channels×size×size uint8 array (see the module note)."""
    work = pixels.astype(np.float64)
    if work.ndim == 3 and channels == 1:
        work = work @ LUMA
    h, w = work.shape[:2]
    ky = h // size if h >= 2 * size else 1
    kx = w // size if w >= 2 * size else 1
    if ky > 1:
        work = _shrink(work, ky, 0)
    if kx > 1:
        work = _shrink(work, kx, 1)
    ylo, yhi, ty = _bilinear_table(h, ky, size)
    xlo, xhi, tx = _bilinear_table(w, kx, size)
    if work.ndim == 2:
        work = work[..., None]
    tx = tx[None, :, None]
    top = work[ylo][:, xlo] * (1 - tx) + work[ylo][:, xhi] * tx
    bottom = work[yhi][:, xlo] * (1 - tx) + work[yhi][:, xhi] * tx
    out = top * (1 - ty[:, None, None]) + bottom * ty[:, None, None]
    out = np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)
    if out.shape[2] != channels:
        out = np.repeat(out, channels, axis=2)
    return np.ascontiguousarray(out.transpose(2, 0, 1))


class ManifestImages(Dataset):
    """One split of the manifest: (uint8 channels×size×size tensor, class index) per image, decoded on demand."""

    def __init__(self, root, entries, class_names, size, channels):
        self.items = [(os.path.join(root, e['path']), class_names.index(e['label'])) for e in entries]
        self.size, self.channels = size, channels

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        path, label = self.items[index]
        return torch.from_numpy(to_square(decode(path), self.size, self.channels)), label

    def labels(self):
        return [label for _, label in self.items]


def scale_pixels(batch, pixel_range):
    """uint8 → float in the model's range: [0, 1] (x / 255) or [-1, 1] (x / 127.5 − 1), as the lab scales."""
    x = batch.float()
    return x / 255 if pixel_range == '0,1' else x * (2 / 255) - 1
`;
