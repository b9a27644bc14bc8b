/**
 * A small multinomial logistic regression (softmax) over sparse vectors,
 * trained by stochastic gradient descent in a fixed order, so the same data
 * always gives the same model. It learns which terms tell topics apart
 * ("qq" -> another platform, "租" -> a scam), where nearest-neighbour scores
 * only see overlap.
 */

/** Gradients smaller than this are skipped (the class is already ruled out for this example). */
const MIN_GRADIENT = 1e-3;

export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

export interface SoftmaxOptions {
  epochs: number;
  /** Step size of the first epoch; it decays as 1 / (1 + epoch). */
  learningRate: number;
}

export interface SoftmaxModel {
  /** Class probabilities for one vector (they sum to 1). */
  predict(x: SparseVector): Float64Array;
}

export function trainSoftmax(
  data: readonly SparseVector[],
  labels: Int32Array,
  classes: number,
  features: number,
  options: SoftmaxOptions,
): SoftmaxModel {
  const W = new Float64Array(features * classes);
  const bias = new Float64Array(classes);
  const p = new Float64Array(classes);
  const step = new Float64Array(classes);

  const forward = (x: SparseVector, out: Float64Array) => {
    const { ids, weights } = x;
    out.set(bias);
    // Row by row: a term's weights for every class lie next to each other.
    for (let k = 0; k < ids.length; k++) {
      const row = ids[k]! * classes;
      const w = weights[k]!;
      for (let c = 0; c < classes; c++) out[c]! += W[row + c]! * w;
    }
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (out[c]! > max) max = out[c]!;
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[c] = Math.exp(out[c]! - max);
    for (let c = 0; c < classes; c++) out[c]! /= sum;
    return out;
  };

  // Every class weighs the same in total, however many examples it has: a topic with many
  // phrasings must not win ties merely by being large.
  const perClass = new Float64Array(classes);
  for (const l of labels) perClass[l]!++;
  const balance = Float64Array.from(perClass, (n) => (n ? data.length / (classes * n) : 0));
  const order = Int32Array.from(data, (_, i) => i);
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const rate = options.learningRate / (1 + epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    for (let n = 0; n < order.length; n++) {
      const i = order[n]!;
      const { ids, weights } = data[i]!;
      forward(data[i]!, p);
      for (let c = 0; c < classes; c++) {
        const g = p[c]! - (c === labels[i] ? 1 : 0);
        // Classes already ruled out for this example are skipped.
        step[c] = g > -MIN_GRADIENT && g < MIN_GRADIENT ? 0 : rate * g * balance[labels[i]!]!;
        bias[c]! -= step[c]! * 0.1;
      }
      for (let k = 0; k < ids.length; k++) {
        const row = ids[k]! * classes;
        const w = weights[k]!;
        for (let c = 0; c < classes; c++) if (step[c] !== 0) W[row + c]! -= step[c]! * w;
      }
    }
  }
  return { predict: (x) => forward(x, new Float64Array(classes)) };
}
