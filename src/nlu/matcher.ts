/**
 * The topic matcher: class-level TF-IDF (natural) over our own token arrays,
 * scored by nearest training utterance and by topic centroid, plus fuse.js for
 * typo-tolerant matching of short queries. Pure: built once from data, no I/O.
 */
import Fuse from 'fuse.js';
import { TfIdf } from 'natural/lib/natural/tfidf/index.js';
import { features } from './features.js';
import { matching, type MatchingConfig } from './config.js';

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

export interface RankOptions {
  /** Index of an example to leave out (leave-one-out evaluation). */
  exclude?: number;
}

export interface Matcher {
  readonly examples: readonly Example[];
  /** Every label with its score, best first. `normalized` must come from normalize(). */
  rank(normalized: string, options?: RankOptions): LabelScore[];
}

interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

/** Builds the index. `names` are extra short phrasings (display names) per label for fuse.js. */
export function createMatcher(
  examples: readonly Example[],
  names: readonly Example[] = [],
  config: MatchingConfig = matching,
): Matcher {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const exampleTokens = examples.map((e) => features(e.text));

  // One natural TF-IDF document per label: terms shared by many labels weigh little.
  const tfidf = new TfIdf();
  const perLabel = labels.map(() => [] as string[]);
  exampleTokens.forEach((tokens, i) => perLabel[labelIndex.get(examples[i]!.label)!]!.push(...tokens));
  perLabel.forEach((tokens, i) => tfidf.addDocument(tokens, labels[i]));

  const vocab = new Map<string, number>();
  const termWeight: number[] = [];
  for (const tokens of perLabel) {
    for (const t of tokens) {
      if (vocab.has(t)) continue;
      vocab.set(t, termWeight.length);
      termWeight.push(Math.max(tfidf.idf(t), 0.05) ** config.idfPower);
    }
  }
  // A term never seen in training weighs like the rarest one, so unknown words pull scores down.
  const unknownWeight = config.unknownWeight * (1 + Math.log(Math.max(labels.length, 1))) ** config.idfPower;

  const toVector = (tokens: string[]): SparseVector => {
    const counts = new Map<number, number>();
    for (const t of tokens) {
      const id = vocab.get(t);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(counts.keys());
    const weights = Float64Array.from(ids, (id) => counts.get(id)! * termWeight[id]!);
    const norm = Math.hypot(...weights) || 1;
    for (let i = 0; i < weights.length; i++) weights[i]! /= norm;
    return { ids, weights };
  };

  const vectors = exampleTokens.map(toVector);
  const docLabel = Int32Array.from(examples, (e) => labelIndex.get(e.label)!);

  // Inverted index over examples, and label centroids (sums of unit vectors).
  const postings: { docs: number[]; weights: number[] }[] = termWeight.map(() => ({ docs: [], weights: [] }));
  const centroids = labels.map(() => new Map<number, number>());
  vectors.forEach((v, doc) => {
    const centroid = centroids[docLabel[doc]!]!;
    for (let k = 0; k < v.ids.length; k++) {
      const id = v.ids[k]!;
      postings[id]!.docs.push(doc);
      postings[id]!.weights.push(v.weights[k]!);
      centroid.set(id, (centroid.get(id) ?? 0) + v.weights[k]!);
    }
  });
  const centroidNorm2 = centroids.map((c) => [...c.values()].reduce((s, w) => s + w * w, 0));
  const centroidPostings: { labels: number[]; weights: number[] }[] = termWeight.map(() => ({ labels: [], weights: [] }));
  centroids.forEach((c, label) => {
    for (const [id, w] of c) {
      centroidPostings[id]!.labels.push(label);
      centroidPostings[id]!.weights.push(w);
    }
  });
  // dot(centroid of own label, example): lets leave-one-out remove an example from its centroid.
  const selfDot = vectors.map((v, doc) => {
    const c = centroids[docLabel[doc]!]!;
    let s = 0;
    for (let k = 0; k < v.ids.length; k++) s += v.weights[k]! * (c.get(v.ids[k]!) ?? 0);
    return s;
  });

  // fuse.js over short phrasings only: the typo-prone queries are short, and so is the work.
  const fuseItems = [...examples, ...names].filter((e) => [...e.text].length <= config.fuseMaxChars);
  const fuse = new Fuse(fuseItems, {
    keys: ['text'],
    includeScore: true,
    ignoreLocation: true,
    threshold: config.fuseThreshold,
  });

  function rank(normalized: string, options: RankOptions = {}): LabelScore[] {
    const text = [...normalized].slice(0, config.maxChars).join('');
    const tokens = features(text);
    if (tokens.length === 0) return labels.map((label) => ({ label, score: 0 }));

    // Query vector; unknown terms count in the norm only.
    const counts = new Map<string, number>();
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    let norm2 = 0;
    const query: [number, number][] = [];
    for (const [t, n] of counts) {
      const id = vocab.get(t);
      const w = n * (id === undefined ? unknownWeight : termWeight[id]!);
      norm2 += w * w;
      if (id !== undefined) query.push([id, w]);
    }
    const qnorm = Math.sqrt(norm2) || 1;

    const docScore = new Float64Array(examples.length);
    const centroidDot = new Float64Array(labels.length);
    for (const [id, w] of query) {
      const p = postings[id]!;
      for (let k = 0; k < p.docs.length; k++) docScore[p.docs[k]!]! += (w / qnorm) * p.weights[k]!;
      const c = centroidPostings[id]!;
      for (let k = 0; k < c.labels.length; k++) centroidDot[c.labels[k]!]! += (w / qnorm) * c.weights[k]!;
    }

    const knn = new Float64Array(labels.length);
    for (let doc = 0; doc < docScore.length; doc++) {
      if (doc === options.exclude) continue;
      const l = docLabel[doc]!;
      if (docScore[doc]! > knn[l]!) knn[l] = docScore[doc]!;
    }
    const scores = labels.map((label, l) => {
      let dot = centroidDot[l]!;
      let n2 = centroidNorm2[l]!;
      if (options.exclude !== undefined && docLabel[options.exclude] === l) {
        dot -= docScore[options.exclude]!;
        n2 += 1 - 2 * selfDot[options.exclude]!;
      }
      const centroid = n2 > 1e-9 ? dot / Math.sqrt(n2) : 0;
      return { label, score: config.knnWeight * knn[l]! + config.centroidWeight * centroid };
    });

    if ([...text].length <= config.fuseMaxChars) {
      const excluded = options.exclude === undefined ? undefined : examples[options.exclude];
      for (const hit of fuse.search(text)) {
        if (hit.item === excluded) continue;
        const s = (1 - (hit.score ?? 1)) * config.fuseWeight;
        const entry = scores[labelIndex.get(hit.item.label)!];
        if (entry && s > entry.score) entry.score = s;
      }
    }
    for (const s of scores) s.score = Math.min(1, Math.max(0, s.score));
    return scores.sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : 1));
  }

  return { examples, rank };
}
