"""Checks an X-Ray Lab Keras .h5 export with h5py the way Keras' load_model reads it, without Keras installed.

    /usr/bin/python3 check_keras_h5.py MODEL.h5 STOCK_MODEL_JSON STOCK_WEIGHTS_BIN

What Keras 2's `load_model_from_hdf5` and Keras 3's legacy `load_model_from_hdf5` do, step by step:
1. read the root attribute `model_config` (JSON) and build the model from it — here: every layer class must be a
   stock Keras class and every inbound layer must exist before it is used;
2. read `model_weights.attrs['layer_names']`, keep the layers whose `weight_names` is not empty, and pair them in
   order with the model's layers that own weights (counts must agree);
3. for each, read `group[weight_name]` for every weight name (plain hard-linked datasets, as Keras 3 insists) and
   check it against the shape the layer's config implies (a Conv2D kernel is [kh, kw, in, filters], …).
Then every dataset is compared with the same weight of the stock TF.js export (name, shape and values exactly).
Prints a JSON summary on stdout; exits 1 with the first problem on stderr.
"""
import json
import sys

import h5py
import numpy as np

STOCK = {
    'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'Dense', 'BatchNormalization', 'Activation', 'ReLU', 'MaxPooling2D',
    'AveragePooling2D', 'GlobalAveragePooling2D', 'Add', 'Concatenate', 'ZeroPadding2D', 'Dropout',
}


def fail(message):
    sys.stderr.write(message + '\n')
    sys.exit(1)


def text(value):
    return value.decode('utf8') if hasattr(value, 'decode') else value


def names_attr(group, name):
    if name not in group.attrs:
        fail(f'{group.name} has no attribute {name}')
    return [text(n) for n in group.attrs[name]]


def expected_weights(layer, channels_in):
    """(short name, shape) of each weight a Keras layer of this config owns, in `layer.weights` order."""
    cls, c = layer['class_name'], layer['config']
    if cls == 'Conv2D':
        kh, kw = c['kernel_size']
        out = [('kernel', [kh, kw, channels_in, c['filters']])]
        return out + ([('bias', [c['filters']])] if c['use_bias'] else [])
    if cls == 'DepthwiseConv2D':
        kh, kw = c['kernel_size']
        mult = c.get('depth_multiplier', 1)
        out = [('depthwise_kernel', [kh, kw, channels_in, mult])]
        return out + ([('bias', [channels_in * mult])] if c['use_bias'] else [])
    if cls == 'Dense':
        out = [('kernel', [channels_in, c['units']])]
        return out + ([('bias', [c['units']])] if c['use_bias'] else [])
    if cls == 'BatchNormalization':
        names = (['gamma'] if c.get('scale', True) else []) + (['beta'] if c.get('center', True) else [])
        return [(n, [channels_in]) for n in names + ['moving_mean', 'moving_variance']]
    return []


def channels_out(layer, inputs):
    """Last dimension of a layer's output, from its config and its inputs' last dimensions."""
    cls, c = layer['class_name'], layer['config']
    if cls == 'InputLayer':
        return c['batch_input_shape'][-1]
    if cls == 'Conv2D':
        return c['filters']
    if cls == 'DepthwiseConv2D':
        return inputs[0] * c.get('depth_multiplier', 1)
    if cls == 'Dense':
        return c['units']
    if cls == 'Concatenate':
        return sum(inputs)
    if cls == 'Add' and len(set(inputs)) != 1:
        fail(f'{layer["name"]}: Add of tensors with {inputs} channels')
    return inputs[0]


