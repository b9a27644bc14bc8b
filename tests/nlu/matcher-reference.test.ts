import { describe, it, expect } from 'vitest';
import Fuse from 'fuse.js';
import { TfIdf } from 'natural/lib/natural/tfidf/index.js';
import { createMatcher, type Example, type LabelScore, type Matcher, type MatcherOptions } from '../../src/nlu/matcher.js';
import { features } from '../../src/nlu/features.js';
import { matching } from '../../src/nlu/config.js';
import { textKey, trainSoftmax, type SparseVector } from '../../src/nlu/softmax.js';
import { trainingExamples, displayNames } from '../../src/engine/engine.js';
import { realEngine, realKnowledge } from '../helpers.js';

// The matcher's build works on term numbers and works natural's idf out itself: it must score
// every query exactly (bit for bit) as the earlier build below does.
describe('matcher build on term numbers', () => {
  it('scores the held-out style queries as the earlier build does, on the real training data', () => {
    const kb = realKnowledge();
    const nlu = realEngine().nlu;
    const examples = trainingExamples(kb, nlu);
    const names = displayNames(kb, nlu);
    const fast = createMatcher(examples, names, { featurize: nlu.featurize });
    const reference = referenceMatcher(examples, names, { featurize: nlu.featurize });
    const queries = [...examples.filter((_, i) => i % 7 === 0).map((e) => e.text), '实明认证', '微信', 'qq', 'zzz 不知道', '', 'a', '2 3', '𠀀𠀁 实名', '實名', 'ｗｘ'];
    for (const q of queries) expect(fast.rank(q)).toEqual(reference.rank(q));
    for (const q of queries.slice(0, 50)) expect(fast.coverage(nlu.featurize(q))).toBe(reference.coverage(nlu.featurize(q)));
  });

  it('asks natural itself for the terms its documents cannot count', () => {
    // A featurizer whose terms include natural's own field names.
    const featurize = (text: string) => [...features(text), ...(text.includes('a') ? ['__proto__', 'constructor'] : []), ...(text.includes('b') ? ['__key', 'toString'] : [])];
    const ex = (label: string, ...texts: string[]): Example[] => texts.map((text) => ({ label, text }));
    const examples = [...ex('x', 'a 实名', 'ab 解除', '取消 b'), ...ex('y', 'b 注销', 'a 账号'), ...ex('z', '天气', 'ab 电影', '红烧肉')];
    const fast = createMatcher(examples, [], { featurize });
    const reference = referenceMatcher(examples, [], { featurize });
    for (const q of ['a', 'b', 'ab 实名', '注销 a', '天气 b', '取消']) expect(fast.rank(q)).toEqual(reference.rank(q));
  });
});

