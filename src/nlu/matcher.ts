/**
 * The topic matcher. Our own token arrays (features.ts), weighted by
 * class-level TF-IDF from natural, are scored three ways and blended:
 *   - k-NN: cosine to the nearest training utterance of each label;
 *   - centroid: cosine to the label's centroid;
 *   - softmax: a logistic regression that learns which terms separate labels;
 * plus fuse.js for short, typo-prone queries. Pure: built once from data, no I/O.
 */
import Fuse from 'fuse.js';
import { TfIdf } from 'natural/lib/natural/tfidf/index.js';
import { features, termLookup, termNumbering } from './features.js';
import { matching, type MatchingConfig } from './config.js';
import { textKey, trainSoftmax, type SparseVector } from './softmax.js';

export interface Example {
  /** The class: a topic id, `meta.*`, `oos`, or a refusal label. */
  label: string;
  /** Normalised text. */
  text: string;
}

export interface LabelScore {
  label: string;
  score: number;
}

export interface Matcher {
  readonly examples: readonly Example[];
  /** Every label with its score in 0..1, best first. `normalized` must come from the same preparation as the examples. */
  rank(normalized: string): LabelScore[];
  /** The same for terms already made (`text` is what they came from, for the typo search). */
  rankTerms(terms: readonly string[], text: string): LabelScore[];
  /** Share of the distinct terms that training ever used (0..1; 1 for no terms). */
  coverage(terms: readonly string[]): number;
}

export interface MatcherOptions {
  config?: MatchingConfig;
  /** Text -> terms (default: character terms only). */
  featurize?: (text: string) => string[];
}