def main(h5_path, json_path, bin_path):
    tfjs = json.load(open(json_path))
    data = np.fromfile(bin_path, dtype='<f4')
    reference, offset = {}, 0
    for spec in tfjs['weightsManifest'][0]['weights']:
        size = int(np.prod(spec['shape'])) if spec['shape'] else 1
        reference[spec['name']] = data[offset:offset + size].reshape(spec['shape'])
        offset += size

    f = h5py.File(h5_path, 'r')
    for attr in ('model_config', 'keras_version', 'backend'):
        if attr not in f.attrs:
            fail(f'root attribute {attr} is missing')
        if not isinstance(f.attrs[attr], bytes):  # Keras 2.2/2.3 call .decode('utf8') on them
            fail(f'root attribute {attr} is not a byte string')
    config = json.loads(text(f.attrs['model_config']))
    if config['class_name'] not in ('Model', 'Functional'):
        fail(f'model_config is a {config["class_name"]}, not a functional model')
    layers = config['config']['layers']

    # 1. Build order and channels, as Keras' functional from_config walks the config.
    channels = {}
    owners = []
    for layer in layers:
        if layer['class_name'] not in STOCK:
            fail(f'layer {layer["name"]} is a {layer["class_name"]}, not a stock Keras layer')
        inbound = [t[0] for node in layer['inbound_nodes'] for t in node]
        missing = [name for name in inbound if name not in channels]
        if missing:
            fail(f'layer {layer["name"]} uses {missing[0]} before it is defined')
        inputs = [channels[name] for name in inbound]
        weights = expected_weights(layer, inputs[0] if inputs else None)
        if weights:
            owners.append((layer, weights))
        channels[layer['name']] = channels_out(layer, inputs)
    outputs = config['config']['output_layers']
    if len(outputs) != 1 or layers[-1]['class_name'] != 'Activation' or layers[-1]['config']['activation'] != 'softmax':
        fail('the model does not end in one softmax output')

    # 2. Keras pairs saved layers having weights with model layers having weights, in order.
    group = f['model_weights']
    for attr in ('keras_version', 'backend'):
        if attr not in group.attrs:
            fail(f'model_weights attribute {attr} is missing')
    layer_names = names_attr(group, 'layer_names')
    if layer_names != [layer['name'] for layer in layers]:
        fail('layer_names does not list the config\'s layers in order')
    saved = [name for name in layer_names if names_attr(group[name], 'weight_names')]
    if len(saved) != len(owners):
        fail(f'{len(saved)} saved layers have weights, the model has {len(owners)}')

    # 3. Each weight by its name inside the layer's group, with the shape the config implies.
    seen, params = set(), 0
    for name, (layer, weights) in zip(saved, owners):
        if name != layer['name']:
            fail(f'saved layer {name} would load into model layer {layer["name"]}')
        weight_names = names_attr(group[name], 'weight_names')
        if weight_names != [f'{name}/{short}:0' for short, _ in weights]:
            fail(f'{name}: weight_names {weight_names}, expected {[s for s, _ in weights]}')
        for weight_name, (short, shape) in zip(weight_names, weights):
            link = group[name].get(weight_name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                fail(f'{name}/{weight_name} is not a plain dataset')
            dataset = group[name][weight_name]
            if not isinstance(dataset, h5py.Dataset) or dataset.dtype != np.dtype('<f4'):
                fail(f'{name}/{weight_name}: expected a float32 dataset')
            if list(dataset.shape) != shape:
                fail(f'{name}/{weight_name}: shape {list(dataset.shape)}, the layer needs {shape}')
            tfjs_name = f'{name}/{short}'
            if tfjs_name not in reference or not np.array_equal(dataset[()], reference[tfjs_name]):
                fail(f'{name}/{weight_name} differs from the TF.js export\'s {tfjs_name}')
            seen.add(tfjs_name)
            params += int(dataset.size)
    if seen != set(reference):
        fail(f'weights only in the TF.js export: {sorted(set(reference) - seen)[:5]}')
    print(json.dumps({
        'layers': len(layers), 'layersWithWeights': len(owners), 'params': params,
        'kerasVersion': text(f.attrs['keras_version']), 'metadata': json.loads(text(f.attrs['xray_lab'])),
    }))


if __name__ == '__main__':
    main(*sys.argv[1:4])