// --- the earlier implementation, kept as the reference ---
/** Builds the index. `names` are extra short phrasings (display names) per label for fuse.js. */
function referenceMatcher(examples: readonly Example[], names: readonly Example[] = [], options: MatcherOptions = {}): Matcher {
  const config = options.config ?? matching;
  const featurize = options.featurize ?? features;
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const exampleTokens = examples.map((e) => featurize(e.text));
  const docLabel = Int32Array.from(examples, (e) => labelIndex.get(e.label)!);

  // One natural TF-IDF document per label: terms shared by many labels weigh little.
  const tfidf = new TfIdf();
  // idf needs only whether a label uses a term, so each label's document lists its terms once.
  const perLabel = labels.map(() => new Set<string>());
  exampleTokens.forEach((tokens, i) => {
    const set = perLabel[docLabel[i]!]!;
    for (const t of tokens) set.add(t);
  });
  perLabel.forEach((terms, i) => tfidf.addDocument([...terms], labels[i]));

  // Vocabulary in order of first appearance, with the number of labels using each term.
  const vocab = new Map<string, number>();
  const labelsWithTerm: number[] = [];
  const someTermOfCount = new Map<number, string>();
  for (const tokens of perLabel) {
    for (const t of tokens) {
      const id = vocab.get(t);
      if (id === undefined) {
        vocab.set(t, labelsWithTerm.length);
        labelsWithTerm.push(1);
      } else labelsWithTerm[id]!++;
    }
  }
  // idf depends on that number only: natural computes it once per distinct count (at most one per label).
  for (const [t, id] of vocab) if (!someTermOfCount.has(labelsWithTerm[id]!)) someTermOfCount.set(labelsWithTerm[id]!, t);
  const weightOfCount = new Map([...someTermOfCount].map(([n, t]) => [n, Math.max(tfidf.idf(t), 0.05) ** config.idfPower]));
  const termWeight = labelsWithTerm.map((n) => weightOfCount.get(n)!);
  const common = Uint8Array.from(labelsWithTerm, (n) => (n >= config.commonTermLabels * labels.length ? 1 : 0));
  // A term never seen in training weighs like the rarest one, so unknown words pull scores down.
  const unknownWeight = config.unknownWeight * (1 + Math.log(Math.max(labels.length, 1))) ** config.idfPower;

  /** Unit tf-idf vector of tokens; with `countUnknown`, terms not in training count in the norm only. */
  // Term counts of the vector being built, by term id; reset after each use.
  const termCount = new Float64Array(termWeight.length);
  const toVector = (tokens: readonly string[], countUnknown = false): SparseVector & { known: number } => {
    // Distinct terms in order of first appearance: a known term as its id, an unknown one as -1
    // with its count in `unknown` (rare: only query words never seen in training).
    const order: number[] = [];
    const unknown = new Map<string, number>();
    const unknownOrder: string[] = [];
    let known = 0;
    for (const t of tokens) {
      const id = vocab.get(t);
      if (id !== undefined) {
        if (termCount[id]!++ === 0) {
          order.push(id);
          known++;
        }
      } else {
        const n = unknown.get(t) ?? 0;
        if (n === 0) {
          order.push(-1);
          unknownOrder.push(t);
        }
        unknown.set(t, n + 1);
      }
    }
    const ids = new Int32Array(known);
    const weights = new Float64Array(known);
    let norm2 = 0;
    let k = 0;
    let u = 0;
    for (const id of order) {
      if (id >= 0) {
        const w = termCount[id]! * termWeight[id]!;
        termCount[id] = 0;
        ids[k] = id;
        weights[k++] = w;
        norm2 += w * w;
      } else {
        const w = unknown.get(unknownOrder[u++]!)! * unknownWeight;
        if (countUnknown) norm2 += w * w;
      }
    }
    const norm = Math.sqrt(norm2) || 1;
    for (let i = 0; i < known; i++) weights[i]! /= norm;
    return { ids, weights, known: order.length ? known / order.length : 0 };
  };

  const vectors = exampleTokens.map((t) => toVector(t));

  /** Keeps the `max` heaviest terms of a long query (the common ones say least and cost most). */
  const topTerms = <V extends SparseVector>(v: V, max: number): V => {
    if (v.ids.length <= max) return v;
    const order = Array.from(v.ids.keys()).sort((a, b) => v.weights[b]! - v.weights[a]! || v.ids[a]! - v.ids[b]!).slice(0, max);
    return { ...v, ids: Int32Array.from(order, (i) => v.ids[i]!), weights: Float64Array.from(order, (i) => v.weights[i]!) };
  };

  // Label centroids: sums of unit vectors.
  const centroids = labels.map(() => new Map<number, number>());
  vectors.forEach((v, doc) => {
    const centroid = centroids[docLabel[doc]!]!;
    for (let k = 0; k < v.ids.length; k++) centroid.set(v.ids[k]!, (centroid.get(v.ids[k]!) ?? 0) + v.weights[k]!);
  });
  const labelSize = new Float64Array(labels.length);
  for (const l of docLabel) labelSize[l]!++;
  // Inverted indexes, term -> (example, weight) and term -> (label, centroid weight).
  const examplePostings = invertedIndex(termWeight.length, vectors);
  const centroidPostings = invertedIndex(
    termWeight.length,
    centroids.map((c, label) => {
      const norm = Math.sqrt([...c.values()].reduce((s, w) => s + w * w, 0)) || 1;
      // Coherence: the mean cosine of the label's examples to its centroid (|sum| / n for unit
      // vectors). A label of varied phrasings (off-topic chatter) has a weak centroid; dividing by
      // its coherence puts "as close as its own examples are" nearer the same value for every label.
      const coherence = Math.max(norm / Math.max(labelSize[label]!, 1), 0.05) ** config.coherencePower;
      return { ids: [...c.keys()], weights: [...c.values()].map((w) => w / norm / coherence) };
    }),
  );
  const { start: postStart, row: postDoc, weight: postWeight } = examplePostings;
  const { start: centroidStart, row: centroidLabel, weight: centroidWeight } = centroidPostings;

  const softmax =
    config.softmaxWeight > 0
      ? trainSoftmax(vectors, docLabel, labels.length, termWeight.length, {
          epochs: config.softmaxEpochs,
          learningRate: config.softmaxLearningRate,
          keys: Uint32Array.from(examples, (e) => textKey(e.label, e.text)),
        })
      : null;

  // fuse.js over short phrasings only: the typo-prone queries are short, and so is the work.
  // Each query searches only the phrasings it could be a typo of: about its length, sharing most
  // of its characters (a fuse.js index over a few dozen items costs less than a search over all).
  const fuseOptions = { keys: ['text'], includeScore: true, ignoreLocation: true, threshold: config.fuseThreshold };
  const fuseItems = [...examples, ...names].filter((e) => [...e.text].length <= config.fuseMaxChars);
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
    for (const [i, n] of shared) {
      // A typo, not a fragment: "实明认证" ~ "实名认证", but "靠谱吗" is not "代解封靠谱吗".
      if (n >= need && Math.abs(fuseItemLength[i]! - chars) <= 1) near.push(fuseItems[i]!);
    }
    return near.length ? new Fuse(near, fuseOptions).search(text) : [];
  };

  const docScore = new Float64Array(examples.length);
  const touched = new Int32Array(examples.length);

  function rank(normalized: string): LabelScore[] {
    const text = normalized.length <= config.maxChars ? normalized : [...normalized].slice(0, config.maxChars).join('');
    return rankTerms(featurize(text), text);
  }

  function rankTerms(tokens: readonly string[], text: string): LabelScore[] {
    if (tokens.length === 0) return labels.map((label) => ({ label, score: 0 }));
    const q = topTerms(toVector(tokens, true), config.maxQueryTerms);

    const knn = new Float64Array(labels.length);
    const centroid = new Float64Array(labels.length);
    // docScore and touched are reused between calls; only the documents touched here are read and reset.
    let touchedCount = 0;
    for (let k = 0; k < q.ids.length; k++) {
      const id = q.ids[k]!;
      const w = q.weights[k]!;
      // A term most labels use (微, 怎么, e:platform=wechat) tells labels apart little and costs the
      // longest posting lists: the nearest-example and centroid passes skip it (the softmax keeps it).
      if (common[id]) continue;
      for (let j = postStart[id]!, end = postStart[id + 1]!; j < end; j++) {
        const doc = postDoc[j]!;
        if (docScore[doc] === 0) touched[touchedCount++] = doc;
        docScore[doc]! += w * postWeight[j]!;
      }
      for (let j = centroidStart[id]!, end = centroidStart[id + 1]!; j < end; j++) centroid[centroidLabel[j]!]! += w * centroidWeight[j]!;
    }
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i]!;
      const l = docLabel[doc]!;
      if (docScore[doc]! > knn[l]!) knn[l] = docScore[doc]!;
      docScore[doc] = 0;
    }
    // The softmax sees only known terms; scale it by their share so gibberish stays low.
    const probs = softmax?.predict(q);
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
    return scores.sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : 1));
  }

  const coverage = (terms: readonly string[]) => {
    const distinct = new Set(terms);
    let known = 0;
    for (const t of distinct) if (vocab.has(t)) known++;
    return distinct.size ? known / distinct.size : 1;
  };

  return { examples, rank, rankTerms, coverage };
}

/**
 * A flat (CSR) inverted index of sparse rows: term t's entries are
 * [start[t], start[t + 1]) of `row` (the row's number) and `weight`, in row order.
 */
function invertedIndex(
  terms: number,
  rows: readonly { ids: ArrayLike<number>; weights: ArrayLike<number> }[],
): { start: Int32Array; row: Int32Array; weight: Float64Array } {
  const start = new Int32Array(terms + 1);
  for (const r of rows) for (let k = 0; k < r.ids.length; k++) start[r.ids[k]! + 1]!++;
  for (let t = 0; t < terms; t++) start[t + 1]! += start[t]!;
  const row = new Int32Array(start[terms]!);
  const weight = new Float64Array(row.length);
  const fill = start.slice(0, terms);
  rows.forEach((r, i) => {
    for (let k = 0; k < r.ids.length; k++) {
      const at = fill[r.ids[k]!]!++;
      row[at] = i;
      weight[at] = r.weights[k]!;
    }
  });
  return { start, row, weight };
}