/** Builds the index. `names` are extra short phrasings (display names) per label for fuse.js. */
export function createMatcher(examples: readonly Example[], names: readonly Example[] = [], options: MatcherOptions = {}): Matcher {
  const config = options.config ?? matching;
  const featurize = options.featurize ?? features;
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const docLabel = Int32Array.from(examples, (e) => labelIndex.get(e.label)!);

  // Every example's terms as numbers, each distinct term string looked up once here: the rest of
  // the build works on these. All examples' terms are in one array: example i's are
  // [termStart[i], termStart[i + 1]).
  const numbering = termNumbering();
  const termStart = new Int32Array(examples.length + 1);
  let allTerms = new Int32Array(32 * examples.length + 1024);
  for (let i = 0; i < examples.length; i++) {
    const tokens = featurize(examples[i]!.text);
    let at = termStart[i]!;
    if (at + tokens.length > allTerms.length) {
      const grown = new Int32Array(2 * (at + tokens.length));
      grown.set(allTerms.subarray(0, at));
      allTerms = grown;
    }
    for (let k = 0; k < tokens.length; k++) allTerms[at++] = numbering.id(tokens[k]!);
    termStart[i + 1] = at;
  }
  const termText = numbering.terms;
  const termCountAll = termText.length;

  // One TF-IDF document per label: terms shared by many labels weigh little. idf needs only
  // whether a label uses a term, so each label's document lists its terms once, in order of first use.
  // The examples label by label (file order within a label): `inLabel[t] === l` while label l's
  // examples are read means t is already in its list.
  const rowOrder = Int32Array.from({ length: examples.length }, (_, i) => i).sort((a, b) => docLabel[a]! - docLabel[b]! || a - b);
  const perLabel: number[][] = labels.map(() => []);
  const inLabel = new Int32Array(termCountAll).fill(-1);
  for (let r = 0; r < rowOrder.length; r++) {
    const i = rowOrder[r]!;
    const l = docLabel[i]!;
    for (let k = termStart[i]!; k < termStart[i + 1]!; k++) {
      const t = allTerms[k]!;
      if (inLabel[t] === l) continue;
      inLabel[t] = l;
      perLabel[l]!.push(t);
    }
  }

  // Vocabulary in order of first appearance (vocab[id]), with the number of labels using each term.
  const vocab: string[] = [];
  const vocabOfTerm = new Int32Array(termCountAll).fill(-1);
  const labelsWithTerm: number[] = [];
  const someTermOfCount = new Map<number, string>();
  for (let l = 0; l < perLabel.length; l++) {
    const terms = perLabel[l]!;
    for (let k = 0; k < terms.length; k++) {
      const t = terms[k]!;
      const id = vocabOfTerm[t]!;
      if (id < 0) {
        vocabOfTerm[t] = labelsWithTerm.length;
        vocab.push(termText[t]!);
        labelsWithTerm.push(1);
      } else labelsWithTerm[id]!++;
    }
  }
  const termId = termLookup(vocab);
  // idf depends on that number only: natural computes it once per distinct count (at most one per label).
  for (let id = 0; id < vocab.length; id++) if (!someTermOfCount.has(labelsWithTerm[id]!)) someTermOfCount.set(labelsWithTerm[id]!, vocab[id]!);
  // natural's TfIdf idf is 1 + ln(documents / (1 + documents with the term)), worked out here as it
  // does, without building its per-label term objects; except for the two terms those objects
  // cannot count (their own "__key" field and "__proto__"), where natural itself is asked.
  // (Loops, not callbacks: a closure over the per-label terms would keep them alive with the matcher.)
  let natural: TfIdf | undefined;
  const weightOfCount = new Map<number, number>();
  for (const [n, t] of someTermOfCount) {
    let idf: number;
    if (t !== '__key' && t !== '__proto__') idf = 1 + Math.log(labels.length / (1 + n));
    else {
      if (!natural) {
        natural = new TfIdf();
        for (let i = 0; i < perLabel.length; i++) {
          const terms: string[] = [];
          for (let k = 0; k < perLabel[i]!.length; k++) terms.push(termText[perLabel[i]![k]!]!);
          natural.addDocument(terms, labels[i]);
        }
      }
      idf = natural.idf(t);
    }
    weightOfCount.set(n, Math.max(idf, 0.05) ** config.idfPower);
  }
  const termWeight = Float64Array.from(labelsWithTerm, (n) => weightOfCount.get(n)!);
  const common = new Uint8Array(labelsWithTerm.length);
  for (let id = 0; id < labelsWithTerm.length; id++) common[id] = labelsWithTerm[id]! >= config.commonTermLabels * labels.length ? 1 : 0;
  // A term never seen in training weighs like the rarest one, so unknown words pull scores down.
  const unknownWeight = config.unknownWeight * (1 + Math.log(Math.max(labels.length, 1))) ** config.idfPower;

  /** Unit tf-idf vector of tokens; with `countUnknown`, terms not in training count in the norm only. */
  // Term counts of the vector being built, by term id; reset after each use.
  const termCount = new Int32Array(termWeight.length);
  // The distinct terms of the vector being built, and a query's vector (reused from call to call).
  const order: number[] = [];
  let queryIds = new Int32Array(64);
  let queryWeights = new Float64Array(64);
  const toVector = (tokens: readonly string[], countUnknown = false): SparseVector & { known: number } => {
    // Distinct terms in order of first appearance: a known term as its id, an unknown one as -1
    // with its count in `unknown` (rare: only query words never seen in training).
    order.length = 0;
    let unknown: Map<string, number> | undefined;
    let unknownOrder: string[] | undefined;
    let known = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const id = termId(t);
      if (id !== undefined) {
        if (termCount[id]!++ === 0) {
          order.push(id);
          known++;
        }
      } else {
        unknown ??= new Map();
        unknownOrder ??= [];
        const n = unknown.get(t) ?? 0;
        if (n === 0) {
          order.push(-1);
          unknownOrder.push(t);
        }
        unknown.set(t, n + 1);
      }
    }
    if (queryIds.length < known) {
      queryIds = new Int32Array(2 * known);
      queryWeights = new Float64Array(2 * known);
    }
    const ids = queryIds;
    const weights = queryWeights;
    let norm2 = 0;
    let k = 0;
    let u = 0;
    for (let o = 0; o < order.length; o++) {
      const id = order[o]!;
      if (id >= 0) {
        const w = termCount[id]! * termWeight[id]!;
        termCount[id] = 0;
        ids[k] = id;
        weights[k++] = w;
        norm2 += w * w;
      } else {
        const w = unknown!.get(unknownOrder![u++]!)! * unknownWeight;
        if (countUnknown) norm2 += w * w;
      }
    }
    const norm = Math.sqrt(norm2) || 1;
    for (let i = 0; i < known; i++) weights[i]! /= norm;
    return { ids, weights, size: known, known: order.length ? known / order.length : 0 };
  };

  // The examples' unit vectors (toVector() of their terms, all known: the vocabulary is theirs),
  // in flat arrays: example i's entries are [vecStart[i], vecStart[i + 1]) of vecIds and vecWeights,
  // its distinct terms in order of first appearance.
  const vecStart = new Int32Array(examples.length + 1);
  const vecIds = new Int32Array(termStart[examples.length]!);
  const vecWeights = new Float64Array(vecIds.length);
  for (let i = 0; i < examples.length; i++) {
    vecStart[i + 1] = unitVector(allTerms, termStart[i]!, termStart[i + 1]!, vocabOfTerm, termCount, termWeight, vecIds, vecWeights, vecStart[i]!);
  }

  /** Keeps the `max` heaviest terms of a long query (the common ones say least and cost most). */
  const topTerms = <V extends SparseVector>(v: V, max: number): V => {
    const size = v.size ?? v.ids.length;
    if (size <= max) return v;
    const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => v.weights[b]! - v.weights[a]! || v.ids[a]! - v.ids[b]!).slice(0, max);
    return { ...v, ids: Int32Array.from(order, (i) => v.ids[i]!), weights: Float64Array.from(order, (i) => v.weights[i]!), size: max };
  };

  const labelSize = new Float64Array(labels.length);
  for (let i = 0; i < docLabel.length; i++) labelSize[docLabel[i]!]!++;
  // The examples' rows are numbered label by label (file order within a label), so a label's
  // nearest example is the best of one stretch of rows; `rowLabel` is each row's label,
  // `labelRows` each label's stretch.
  const rowLabel = Int32Array.from(rowOrder, (doc) => docLabel[doc]!);
  const labelRows = new Int32Array(labels.length + 1);
  for (let i = 0; i < rowLabel.length; i++) labelRows[rowLabel[i]! + 1]!++;
  for (let l = 0; l < labels.length; l++) labelRows[l + 1]! += labelRows[l]!;

  // Label centroids: sums of unit vectors, summed over the label's examples in file order, the
  // terms in order of first use.
  const centroidSum = new Float64Array(termWeight.length);
  const inCentroid = new Uint8Array(termWeight.length);
  // (A plain loop, not a callback: a closure over the example vectors would keep them alive with the matcher.)
  const centroids: { ids: number[]; weights: number[] }[] = [];
  for (let label = 0; label < labels.length; label++) {
    const ids: number[] = [];
    for (let r = labelRows[label]!; r < labelRows[label + 1]!; r++) {
      const doc = rowOrder[r]!;
      addToCentroid(vecIds, vecWeights, vecStart[doc]!, vecStart[doc + 1]!, centroidSum, inCentroid, ids);
    }
    let norm2 = 0;
    for (let k = 0; k < ids.length; k++) norm2 += centroidSum[ids[k]!]! * centroidSum[ids[k]!]!;
    const norm = Math.sqrt(norm2) || 1;
    // Coherence: the mean cosine of the label's examples to its centroid (|sum| / n for unit
    // vectors). A label of varied phrasings (off-topic chatter) has a weak centroid; dividing by
    // its coherence puts "as close as its own examples are" nearer the same value for every label.
    const coherence = Math.max(norm / Math.max(labelSize[label]!, 1), 0.05) ** config.coherencePower;
    const weights: number[] = [];
    for (let k = 0; k < ids.length; k++) weights.push(centroidSum[ids[k]!]! / norm / coherence);
    for (let k = 0; k < ids.length; k++) {
      centroidSum[ids[k]!] = 0;
      inCentroid[ids[k]!] = 0;
    }
    centroids.push({ ids, weights });
  }
  // Inverted indexes, term -> (example row, weight) and term -> (label, centroid weight).
  const examplePostings = invertedIndex(termWeight.length, rowOrder, vecStart, vecIds, vecWeights);
  const centroidStarts = new Int32Array(labels.length + 1);
  centroids.forEach((c, l) => (centroidStarts[l + 1] = centroidStarts[l]! + c.ids.length));
  const centroidIds = new Int32Array(centroidStarts[labels.length]!);
  const centroidWeights = new Float64Array(centroidIds.length);
  const labelOrder = new Int32Array(labels.length);
  for (let l = 0; l < labels.length; l++) {
    labelOrder[l] = l;
    centroidIds.set(centroids[l]!.ids, centroidStarts[l]!);
    centroidWeights.set(centroids[l]!.weights, centroidStarts[l]!);
  }
  const centroidPostings = invertedIndex(termWeight.length, labelOrder, centroidStarts, centroidIds, centroidWeights);
  const { start: postStart, row: postDoc, weight: postWeight } = examplePostings;
  const { start: centroidStart, row: centroidLabel, weight: centroidWeight } = centroidPostings;

  const softmax =
    config.softmaxWeight > 0
      ? trainSoftmax({ offsets: vecStart, ids: vecIds, weights: vecWeights }, docLabel, labels.length, termWeight.length, {
          epochs: config.softmaxEpochs,
          learningRate: config.softmaxLearningRate,
          keys: Uint32Array.from(examples, (e) => textKey(e.label, e.text)),
        })
      : null;

  // fuse.js over short phrasings only: the typo-prone queries are short, and so is the work.
  // Each query searches only the phrasings it could be a typo of: about its length, sharing most
  // of its characters (a fuse.js index over a few dozen items costs less than a search over all).
  const fuseOptions = { keys: ['text'], includeScore: true, ignoreLocation: true, threshold: config.fuseThreshold };
  // (A text of more than twice as many code units has more code points: those are not spread.)
  const fuseItems = [...examples, ...names].filter((e) => e.text.length <= 2 * config.fuseMaxChars && [...e.text].length <= config.fuseMaxChars);
  const fuseByChar = new Map<string, number[]>();
  fuseItems.forEach((item, i) => {
    for (const ch of new Set(item.text)) {
      const list = fuseByChar.get(ch);
      if (list) list.push(i);
      else fuseByChar.set(ch, [i]);
    }
  });
  const fuseItemLength = fuseItems.map((e) => [...e.text].length);
  const fuseSearch = (text: string, chars: number) => {
    const shared = new Map<number, number>();
    const distinct = new Set(text);
    for (const ch of distinct) for (const i of fuseByChar.get(ch) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
    // A typo fuse.js accepts (threshold 0.4) changes at most two characters of six.
    const need = Math.max(1, distinct.size - 2);
    const near: Example[] = [];
    let key = '';
    for (const [i, n] of shared) {
      // A typo, not a fragment: "实明认证" ~ "实名认证", but "靠谱吗" is not "代解封靠谱吗".
      if (n >= need && Math.abs(fuseItemLength[i]! - chars) <= 1) {
        near.push(fuseItems[i]!);
        key += i + ',';
      }
    }
    if (!near.length) return [];
    // The same few phrasings come up again and again (short follow-ups): their index is kept.
    let fuse = fuseByNear.get(key);
    if (!fuse) {
      if (fuseByNear.size >= 512) fuseByNear.clear();
      fuseByNear.set(key, (fuse = new Fuse(near, fuseOptions)));
    }
    return fuse.search(text);
  };
  const fuseByNear = new Map<string, Fuse<Example>>();

  // Per-call scratch, reused: the nearest example's and the centroid's cosine, the softmax's probability, by label.
  const knn = new Float64Array(labels.length);
  const centroid = new Float64Array(labels.length);
  const classProbs = new Float64Array(labels.length);
  const docScore = new Float64Array(examples.length);
  const touched = new Int32Array(examples.length);

  function rank(normalized: string): LabelScore[] {
    const text = normalized.length <= config.maxChars ? normalized : [...normalized].slice(0, config.maxChars).join('');
    return rankTerms(featurize(text), text);
  }

  const index: RowIndex = {
    postStart,
    postDoc,
    postWeight,
    centroidStart,
    centroidLabel,
    centroidWeight,
    common,
    labelRows,
    rowLabel,
    docScore,
    touched,
  };

  function rankTerms(tokens: readonly string[], text: string): LabelScore[] {
    if (tokens.length === 0) return labels.map((label) => ({ label, score: 0 }));
    const q = topTerms(toVector(tokens, true), config.maxQueryTerms);

    nearest(index, q, knn, centroid);
    // The softmax sees only known terms; scale it by their share so gibberish stays low.
    const probs = softmax?.predict(q, classProbs);
    const scores = labels.map((label, l) => {
      const similarity = config.knnWeight * knn[l]! + config.centroidWeight * centroid[l]!;
      const learned = probs ? probs[l]! * q.known : 0;
      return { label, score: (1 - config.softmaxWeight) * similarity + config.softmaxWeight * learned };
    });

    // Code points, counted only for texts that could be short enough for fuse.js.
    const chars = text.length <= 2 * config.fuseMaxChars ? [...text].length : Infinity;
    const strongest = scores.reduce((m, s) => Math.max(m, s.score), 0);
    // fuse.js is for typos: a query that already matches well needs no second opinion.
    if (chars >= config.fuseMinChars && chars <= config.fuseMaxChars && strongest < config.fuseBelow) {
      for (const hit of fuseSearch(text, chars)) {
        const s = (1 - (hit.score ?? 1)) * config.fuseWeight;
        const entry = scores[labelIndex.get(hit.item.label)!];
        if (entry && s > entry.score) entry.score = s;
      }
    }
    for (const s of scores) s.score = Math.min(1, Math.max(0, s.score));
    // Best first, ties by label: an insertion sort of a few dozen labels, without a comparator call
    // per comparison (the order is total, so any correct sort gives this one).
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i]!;
      let j = i - 1;
      while (j >= 0 && (scores[j]!.score < s.score || (scores[j]!.score === s.score && scores[j]!.label > s.label))) {
        scores[j + 1] = scores[j]!;
        j--;
      }
      scores[j + 1] = s;
    }
    return scores;
  }

  const coverage = (terms: readonly string[]) => {
    const distinct = new Set(terms);
    let known = 0;
    for (const t of distinct) if (termId(t) !== undefined) known++;
    return distinct.size ? known / distinct.size : 1;
  };

  return { examples, rank, rankTerms, coverage };
}

