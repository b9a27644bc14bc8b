/**
 * A small multinomial logistic regression (softmax) over sparse vectors,
 * trained by stochastic gradient descent in a fixed order, so the same data
 * always gives the same model. The order comes from a key per example (a hash
 * of its text), not from its row number: a line added or removed by a curator
 * leaves the order of all the others as it was, so it changes what it is about
 * and not, by reshuffling, a dozen unrelated predictions. It learns which terms tell topics apart
 * ("qq" -> another platform, "租" -> a scam), where nearest-neighbour scores
 * only see overlap.
 */

/** Gradients smaller than this are skipped (the class is already ruled out for this example). */
const MIN_GRADIENT = 1e-3;

export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
  /** How many of `ids` and `weights` are the vector's (default: all; a reused buffer may be longer). */
  size?: number;
}

/** Many sparse vectors in flat arrays: vector r's entries are [offsets[r], offsets[r + 1]) of `ids` and `weights`. */
export interface SparseRows {
  offsets: Int32Array;
  ids: Int32Array;
  weights: Float64Array;
}

export interface SoftmaxOptions {
  epochs: number;
  /** Step size of the first epoch; it decays as 1 / (1 + epoch). */
  learningRate: number;
  /** A key per example (see `textKey`); each pass visits the examples in `visitOrder`. Default: the row numbers. */
  keys?: Uint32Array;
}

export interface SoftmaxModel {
  /** Class probabilities for one vector (they sum to 1), in `out` if given (one per class). */
  predict(x: SparseVector, out?: Float64Array): Float64Array;
}

export function trainSoftmax(
  data: readonly SparseVector[] | SparseRows,
  labels: Int32Array,
  classes: number,
  features: number,
  options: SoftmaxOptions,
): SoftmaxModel {
  const W = new Float64Array(features * classes);
  const bias = new Float64Array(classes);
  fit(W, bias, 'offsets' in data ? data : flat(data), labels, classes, options);
  return { predict: (x, out = new Float64Array(classes)) => probabilities(W, bias, classes, x.ids, x.weights, 0, x.size ?? x.ids.length, out) };
}

/** Vectors as flat rows. */
function flat(data: readonly SparseVector[]): SparseRows {
  const offsets = new Int32Array(data.length + 1);
  data.forEach((v, r) => (offsets[r + 1] = offsets[r]! + (v.size ?? v.ids.length)));
  const ids = new Int32Array(offsets[data.length]!);
  const weights = new Float64Array(ids.length);
  data.forEach((v, r) => {
    ids.set(v.ids.subarray(0, offsets[r + 1]! - offsets[r]!), offsets[r]!);
    weights.set(v.weights.subarray(0, offsets[r + 1]! - offsets[r]!), offsets[r]!);
  });
  return { offsets, ids, weights };
}

/** Trains W and bias in place (a function of its own: nothing here is captured by a closure, so all stays in registers). */
function fit(W: Float64Array, bias: Float64Array, data: SparseRows, labels: Int32Array, classes: number, options: SoftmaxOptions): void {
  const { offsets, ids, weights } = data;
  const rows = offsets.length - 1;
  const p = new Float64Array(classes);
  const step = new Float64Array(classes);
  // The classes whose step is not zero for the current example, in class order, and their steps.
  const active = new Int32Array(classes);
  const activeStep = new Float64Array(classes);

  // Every class weighs the same in total, however many examples it has: a topic with many
  // phrasings must not win ties merely by being large.
  const perClass = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) perClass[labels[i]!]!++;
  const balance = Float64Array.from(perClass, (n) => (n ? rows / (classes * n) : 0));
  const keys = options.keys ?? Uint32Array.from({ length: rows }, (_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const rate = options.learningRate / (1 + epoch);
    const order = visitOrder(keys, epoch);
    for (let n = 0; n < order.length; n++) {
      const i = order[n]!;
      const from = offsets[i]!;
      const to = offsets[i + 1]!;
      probabilities(W, bias, classes, ids, weights, from, to, p);
      let moving = 0;
      for (let c = 0; c < classes; c++) {
        const g = p[c]! - (c === labels[i] ? 1 : 0);
        // Classes already ruled out for this example are skipped.
        step[c] = g > -MIN_GRADIENT && g < MIN_GRADIENT ? 0 : rate * g * balance[labels[i]!]!;
        bias[c]! -= step[c]! * 0.1;
        if (step[c] !== 0) {
          active[moving] = c;
          activeStep[moving++] = step[c]!;
        }
      }
      // Late in training most classes are ruled out: only the others' weights move.
      for (let k = from; k < to; k++) {
        const row = ids[k]! * classes;
        const w = weights[k]!;
        for (let a = 0; a < moving; a++) W[row + active[a]!]! -= activeStep[a]! * w;
      }
    }
  }
}

/**
 * The rows in the order one pass visits them: by their keys mixed with the pass number (a new
 * order each pass), ties by row. Whatever is added or removed, the others keep their relative order.
 */
export function visitOrder(keys: Uint32Array, pass: number): Int32Array {
  const salt = Math.imul(pass + 1, 0x9e3779b9) >>> 0;
  const n = keys.length;
  const order = new Int32Array(n);
  if (n >= ROW_LIMIT) {
    const mixed = keys.map((k) => mix32(k ^ salt));
    return order.map((_, i) => i).sort((a, b) => mixed[a]! - mixed[b]! || a - b);
  }
  // Mixed key and row packed in one double (exact below 2^53), sorted as numbers: no comparator calls.
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = mix32(keys[i]! ^ salt) * ROW_LIMIT + i;
  packed.sort();
  for (let i = 0; i < n; i++) order[i] = packed[i]! % ROW_LIMIT;
  return order;
}

/** Rows below this pack with a 32-bit key into a double exactly (2^32 * 2^21 = 2^53). */
const ROW_LIMIT = 2 ** 21;

/** A key for an example: FNV-1a over the UTF-16 code units of its label and text. */
export function textKey(label: string, text: string): number {
  let h = 0x811c9dc5;
  const s = label + '\u0000' + text;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: every input bit moves about half the output bits. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * softmax(bias + x · W) into `out`, x the entries [from, to) of `ids` and `weights`. A module-level
 * function over its arguments (not a closure over the model), so the arrays stay in registers in its loops.
 */
function probabilities(W: Float64Array, bias: Float64Array, classes: number, ids: Int32Array, weights: Float64Array, from: number, to: number, out: Float64Array): Float64Array {
  out.set(bias);
  // Row by row: a term's weights for every class lie next to each other. Four terms per pass
  // over the classes: out[c] + a + b + c + d adds them one after another, in the same order
  // (and so to the same sums) as four passes would, with a quarter of the loads and stores.
  const n = to;
  let k = from;
  for (; k + 4 <= n; k += 4) {
    const r0 = ids[k]! * classes;
    const r1 = ids[k + 1]! * classes;
    const r2 = ids[k + 2]! * classes;
    const r3 = ids[k + 3]! * classes;
    const w0 = weights[k]!;
    const w1 = weights[k + 1]!;
    const w2 = weights[k + 2]!;
    const w3 = weights[k + 3]!;
    for (let c = 0; c < classes; c++) out[c] = out[c]! + W[r0 + c]! * w0 + W[r1 + c]! * w1 + W[r2 + c]! * w2 + W[r3 + c]! * w3;
  }
  for (; k < n; k++) {
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
}
