/**
 * The Keras functional-model JSON that TF.js writes as `modelTopology` and Keras reads as `model_config`
 * (snake_case keys, `inbound_nodes` in Keras 2's list form), typed as far as the stock export needs, with builders
 * for the stock layers that replace the lab's LightConv2D and LightDense.
 */

/** One inbound tensor: [layer name, node index, tensor index, call kwargs]. */
export type InboundTensor = [string, number, number, Record<string, unknown>];

export interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** One entry per call of the layer; each lists the tensors it was called on. */
  inbound_nodes: InboundTensor[][];
}

export interface ModelConfigJson {
  class_name: string;
  config: {
    name: string;
    layers: LayerJson[];
    input_layers: Array<[string, number, number]>;
    output_layers: Array<[string, number, number]>;
  };
}

/** What `model.toJSON(null, false)` returns: the model config plus where it came from. */
export interface TopologyJson extends ModelConfigJson {
  keras_version?: string;
  backend?: string;
}

/**
 * Layer classes that TF.js and Keras (2.2 – 3.x) both ship, under the same name and with the same weights: a model
 * built only from these loads with plain `tf.loadLayersModel` and `keras.models.load_model`.
 */
export const STOCK_LAYER_CLASSES: ReadonlySet<string> = new Set([
  'InputLayer',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'Dense',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Add',
  'Concatenate',
  'ZeroPadding2D',
  'Dropout',
  'Flatten',
  'Reshape',
]);

/** Glorot-uniform, written the way every Keras since 2.0 reads it (only shapes the initial weights, which we replace). */
const GLOROT_UNIFORM = {
  class_name: 'VarianceScaling',
  config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null },
};
const ZEROS = { class_name: 'Zeros', config: {} };

/** An L2 penalty l2·Σw² in the form Keras and TF.js both deserialise; null when there is none. */
function l2Regularizer(l2: number): unknown {
  return l2 > 0 ? { class_name: 'L1L2', config: { l1: 0, l2 } } : null;
}

export interface Conv2DJsonArgs {
  name: string;
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  padding: string;
  activation: 'relu' | 'linear';
  l2: number;
  trainable: boolean;
}

/** A plain Conv2D with a bias, as Keras' `Conv2D.get_config()` writes it. */
export function conv2dJson(a: Conv2DJsonArgs, inbound: InboundTensor[][]): LayerJson {
  return {
    name: a.name,
    class_name: 'Conv2D',
    config: {
      name: a.name,
      trainable: a.trainable,
      filters: a.filters,
      kernel_size: a.kernelSize,
      strides: a.strides,
      padding: a.padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: a.activation,
      use_bias: true,
      kernel_initializer: GLOROT_UNIFORM,
      bias_initializer: ZEROS,
      kernel_regularizer: l2Regularizer(a.l2),
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
    inbound_nodes: inbound,
  };
}

export interface DenseJsonArgs {
  name: string;
  units: number;
  useBias: boolean;
  l2: number;
  trainable: boolean;
}

/** A linear Dense layer, as Keras' `Dense.get_config()` writes it. */
export function denseJson(a: DenseJsonArgs, inbound: InboundTensor[][]): LayerJson {
  return {
    name: a.name,
    class_name: 'Dense',
    config: {
      name: a.name,
      trainable: a.trainable,
      units: a.units,
      activation: 'linear',
      use_bias: a.useBias,
      kernel_initializer: GLOROT_UNIFORM,
      bias_initializer: ZEROS,
      kernel_regularizer: l2Regularizer(a.l2),
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
    inbound_nodes: inbound,
  };
}

/** An Activation layer (the softmax every stock export ends in). */
export function activationJson(name: string, activation: string, inbound: InboundTensor[][]): LayerJson {
  return { name, class_name: 'Activation', config: { name, trainable: true, activation }, inbound_nodes: inbound };
}

/** The single inbound connection "output 0 of layer `name`". */
export function from(name: string): InboundTensor[][] {
  return [[[name, 0, 0, {}]]];
}