/**
 * An example's unit tf-idf vector: its terms [from, to) of `terms` (by number; `vocabOf` gives their
 * vocabulary ids), written at `at` of `ids` and `weights`, distinct terms in order of first
 * appearance; returns where it ends. `count` is all 0 before and after. (A module-level function,
 * called once per example, so it is optimised early and stays so from build to build.)
 */
function unitVector(
  terms: Int32Array,
  from: number,
  to: number,
  vocabOf: Int32Array,
  count: Int32Array,
  termWeight: Float64Array,
  ids: Int32Array,
  weights: Float64Array,
  at: number,
): number {
  let end = at;
  for (let k = from; k < to; k++) {
    const id = vocabOf[terms[k]!]!;
    if (count[id]!++ === 0) ids[end++] = id;
  }
  let norm2 = 0;
  for (let j = at; j < end; j++) {
    const id = ids[j]!;
    const w = count[id]! * termWeight[id]!;
    count[id] = 0;
    weights[j] = w;
    norm2 += w * w;
  }
  const norm = Math.sqrt(norm2) || 1;
  for (let j = at; j < end; j++) weights[j]! /= norm;
  return end;
}

/** Adds the vector [from, to) of `ids` and `weights` into `sum`, listing in `terms` the ids `seen` first here. */
function addToCentroid(ids: Int32Array, weights: Float64Array, from: number, to: number, sum: Float64Array, seen: Uint8Array, terms: number[]): void {
  for (let k = from; k < to; k++) {
    const id = ids[k]!;
    if (!seen[id]) {
      seen[id] = 1;
      terms.push(id);
    }
    sum[id] = sum[id]! + weights[k]!;
  }
}

