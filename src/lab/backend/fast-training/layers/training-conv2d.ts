import * as tf from '@tensorflow/tfjs';
import { fastTrainingActive } from '../install-fast-training';
import { convBiasRelu, convBiasReluActive } from '../kernels/conv-bias-relu';

/** The members of tfjs-layers' Conv2D this file reads (not in its public typings). */
interface Conv2DInternals {
  rank: number;
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string };
}

type LayerClass = new (args: Parameters<typeof tf.layers.conv2d>[0]) => tf.layers.Layer;

/** tfjs-layers' Conv2D class (not exported under a name of its own). */
const KerasConv2D = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })).constructor as LayerClass;

/**
 * tfjs's Conv2D, but a ReLU layer with a bias (channels-last, dilation 1, float32) runs as one CONV_BIAS_RELU kernel
 * wherever the backend has it (wasm, cpu with the fast kernels): tfjs itself fuses the ReLU only outside training,
 * so while training it runs Conv2D, a bias Add and a Relu, and their gradients as three more passes. Anything else
 * is tfjs's own code. Its class name stays 'Conv2D', so saved models load as the standard layer everywhere.
 */
export class TrainingConv2D extends KerasConv2D {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    // Nothing but tfjs's own code unless the fast path is installed (it reads private members of this tfjs).
    if (!fastTrainingActive()) return super.call(inputs, kwargs);
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const self = this as unknown as Conv2DInternals;
    const dilation = typeof self.dilationRate === 'number' ? [self.dilationRate] : self.dilationRate;
    const fusable =
      self.rank === 2 &&
      x.rank === 4 &&
      x.dtype === 'float32' &&
      self.bias != null &&
      self.activation.getClassName() === 'relu' &&
      self.dataFormat === 'channelsLast' &&
      dilation.every((d) => d === 1) &&
      (self.padding === 'same' || self.padding === 'valid');
    if (!fusable || !convBiasReluActive()) return super.call(inputs, kwargs);
    return tf.tidy(() =>
      convBiasRelu(
        x as tf.Tensor4D,
        self.kernel.read() as tf.Tensor4D,
        self.bias!.read() as tf.Tensor1D,
        [self.strides[0], self.strides[1]],
        self.padding as 'same' | 'valid',
      ),
    );
  }
}
