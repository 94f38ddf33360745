// weights.py of the exported PyTorch project: reading the safetensors files the lab exports, and loading them into a model by name.
// Python source kept as a string so that the export works unchanged in a page, a worker and Node.
export const WEIGHTS_PY = String.raw`"""Weights exported by the lab, in safetensors files: an 8-byte little-endian header length, a JSON header naming
each tensor's dtype, shape and byte range, then the raw little-endian data. The names are this project's
state_dict keys and the arrays are already in PyTorch layout (a convolution kernel is [out, in, kh, kw]).

The format is read here with the standard library and torch alone (no pickle, so loading runs no code from the
file); 'safetensors.torch.load_file' reads the same files where that package is installed.
"""
import json

import torch

DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32}


def read_safetensors(path):
    """(name → tensor, metadata dict) of a safetensors file."""
    with open(path, 'rb') as f:
        header_length = int.from_bytes(f.read(8), 'little')
        header = json.loads(f.read(header_length))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        flat = torch.frombuffer(bytearray(data[start:end]), dtype=DTYPES[info['dtype']])
        tensors[name] = flat.reshape(info['shape'])
    return tensors, header.get('__metadata__', {})


class WeightsMismatch(Exception):
    pass


def load_weights(model, path, partial=False):
    """Copies the file's tensors into 'model' by name. Every tensor must fit a parameter or buffer of the same shape;
    unless 'partial', every parameter and buffer (BatchNorm's step counter aside) must be in the file."""
    tensors, _ = read_safetensors(path)
    state = model.state_dict()
    unknown = [name for name in tensors if name not in state]
    if unknown:
        raise WeightsMismatch(f'{path}: {len(unknown)} tensors fit no layer of the model, e.g. {unknown[0]}')
    for name, tensor in tensors.items():
        if tuple(tensor.shape) != tuple(state[name].shape):
            raise WeightsMismatch(f'{path}: {name} has shape {list(tensor.shape)}, the model needs {list(state[name].shape)}')
    missing = [name for name in state if name not in tensors and not name.endswith('num_batches_tracked')]
    if missing and not partial:
        raise WeightsMismatch(f'{path}: {len(missing)} weights of the model are not in the file, e.g. {missing[0]}')
    model.load_state_dict(tensors, strict=False)
`;