/** The examples' and centroids' inverted indexes, and the scratch of nearest(). */
interface RowIndex {
  postStart: Int32Array;
  postDoc: Int32Array;
  postWeight: Float64Array;
  centroidStart: Int32Array;
  centroidLabel: Int32Array;
  centroidWeight: Float64Array;
  /** Terms the nearest-example and centroid passes skip. */
  common: Uint8Array;
  /** Each label's stretch of rows, and each row's label. */
  labelRows: Int32Array;
  rowLabel: Int32Array;
  /** Reused from call to call: a score per row (left all 0), the rows a call touched. */
  docScore: Float64Array;
  touched: Int32Array;
}

/**
 * The cosine of query `q` to each label's nearest example (knn) and to its centroid, by label.
 * A term most labels use (微, 怎么, e:platform=wechat) tells labels apart little and costs the
 * longest posting lists: these passes skip it (the softmax keeps it). A query whose other terms
 * reach many rows adds into every row and reads each label's stretch once; one that reaches few
 * keeps a list of the rows it touched. Either way every row's sum is its terms' products added in
 * the query's term order, and the maxima are the same. The arrays are read through locals (and
 * postings two at a time: two different rows) so the loops keep them in registers.
 */
function nearest(index: RowIndex, q: SparseVector, knn: Float64Array, centroid: Float64Array): void {
  const { postStart, postDoc, postWeight, centroidStart, centroidLabel, centroidWeight, common, labelRows, rowLabel, docScore, touched } = index;
  const ids = q.ids;
  const weights = q.weights;
  const size = q.size ?? ids.length;
  const labels = knn.length;
  knn.fill(0);
  centroid.fill(0);
  let reach = 0;
  for (let k = 0; k < size; k++) if (!common[ids[k]!]) reach += postStart[ids[k]! + 1]! - postStart[ids[k]!]!;
  const dense = reach * 4 > docScore.length;
  let touchedCount = 0;
  for (let k = 0; k < size; k++) {
    const id = ids[k]!;
    if (common[id]) continue;
    const w = weights[k]!;
    const end = postStart[id + 1]!;
    if (dense) {
      let j = postStart[id]!;
      for (; j + 1 < end; j += 2) {
        const d0 = postDoc[j]!;
        const d1 = postDoc[j + 1]!;
        docScore[d0] = docScore[d0]! + w * postWeight[j]!;
        docScore[d1] = docScore[d1]! + w * postWeight[j + 1]!;
      }
      if (j < end) docScore[postDoc[j]!] = docScore[postDoc[j]!]! + w * postWeight[j]!;
    } else {
      for (let j = postStart[id]!; j < end; j++) {
        const doc = postDoc[j]!;
        if (docScore[doc] === 0) touched[touchedCount++] = doc;
        docScore[doc] = docScore[doc]! + w * postWeight[j]!;
      }
    }
    for (let j = centroidStart[id]!, stop = centroidStart[id + 1]!; j < stop; j++) centroid[centroidLabel[j]!] = centroid[centroidLabel[j]!]! + w * centroidWeight[j]!;
  }
  if (dense) {
    // Rows the query did not reach hold 0, which no maximum (0 to start with) takes. The rows are
    // only read here, and set back to 0 after by one fill (a memset, cheaper than a store per row).
    for (let l = 0; l < labels; l++) {
      let best = 0;
      for (let doc = labelRows[l]!, end = labelRows[l + 1]!; doc < end; doc++) {
        const score = docScore[doc]!;
        if (score > best) best = score;
      }
      knn[l] = best;
    }
    docScore.fill(0);
  } else {
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i]!;
      const l = rowLabel[doc]!;
      if (docScore[doc]! > knn[l]!) knn[l] = docScore[doc]!;
      docScore[doc] = 0;
    }
  }
}

/**
 * A flat (CSR) inverted index of sparse rows: term t's entries are [start[t], start[t + 1]) of
 * `row` (the row's number) and `weight`, in row order. Row r is the vector order[r], whose entries
 * are [offsets[v], offsets[v + 1]) of `ids` and `weights`.
 */
function invertedIndex(
  terms: number,
  order: Int32Array,
  offsets: Int32Array,
  ids: Int32Array,
  weights: Float64Array,
): { start: Int32Array; row: Int32Array; weight: Float64Array } {
  const start = new Int32Array(terms + 1);
  for (let r = 0; r < order.length; r++) for (let k = offsets[order[r]!]!, end = offsets[order[r]! + 1]!; k < end; k++) start[ids[k]! + 1]!++;
  for (let t = 0; t < terms; t++) start[t + 1]! += start[t]!;
  const row = new Int32Array(start[terms]!);
  const weight = new Float64Array(row.length);
  const fill = start.slice(0, terms);
  for (let r = 0; r < order.length; r++) {
    for (let k = offsets[order[r]!]!, end = offsets[order[r]! + 1]!; k < end; k++) {
      const at = fill[ids[k]!]!++;
      row[at] = r;
      weight[at] = weights[k]!;
    }
  }
  return { start, row, weight };
}
