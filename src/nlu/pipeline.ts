/**
 * Understanding one message: a pipeline of small stages over one Parse record,
 * built once per message (like Rasa components over a Message, or NLP.js's
 * prepare pipeline):
 *
 *   normalise -> cues -> lexicon synonyms -> pinyin -> words -> entities -> terms -> facet
 *
 * Training utterances go through the same stages, so a query and the lines it
 * should meet are always prepared alike. Pure: built from the knowledge base.
 */
import type { KnowledgeBase } from '../content/load.js';
import { analyse } from './normalize.js';
import { readCues, type Cues } from './cues.js';
import { createSegmenter, type Segmenter, type Token } from './segment.js';
import { compileLexicon, type CompiledLexicon, type EntityHit } from './lexicon.js';
import { createPinyinConverter, spellsPinyin, type PinyinConverter } from './pinyin.js';
import { addTerm, characterTerms, emptyTerms, entityFeature, hanLength, unmasked, type Terms } from './features.js';
import { createFacetDetector, type FacetDetector, type FacetHit } from './facets.js';
import { matching } from './config.js';

const HAN_SPACE_RE = /(\p{Script=Han})\s+(?=\p{Script=Han})/gu;
/** Drops the spaces between Han characters (text without whitespace has none to drop). */
const joinHan = (text: string) => (/\s/.test(text) ? text.replace(HAN_SPACE_RE, '$1') : text);
const HAN_RE = /\p{Script=Han}/u;
const LATIN_WORD_RE = /[a-z]+/g;
/** Question words a facet phrase may hold around a verb ("怎么撤销", "能撤销吗"). */
const FACET_FILLER = new Set([...'怎么能可以吗呢要如何该']);

export interface Parse {
  /** The text as matched: normalised, synonyms canonical, pinyin rewritten, fillers out. */
  text: string;
  /** Written in Traditional characters (replies follow). */
  traditional: boolean;
  /** Contains Han characters at all. */
  han: boolean;
  cues: Cues;
  /** Words with their spans in `text`. */
  tokens: Token[];
  /** Lexicon entities named, with spans in `text`. */
  entities: EntityHit[];
  /** Every term of `text`, with spans. */
  terms: Terms;
  /** A follow-up facet phrase ("要多久"), and the positions of `text` it covers. */
  facet: (FacetHit & { mask: Uint8Array }) | null;
}

export interface Nlu {
  readonly lexicon: CompiledLexicon;
  /** One Parse per message. `input` is the user's text (sensitive data already redacted). */
  parse(input: string): Parse;
  /** A training utterance (or any curated text) prepared like a message's `text`. */
  prepare(text: string): string;
  /** Terms of prepared text (the matcher's featurizer). */
  featurize(prepared: string): string[];
  /** Terms of a parse, without those the facet phrase covers. */
  withoutFacet(parse: Parse): string[];
  /** The facet of a facet phrase in prepared text (facet phrases, section retrieval). */
  detectFacet(prepared: string): FacetHit | null;
  /** Ends the build: segmentations cached while training texts were prepared are dropped. */
  endBuild(): void;
}

