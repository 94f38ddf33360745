import * as tf from '@tensorflow/tfjs';

/** A layer whose L2 penalties (l2·Σw² per weight) the trainer computes fused (LightConv2D, LightDense). */
export interface L2Penalized {
  /** The penalty factor and the weights it applies to; null when the layer has none. */
  l2PenaltyTerms(): { l2: number; weights: tf.Tensor[] } | null;
}

function isL2Penalized(layer: unknown): layer is L2Penalized {
  return typeof (layer as Partial<L2Penalized>).l2PenaltyTerms === 'function';
}

/**
 * Σ l2ᵢ·Σwᵢ² over many weights as one operation with its own gradient: the weights of one factor are
 * concatenated, squared and summed once, and the backward pass is one product per weight. tfjs's regularizers
 * take about eight kernels per weight (square, sum, scale, add; and back: scale, broadcast, two products), ~150
 * GPU programs per light-k5 step. The gradient, f32(w·2)·f32(dy·l2), is the very product tfjs's chain computes,
 * so training is unchanged to the bit; only the reported penalty may differ in its last bits (another summation
 * order).
 */
export function fusedL2Penalty(terms: readonly { l2: number; weights: readonly tf.Tensor[] }[]): tf.Scalar {
  const factors = terms.flatMap((t) => t.weights.map(() => t.l2));
  const penalty = tf.customGrad((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const weights = args as tf.Tensor[];
    save(weights);
    const value = tf.tidy(() => {
      // One concatenation, square and sum per distinct factor (usually one for the whole model).
      const byFactor = new Map<number, tf.Tensor[]>();
      weights.forEach((w, i) => byFactor.set(factors[i], [...(byFactor.get(factors[i]) ?? []), tf.reshape(w, [-1])]));
      const parts = [...byFactor].map(([l2, ws]) =>
        tf.mul(tf.sum(tf.square(ws.length === 1 ? ws[0] : tf.concat(ws))), l2),
      );
      return parts.length === 1 ? parts[0] : tf.addN(parts);
    }) as tf.Scalar;
    return {
      value,
      // tfjs's chain gives f32(w·2)·f32(dy·l2); doubling is exact in float32, so w·f32(2·f32(dy·l2)) is the same
      // number, with one product per weight and the scale made once per factor.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const scales = new Map<number, tf.Tensor>();
        const scaleOf = (l2: number) => scales.get(l2) ?? scales.set(l2, tf.mul(tf.mul(dy, l2), 2)).get(l2)!;
        return saved.map((w, i) => tf.mul(w, scaleOf(factors[i])));
      },
    };
  });
  return penalty(...terms.flatMap((t) => t.weights)) as tf.Scalar;
}

/**
 * The model's regularisation losses, as Keras adds them to the loss: the L2 penalties of the lab's layers fused
 * into one operation, every other layer's losses as tfjs computes them. (Per layer, where tfjs counts per use of
 * a shared layer; the lab's models share none.)
 */
export function regularizationLosses(model: tf.LayersModel): tf.Scalar[] {
  const fused: { l2: number; weights: tf.Tensor[] }[] = [];
  const others: tf.Scalar[] = [];
  for (const layer of model.layers) {
    if (isL2Penalized(layer)) {
      const terms = layer.l2PenaltyTerms();
      if (terms != null) fused.push(terms);
    } else {
      others.push(...layer.calculateLosses());
    }
  }
  return fused.length > 0 ? [fusedL2Penalty(fused), ...others] : others;
}