/** Options of createNlu(): the lexicon, facet phrases and reject phrases come from the knowledge base. */
export function createNlu(kb: KnowledgeBase): Nlu {
  const lexicon = compileLexicon(kb.lexicon);
  const segmenter: Segmenter = createSegmenter(lexicon.hanForms);
  const baseOf = (text: string) => lexicon.canonical(analyse(text).normalized);
  // While the index is built, a text's normalised form is made once: the training texts are
  // normalised to learn the known words, then again to be prepared.
  const baseCache = new Map<string, string>();
  let base = (text: string) => {
    let b = baseCache.get(text);
    if (b === undefined) baseCache.set(text, (b = baseOf(text)));
    return b;
  };

  // Words the training data uses: what pinyin may be rewritten to.
  const trainingTexts = [
    ...kb.topics.flatMap((t) => [...t.utterances, ...t.refusals]),
    ...kb.smalltalk.flatMap((s) => s.utterances),
    ...kb.offTopic,
  ];
  // While the index is built, each training text is segmented once (the texts are cut again after pinyin).
  // Kept as the tokens' spans only (one small array per text, not an object and a string per
  // token): what the build keeps alive until it ends is what the garbage collector copies.
  const buildCache = new Map<string, Int32Array>();
  const cutCached = (text: string): Token[] => {
    const spans = buildCache.get(text);
    if (spans) {
      const tokens: Token[] = [];
      for (let k = 0; k < spans.length; k += 2) tokens.push({ text: text.slice(spans[k]!, spans[k + 1]!), start: spans[k]!, end: spans[k + 1]! });
      return tokens;
    }
    const tokens = segmenter.cut(text);
    const kept = new Int32Array(2 * tokens.length);
    tokens.forEach((t, k) => {
      kept[2 * k] = t.start;
      kept[2 * k + 1] = t.end;
    });
    buildCache.set(text, kept);
    return tokens;
  };
  let cut = cutCached;
  const known = new Set<string>();
  const charCount = new Map<string, number>();
  for (let i = 0; i < trainingTexts.length; i++) {
    const tokens = cut(base(trainingTexts[i]!));
    for (let k = 0; k < tokens.length; k++) {
      const tok = tokens[k]!;
      const han = hanLength(tok.text);
      if (han >= 2) known.add(tok.text);
      else if (han === 1) charCount.set(tok.text, (charCount.get(tok.text) ?? 0) + 1);
    }
  }
  // English words that spell pinyin ("name", "delete"): from lines with a word that is no pinyin
  // (English lines), less the words of lines all of whose Latin words are pinyin (pinyin lines).
  const inEnglish = new Set<string>();
  const inPinyin = new Set<string>();
  for (const text of trainingTexts) {
    const latin = base(text).match(LATIN_WORD_RE);
    if (!latin) continue;
    const english = latin.some((w) => !spellsPinyin(w));
    for (const w of latin) if (spellsPinyin(w)) (english ? inEnglish : inPinyin).add(w);
  }
  const pinyin: PinyinConverter = createPinyinConverter({
    englishWords: [...inEnglish].filter((w) => !inPinyin.has(w)).sort(),
    domainWords: lexicon.hanForms,
    isWord: (w) => segmenter.isWord(w),
    knownWords: [...known].sort(),
    // Single characters the training data uses as words, most used first ("bu" is 不).
    knownChars: [...charCount].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c),
  });

  const finish = (normalized: string) => joinHan(pinyin.rewrite(lexicon.canonical(normalized)));
  // finish(analyse(text).normalized), from the normalised form: the same steps in the same order.
  const prepareOf = (text: string) => joinHan(pinyin.rewrite(base(text)));
  // While the index is built, a curated text is prepared once: the facet phrases and the follow-up
  // examples are read by more than one index (facet detector, facet matcher, section index).
  const preparedCache = new Map<string, string>();
  let prepare = (text: string) => {
    let p = preparedCache.get(text);
    if (p === undefined) preparedCache.set(text, (p = prepareOf(text)));
    return p;
  };

  const facets: FacetDetector = createFacetDetector(
    kb.facets.flatMap((f) => f.utterances.map((u) => ({ facet: f.id, text: prepare(u) }))),
  );
  const rejectPhrases = kb.control.reject.map((r) => analyse(r).clean.replace(/\s+/g, '')).filter(Boolean);

  // Word and entity terms are made once per word and per value and reused: the same string object
  // each time, so the Maps that look terms up (the matcher's, the sections') find them at once.
  const wordTerms = new Map<string, string>();
  const wordTerm = (word: string) => {
    let term = wordTerms.get(word);
    if (term === undefined) {
      // Bounded: arbitrary text must not grow it forever.
      if (wordTerms.size >= 50_000) wordTerms.clear();
      wordTerms.set(word, (term = 'j:' + word));
    }
    return term;
  };
  const entityTerms = new Map<string, Map<string, string>>();
  const entityTerm = (type: string, value: string) => {
    let byValue = entityTerms.get(type);
    if (!byValue) entityTerms.set(type, (byValue = new Map()));
    let term = byValue.get(value);
    if (term === undefined) byValue.set(value, (term = entityFeature(type, value)));
    return term;
  };

  // featurize() wants the terms only: their spans go to these arrays, emptied and reused.
  const spanStarts: number[] = [];
  const spanEnds: number[] = [];

  function termsOf(text: string, spans = true): { terms: Terms; tokens: Token[]; entities: EntityHit[] } {
    const tokens = cut(text);
    if (!spans) spanStarts.length = spanEnds.length = 0;
    const terms = characterTerms(text, spans ? emptyTerms() : { terms: [], starts: spanStarts, ends: spanEnds });
    for (const tok of tokens) if (hanLength(tok.text) >= 2) addTerm(terms, wordTerm(tok.text), tok.start, tok.end);
    const entities = lexicon.tag(tokens, text);
    for (const e of entities) {
      // A value named only inside a longer form (verification in "real name verification") adds no feature.
      if (e.nested) continue;
      // The canonical value, weighted like a word: "作废" counts like "注销".
      addTerm(terms, entityTerm(e.type, e.value), e.start, e.end);
    }
    return { terms, tokens, entities };
  }

  function maskOf(text: string, phrase: string): Uint8Array {
    const mask = new Uint8Array(text.length);
    const at = text.indexOf(phrase);
    if (at >= 0) mask.fill(1, at, at + phrase.length);
    else {
      const chars = new Set(phrase);
      for (let i = 0; i < text.length; i++) if (chars.has(text[i]!)) mask[i] = 1;
    }
    return mask;
  }

  const featurizeOf = (prepared: string) => termsOf(prepared, false).terms.terms;
  // While the index is built, a prepared text is featurised once: the section sentences are read
  // by the facet matcher and by the section index.
  const featureCache = new Map<string, string[]>();
  let featurize = (prepared: string) => {
    let terms = featureCache.get(prepared);
    if (terms === undefined) featureCache.set(prepared, (terms = featurizeOf(prepared)));
    return terms;
  };

  const nlu: Nlu = {
    lexicon,
    prepare: (text) => prepare(text),
    featurize: (prepared) => featurize(prepared),
    detectFacet: (prepared) => facets.detect(prepared),
    parse(input) {
      const a = analyse(input);
      const cues = readCues(a.clean, rejectPhrases);
      const full = finish(a.normalized);
      const text = full.length <= matching.maxChars ? full : [...full].slice(0, matching.maxChars).join('');
      const { terms, tokens, entities } = termsOf(text);
      // The facet phrases are made of character terms: the message's own, made once above.
      const found = text ? facets.detectTerms(terms.terms) : null;
      const mask = found ? maskOf(text, found.phrase) : null;
      // A "facet phrase" that is the question's own verb ("怎么撤销" in 「微信的身份绑定怎么撤销」: an
      // action of the lexicon, in a question that names its object) asks no facet.
      // ... unless the question has a verb of its own outside the phrase ("实名解除了能撤销吗": undoing it).
      const inMask = (e: EntityHit) => !!mask && mask.subarray(e.start, e.end).includes(1);
      // Whether position i is inside an entity that is (or is not) an action.
      const inEntity = (i: number, action: boolean) => entities.some((e) => !e.nested && (e.type === 'action') === action && i >= e.start && i < e.end);
      const verbOnly =
        !!mask &&
        entities.some((e) => !e.nested && e.type !== 'action') &&
        !entities.some((e) => !e.nested && e.type === 'action' && !inMask(e)) &&
        [...mask.keys()].every((i) => !mask[i] || /\s/.test(text[i]!) || FACET_FILLER.has(text[i]!) || inEntity(i, true));
      // Nor does one that is only the thing the question's own verb acts on ("phone number" in "how do I
      // change my phone number": the object of 换, no request for a number to call).
      const objectOnly =
        !!mask &&
        entities.some((e) => !e.nested && e.type !== 'action' && inMask(e)) &&
        entities.some((e) => !e.nested && e.type === 'action' && !inMask(e)) &&
        [...mask.keys()].every((i) => !mask[i] || /\s/.test(text[i]!) || FACET_FILLER.has(text[i]!) || inEntity(i, false));
      const hit = found && !verbOnly && !objectOnly ? found : null;
      return {
        text,
        traditional: a.traditional,
        han: HAN_RE.test(input),
        cues,
        tokens,
        entities,
        terms,
        facet: hit && mask ? { ...hit, mask } : null,
      };
    },
    withoutFacet: (p) => (p.facet ? unmasked(p.terms, p.facet.mask) : p.terms.terms),
    endBuild: () => {
      buildCache.clear();
      cut = (text) => segmenter.cut(text);
      baseCache.clear();
      base = baseOf;
      preparedCache.clear();
      prepare = prepareOf;
      featureCache.clear();
      featurize = featurizeOf;
    },
  };
  return nlu;
}
