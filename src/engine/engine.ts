/**
 * The dialogue engine: `respond(session, input) -> { reply, session }`.
 * Pure and deterministic: no I/O, the clock is an argument, and nothing
 * about any topic is written here — it all comes from the KnowledgeBase.
 */
import type { KnowledgeBase, Topic } from '../content/load.js';
import { scanSensitive } from '../nlu/sensitive.js';
import { createMatcher, type Example, type LabelScore, type Matcher } from '../nlu/matcher.js';
import { createNlu, type Nlu, type Parse } from '../nlu/pipeline.js';
import { entityFeature, unmasked } from '../nlu/features.js';
import { LEADING_NA_RE } from '../nlu/normalize.js';
import { ANAPHORA_ALL_RE } from '../nlu/cues.js';
import { createSectionIndex, sentences, type SectionIndex } from '../nlu/sections.js';
import { parseChoice } from '../nlu/choice.js';
import { clauses } from '../nlu/clauses.js';
import { matching, dialogue } from '../nlu/config.js';
import { createComposer, traditionalReply, type Composer } from './compose.js';
import { initialState, migrate, type DialogueState, type Frame, type OfferItem } from './state.js';
import { entityMap, entityText, fillFrame, inScopeTopic, requiredFeatures, requirementGate, routeFor, routeOf } from './resolve.js';
import type { Candidate, Facet, Input, Reply, RespondResult } from './types.js';

/** The label of off-topic training examples. */
export const OUT_OF_SCOPE = 'oos';
/** Suffix of the label of a topic's refusal examples ("帮我绕过实名"). */
const REFUSAL = '!refusal';

export interface EngineOptions {
  /** Follow-up context expires after this many idle minutes (default 30). */
  contextTtlMinutes?: number;
}

export interface Engine {
  /** One turn: the state before (any stored version, or none), the input, the time. Pure. */
  respond(state: unknown, input: Input, now?: number): RespondResult;
  welcome(): Reply;
  topicsMenu(): Reply;
  /** Topic ids and display names, in file order. */
  readonly topics: readonly { id: string; name: string }[];
  /** True for a topic id or a small-talk id the engine can answer. */
  knows(id: string): boolean;
  /** Idle time after which a session's context is forgotten. */
  readonly contextTtlMs: number;
  readonly matcher: Matcher;
  readonly nlu: Nlu;
  /** Which section of a topic a detail question asks about. */
  readonly sections: SectionIndex;
}

/** The first and last `max / 2` characters of a long text (code points), joined by a space. */
export function headAndTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = max / 2;
  // Cut by code points without spreading a long text into an array: walk half of them from each end.
  let head = 0;
  for (let n = 0; n < half && head < text.length; n++) head += isHighSurrogateAt(text, head) ? 2 : 1;
  let tail = text.length;
  for (let n = 0; n < half && tail > head; n++) tail -= isLowSurrogateAt(text, tail - 1) && isHighSurrogateAt(text, tail - 2) ? 2 : 1;
  if (tail <= head) return text;
  return text.slice(0, head) + ' ' + text.slice(tail);
}

const isHighSurrogateAt = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogateAt(s, i + 1);
};
const isLowSurrogateAt = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
};

/**
 * How long a fragment is, in Chinese characters: a Latin word counts as two ("what about wechat pay"
 * is as short as "那微信支付呢"), so English turns are elliptical by the same measure.
 */
export function fragmentLength(text: string): number {
  const words = text.match(/[a-z0-9]+/gi) ?? [];
  return [...text.replace(/[a-z0-9]+/gi, '').replace(/\s/g, '')].length + 2 * words.length;
}

/** Training examples of every label, prepared by `nlu` (the matcher's input and the check's LOO set). */
export function trainingExamples(kb: KnowledgeBase, nlu: Nlu): Example[] {
  const out: Example[] = [];
  const add = (label: string, texts: readonly string[]) => {
    for (const t of texts) {
      const text = nlu.prepare(t);
      if (text) out.push({ label, text });
    }
  };
  for (const t of kb.topics) {
    add(t.id, t.utterances);
    add(t.id + REFUSAL, t.refusals);
  }
  for (const s of kb.smalltalk) add(s.id, s.utterances);
  add(OUT_OF_SCOPE, kb.offTopic);
  return out;
}

/** Topic display names, prepared: extra short phrasings for typo-tolerant matching. */
export const displayNames = (kb: KnowledgeBase, nlu: Nlu): Example[] => kb.topics.map((t) => ({ label: t.id, text: nlu.prepare(t.name) }));

/** The matcher over `examples` (default: all of the knowledge base's), featurised by `nlu`. */
export const createTopicMatcher = (kb: KnowledgeBase, nlu: Nlu, examples: readonly Example[] = trainingExamples(kb, nlu)): Matcher =>
  createMatcher(examples, displayNames(kb, nlu), { featurize: nlu.featurize });

/** The topic (or meta.* id, or 'oos') a matcher label stands for. */
export const labelTopic = (label: string): string => (label.endsWith(REFUSAL) ? label.slice(0, -REFUSAL.length) : label);

/** Merges labels into topic candidates (a topic and its refusals are one candidate). */
export function toCandidates(ranking: readonly LabelScore[]): (Candidate & { label: string })[] {
  const seen = new Set<string>();
  const out: (Candidate & { label: string })[] = [];
  for (const r of ranking) {
    const topic = labelTopic(r.label);
    if (seen.has(topic)) continue;
    seen.add(topic);
    out.push({ topic, score: r.score, label: r.label });
  }
  return out;
}

type Ranked = (Candidate & { label: string })[];

/** What the engine decided to do with a turn. */
export type Action =
  | { do: 'answer'; topic: string; facet: Facet | null; confidence: number; candidates: Ranked; refusal: boolean; entities: Record<string, string> }
  | { do: 'followup'; topic: string; facet: Facet; confidence: number }
  | { do: 'clarify'; candidates: Candidate[]; intro?: string }
  | { do: 'alternatives' }
  | { do: 'which-part'; topic: string; /** A facet the turn asked that the topic has no section for. */ missing?: Facet }
  | { do: 'fallback'; confidence: number; intro?: string }
  | { do: 'smalltalk'; id: string; confidence: number };

export function createEngine(kb: KnowledgeBase, options: EngineOptions = {}): Engine {
  const ttlMs = (options.contextTtlMinutes ?? dialogue.contextTtlMinutes) * 60_000;
  const topics = new Map<string, Topic>(kb.topics.map((t) => [t.id, t]));
  const nlu = createNlu(kb);
  const examples = trainingExamples(kb, nlu);
  const matcher = createTopicMatcher(kb, nlu, examples);
  const sectionDocs = kb.topics.flatMap((t) =>
    [...t.content.sections].map(([facet, blocks]) => ({ topic: t.id, facet, blocks, examples: t.followups[facet] ?? [] })),
  );
  // Which facet a question reads like, whatever the topic: the facet phrasings, every section's
  // sentences and the follow-up questions curators listed for it.
  const facetMatcher = createMatcher(
    [
      ...kb.facets.flatMap((f) => f.utterances.map((u) => ({ label: f.id, text: nlu.prepare(u) }))),
      ...sectionDocs.flatMap((d) =>
        [...sentences(d.blocks), ...d.examples]
          .map((line) => ({ label: d.facet, text: nlu.prepare(line) }))
          .filter((e) => e.text),
      ),
    ],
    [],
    { featurize: nlu.featurize, config: { ...matching, softmaxEpochs: dialogue.facetSoftmaxEpochs } },
  );
  const sections: SectionIndex = createSectionIndex(
    sectionDocs,
    (text) => nlu.featurize(nlu.prepare(text)),
    (terms) => new Map(facetMatcher.rankTerms(terms, '').map((r) => [r.label, r.score])),
    { score: dialogue.sectionPriorWeight, explained: dialogue.sectionOrderPriorExplained, unexplained: dialogue.sectionOrderPriorUnexplained },
    dialogue.sectionExplainedAbove,
  );
  // The lexicon values each topic's own text names (its sections), and how many topics name each:
  // a thing only some topics talk about, asked about while one of them is live, is asked of it.
  // (Read from the sentences' terms, made once for the section index above.)
  const mentions = new Map<string, Set<string>>();
  for (const d of sectionDocs) {
    const values = mentions.get(d.topic) ?? new Set<string>();
    mentions.set(d.topic, values);
    for (const line of sentences(d.blocks)) for (const f of nlu.featurize(nlu.prepare(line))) if (f.startsWith('e:')) values.add(f);
  }
  // Topics whose training lines nearly all name an action (deleting the account, unbinding a card):
  // a turn that names none asks no such topic's matter on a thing alone ("他自己没银行卡的").
  // ... and how many of each topic's lines name each action.
  const withoutAction = new Map<string, { none: number; all: number; actions: Map<string, number> }>();
  for (const e of examples) {
    const count = withoutAction.get(e.label) ?? { none: 0, all: 0, actions: new Map<string, number>() };
    withoutAction.set(e.label, count);
    count.all++;
    const actions = new Set(nlu.featurize(e.text).filter((f) => f.startsWith('e:action=')));
    if (!actions.size) count.none++;
    for (const a of actions) count.actions.set(a, (count.actions.get(a) ?? 0) + 1);
  }
  /** Whether the action is part of the topic's matter: enough of its training lines name it. */
  const ownsAction = (topic: string, action: string) => {
    const count = withoutAction.get(topic);
    return !!count && (count.actions.get(entityFeature('action', action)) ?? 0) >= dialogue.ownActionShare * count.all;
  };
  const needsAction = (topic: string) => {
    const count = withoutAction.get(topic);
    return !!count && count.none <= dialogue.actionTopicWithoutActionAtMost * count.all;
  };
  const mentionedBy = new Map<string, number>();
  for (const values of mentions.values()) for (const v of values) mentionedBy.set(v, (mentionedBy.get(v) ?? 0) + 1);
  nlu.endBuild();
  const composer: Composer = createComposer(kb);
  const isTopic = (id: string | undefined | null): id is string => !!id && topics.has(id);
  const isSmalltalk = (id: string) => kb.smalltalk.some((s) => s.id === id);
  const topicNames = (items: readonly OfferItem[]) => items.map((o) => nlu.prepare(topics.get(o.topic)?.name ?? o.topic));

  const round = (n: number) => Math.round(n * 1000) / 1000;
  /** Words that insist on a question asked again ("微信实名到底怎么解除"). */
  const INSISTING_RE = /到底|究竟|具体|一下|请问|我想问|还是/gu;
  /** Words that speak to the bot itself ("用你要钱吗", "这个机器人收费吗", "is this bot free"). */
  const ADDRESSES_BOT_RE = /[你您]|机器人|助手|\b(?:you|bot|chatbot)\b/u;
  /**
   * The lexicon values each small-talk id's own lines name without speaking to the bot ("转人工" names
   * 人工 and asks for a person): a first question that reads as that small talk but names another
   * value, and does not speak to the bot, asks about the matter ("微信怎么转人工": WeChat's own service).
   */
  const smalltalkValues = new Map<string, Set<string>>();
  for (const st of kb.smalltalk) {
    const values = new Set<string>();
    for (const u of st.utterances) {
      const p = nlu.parse(u);
      if (!ADDRESSES_BOT_RE.test(p.text)) for (const e of p.entities) if (!e.nested) values.add(`${e.type}=${e.value}`);
    }
    smalltalkValues.set(st.id, values);
  }
  /**
   * The value of a type all of whose other values route elsewhere (the one platform with no route:
   * WeChat, the platform this bot is about). Named alone, it asks nothing.
   */
  const homeValues = new Set(
    kb.lexicon.entities
      .filter((e) => !e.route && kb.lexicon.entities.some((o) => o.type === e.type && o.route) && kb.lexicon.entities.every((o) => o.type !== e.type || o === e || o.route))
      .map((e) => `${e.type}=${e.value}`),
  );
  /** A message that names the home value and nothing else, but courtesies and question words. */
  const namesOnlyHome = (p: Parse) => {
    const own = p.entities.filter((e) => !e.nested);
    if (!own.length || p.facet || !own.every((e) => homeValues.has(`${e.type}=${e.value}`))) return false;
    const mask = asideMask(p).slice();
    for (const e of own) mask.fill(1, e.start, e.end);
    return charsOutside(p, mask, FILLER_OR_SPACE_RE) === 0;
  };
  /** Question and function words: a turn of these alone names no matter (namesNothing). */
  const FUNCTION_WORDS = new Set(
    '为什么 为啥 为何 凭什么 凭 什么 啥 怎么 怎么办 怎么样 怎样 咋 咋办 如何 不行 行 行不行 可以 不可以 可不可以 能 不能 能不能 会 不会 会不会 要 不要 是 不是 是不是 吗 呢 吧 啊 呀 哦 了 的 这样 那样 这 那 这个 那个 真的 真 假的 然后 还 也 都 就 又 非 非要 一定 必须 why what how not really so then ok'.split(' '),
  );
  /** Pronouns for a thing, not a person ("能删掉它吗", "can I delete it"). */
  const THING_PRONOUN_RE = /它|这个|那个|这些|那些|\b(?:it|this|that)\b/u;
  /**
   * Words that point at a thing or person the conversation named, not the user's own ("那个号", "他那个号",
   * "her account"); and those that make it the user's own ("我自己这个号", "我那张卡": another matter).
   */
  const THAT_THING_RE = /那个|那张|那些|他那|她那|他的|她的|他们的|\b(?:her|his|their)\b/u;
  const OWN_THING_RE = /我自己|我的|我这|我那|自己的|\bmy\b/u;
  /** Words that ask whether something can be done ("能解封吗", "可以改吗", "can I check"). */
  const MODAL_RE = /能不能|可不可以|能否|可以|能|行不行|是否|\b(?:can|could|is it possible to)\b/u;
  /** Words that ask how ("怎么查", "how do I check"). */
  const ASKS_HOW_RE = /怎么|如何|\bhow\b/u;
  /** The modal and how-words, and English pronouns and auxiliaries around them: nothing asked beyond the action. */
  const ASKS_DOING_ALL_RE = new RegExp(`${MODAL_RE.source}|\\b(?:how|do|does|did|i|we|it|is|to|the|my|should|will|would|just)\\b`, 'gu');
  /** Words a question is asked with, around what it asks about. */
  const QUESTION_FILLER = new Set([...'怎么能可以吗呢要如何该去哪里儿是的了么啥什']);
  /** Spaces, question words and a few more words a request is put with (需要, 请问, 还得, 会): one character at a time. */
  const FILLER_OR_SPACE_RE = new RegExp(`[\\s${[...QUESTION_FILLER].join('')}需请问还会得]`, 'u');
  // A topic that requires lexicon values (`requires:` in intents/<id>.yaml) is a candidate only for
  // terms that name one of them, or while it is the live topic (the conversation named it).
  const gate = requirementGate(kb.topics);
  const requiredOf = new Map(kb.topics.filter((t) => t.requires.length).map((t) => [t.id, requiredFeatures(t.requires)]));
  /** Off-topic by a hair, for a question that names what the bot is about: its best topic (else null). */
  const inScope = (ranked: Ranked, p: Parse) =>
    inScopeTopic(nlu.lexicon, ranked, p.entities, isTopic, { margin: matching.inScopeMargin, above: matching.inScopeAbove }, OUT_OF_SCOPE);
  const rank = (terms: readonly string[], text: string, live: string | null = null): Ranked =>
    gate(toCandidates(matcher.rankTerms(terms, text)), terms, live);

  // --- named predicates of the policy

  /**
   * A request to evade real-name is refused -- not a question about what doing so leads to
   * ("借身份证给别人实名会怎样" asks the consequences: the topic is answered plainly, with them).
   */
  const ASKS_ABOUT = new Set<string>(['consequences', 'risks']);
  const isRefusal = (best: Ranked[number], p: Parse) =>
    best.label !== best.topic && best.score >= dialogue.refusalAbove && !(p.facet && ASKS_ABOUT.has(p.facet.facet));

  /** Out of scope, or nothing scores high enough. */
  const isOutOfScope = (best: Candidate) => best.topic === OUT_OF_SCOPE || best.score < matching.fallbackBelow;
  /** The best topic and the runner-ups too close to it to choose. */
  const tooClose = (ranked: Ranked) => {
    const best = ranked[0]!;
    return ranked.filter((c) => isTopic(c.topic) && best.score - c.score < matching.clarifyMargin).slice(0, matching.maxCandidates);
  };
  /** A clear topic: above the switch threshold and ahead of the next by the clarify margin. */
  const namesTopicStrongly = (ranked: Ranked) => {
    const [first, second] = ranked;
    return (
      !!first &&
      isTopic(first.topic) &&
      first.score >= matching.switchTopicAbove &&
      first.score - (second?.score ?? 0) >= matching.clarifyMargin
    );
  };
  /**
   * A route ("微博号怎么注销" -> other.platforms) applies unless the message is confidently off-topic
   * ("淘宝买的东西怎么退货") or confidently another topic ("淘宝上卖的代解除实名是骗局吗").
   */
  const route = (best: Candidate, hits: Parse['entities']) =>
    routeFor(nlu.lexicon, best, hits, { offTopicAbove: dialogue.routeUnlessOffTopicAbove, topicAbove: dialogue.routeUnlessTopicAbove }, OUT_OF_SCOPE);
  /** "那微信的呢", "换成抖音呢", "只关零钱通行不行": a linking word or a trailing 呢 on a short fragment. */
  const isElliptical = (p: Parse) => (p.cues.linking || p.cues.trailingNe) && !p.cues.anaphora && fragmentLength(p.text) <= dialogue.ellipsisMaxChars;

  function respond(previous: unknown, input: Input, now = Date.now()): RespondResult {
    const stored = previous ? migrate(previous) : undefined;
    const expired = !stored || now - stored.lastTurnAt > ttlMs;
    const state: DialogueState = expired ? initialState() : stored;
    const script = state.script;

    if (typeof input !== 'string') {
      const result = perform(pickAction(input), { ...state, lastTurnAt: now });
      return script === 'traditional' ? { ...result, reply: traditionalReply(result.reply) } : result;
    }

    // Sensitive data is looked for in a generous prefix; matching reads the head and tail only.
    const scan = scanSensitive(input.slice(0, 20 * matching.maxChars));
    const read = headAndTail(scan.redacted, matching.maxChars);
    const parse = withoutAsides(nlu.parse(read));
    // Remember the user's script for replies to pressed buttons; text without Han keeps the last one.
    const nextScript = parse.traditional ? 'traditional' : parse.han ? undefined : script;
    const base: DialogueState = { ...state, lastTurnAt: now };
    if (nextScript) base.script = nextScript;
    else delete base.script;

    const decided = decide(parse, base, read);
    const { candidates } = decided;
    // Two messages in a row the bot could not place, both leaning to one topic: that topic.
    const leaning = leaningTopic(candidates);
    let action = decided.action;
    if (action.do === 'fallback' && leaning && leaning === base.lean) {
      action = answerAction(leaning, (parse.facet?.facet ?? null) as Facet | null, candidates.find((c) => c.topic === leaning)!.score, candidates, entityMap(parse.entities));
    }
    delete base.lean;
    const result = perform(action, base, candidates);
    if (action.do === 'fallback' && leaning) result.session.lean = leaning;
    let reply = result.reply;
    if (scan.kinds.length > 0) reply = { ...reply, blocks: [{ type: 'warning', text: kb.ui.sensitive_warning }, ...reply.blocks] };
    if (parse.traditional) reply = traditionalReply(reply);
    return { ...result, reply };
  }

  /** The text outside `mask` (masked positions as spaces). */
  const textOutside = (p: Parse, mask: ArrayLike<number>) => {
    let out = '';
    for (let i = 0; i < p.text.length; i++) out += mask[i] ? ' ' : p.text[i];
    return out;
  };
  /**
   * A facet phrase asked of the bot itself: the rest of the turn speaks to it ("用你要钱吗", "这个机器人
   * 收费吗"), or the turn is courtesies alone ("thank you so much"). A bare "要钱吗" is asked of the matter.
   */
  const askedOfBot = (p: Parse) => !!p.facet && (p.cues.bare || ADDRESSES_BOT_RE.test(textOutside(p, p.facet.mask)));
  /** Characters (code units) of the text outside its facet phrase. */
  const unmaskedChars = (p: Parse) => charsOutside(p, p.facet?.mask);
  /** Characters (code units) of the text outside `mask` that are not spaces (nor, with `skip`, those characters). */
  const charsOutside = (p: Parse, mask: ArrayLike<number> | undefined, skip = /\s/u) => {
    let n = 0;
    for (let i = 0; i < p.text.length; i++) if (!mask?.[i] && !skip.test(p.text[i]!)) n++;
    return n;
  };

  /**
   * Positions of the words around the question that are no content (courtesies and shift words
   * before it, "谢谢,另外"; courtesies after it, "…谢谢了"): masked when the rest says something (a
   * message of courtesies alone is small talk). Read-only; made once per parse.
   */
  const asideMemo = new WeakMap<Parse, Uint8Array>();
  function asideMask(p: Parse): Uint8Array {
    const known = asideMemo.get(p);
    if (known) return known;
    const mask = new Uint8Array(p.text.length);
    asideMemo.set(p, mask);
    const lead = p.cues.lead ? nlu.prepare(p.cues.lead) : '';
    const tail = p.cues.tail ? nlu.prepare(p.cues.tail) : '';
    let start = lead && p.text.startsWith(lead) ? lead.length : 0;
    // "谢谢,那只注销支付呢": the 那 after the courtesies links, as it would at the start (where normalising drops it).
    if (start) start += LEADING_NA_RE.exec(p.text.slice(start))?.[0].length ?? 0;
    const end = tail && p.text.endsWith(tail) && p.text.length - tail.length >= start ? p.text.length - tail.length : p.text.length;
    if ((start || end < p.text.length) && [...p.text.slice(start, end).replace(/\s/g, '')].length >= dialogue.leadRestChars) {
      mask.fill(1, 0, start);
      mask.fill(1, end);
    }
    return mask;
  }

  /**
   * The ranking of a parse without its courtesies, when that names a topic or small talk
   * ("谢谢,怎么注销微信号", "谢谢,我要找人工") or, inside a conversation, whatever it reads as
   * ("谢谢,收藏的东西还找得回来吗" is a follow-up); otherwise of the whole ("hey, anybody here?" greets).
   */
  function rankContent(p: Parse, live: string | null): Ranked {
    const whole = rank(p.terms.terms, p.text, live);
    const terms = contentTerms(p);
    if (terms === p.terms.terms) return whole;
    const content = rank(terms, p.text, live);
    const first = content[0];
    // Off-topic content is read as a whole, courtesies included ("hey, anybody here?" greets) -- but not
    // when the small talk the whole reads as comes from the courtesies alone (the content does not even
    // lean to it: "提示证件已过期,零钱提现不了,怎么办?谢谢了!" is no thank-you), nor when the content
    // names what the bot is about and reads as off-topic by a hair (it is that topic).
    const onlyTheAside = isSmalltalk(whole[0]!.topic) && (content.find((c) => c.topic === whole[0]!.topic)?.score ?? 0) < dialogue.leanAbove;
    return first && (first.topic !== OUT_OF_SCOPE || live || onlyTheAside || inScope(content, p)) ? content : whole;
  }

  /** The text after the courtesies and shift words before it, however short ("谢谢,1" picks 1). */
  function afterLead(p: Parse): string {
    const lead = p.cues.lead ? nlu.prepare(p.cues.lead) : '';
    return lead && p.text.startsWith(lead) && p.text.length > lead.length ? p.text.slice(lead.length).trim() : p.text;
  }

  /** The terms of a parse without its courtesies and shift words (the same array for the same parse). */
  const contentMemo = new WeakMap<Parse, string[]>();
  function contentTerms(p: Parse): string[] {
    let terms = contentMemo.get(p);
    if (!terms) {
      const mask = asideMask(p);
      contentMemo.set(p, (terms = mask.includes(1) ? unmasked(p.terms, mask) : p.terms.terms));
    }
    return terms;
  }

  /** The text of a parse without its courtesies and shift words. */
  function contentText(p: Parse): string {
    const mask = asideMask(p);
    if (!mask.includes(1)) return p.text;
    let out = '';
    for (let i = 0; i < p.text.length; i++) if (!mask[i]) out += p.text[i];
    return out.trim();
  }

  /**
   * What the courtesies name is not asked: a facet phrase or an entity found only among them
   * ("客服你好,…": 客服 asks no contact and names no customer service).
   */
  function withoutAsides(p: Parse): Parse {
    const aside = asideMask(p);
    if (!aside.includes(1)) return p;
    const inAside = (start: number, end: number) => {
      for (let i = start; i < end; i++) if (!aside[i] && !/\s/.test(p.text[i]!)) return false;
      return true;
    };
    const facetAside = !!p.facet && p.facet.mask.every((m, i) => m === 0 || aside[i] === 1 || /\s/.test(p.text[i]!));
    const entities = p.entities.filter((e) => !inAside(e.start, e.end));
    if (!facetAside && entities.length === p.entities.length) return p;
    const out: Parse = { ...p, entities, facet: facetAside ? null : p.facet };
    asideMemo.set(out, aside);
    return out;
  }

  /** Positions of the courtesies, shift words and the facet phrase. */
  function asideAndFacetMask(p: Parse): Uint8Array {
    const mask = asideMask(p).slice();
    if (p.facet) for (let i = 0; i < mask.length; i++) mask[i] ||= p.facet.mask[i]!;
    return mask;
  }

  /** The topic a message leans to: its best topic, weak but not beaten by clear off-topic. */
  function leaningTopic(ranked: Ranked): string | null {
    const topic = ranked.find((c) => isTopic(c.topic));
    if (!topic || topic.score < dialogue.leanAbove) return null;
    const first = ranked[0]!;
    return first === topic || (first.topic === OUT_OF_SCOPE && first.score < dialogue.outOfScopeInConversation) ? topic.topic : null;
  }

  /** Turns a parse into an Action. Reads the state, never writes it. */
  function decide(p: Parse, state: DialogueState, raw: string): { action: Action; candidates: Ranked } {
    const live = state.frame && isTopic(state.frame.topic) ? state.frame.topic : null;
    if (!p.text) return { action: live ? { do: 'which-part', topic: live } : { do: 'fallback', confidence: 0 }, candidates: [] };

    // 1. A choice among the offered candidates: "2", "第二个", or a candidate's name.
    if (state.offer.length) {
      const index = parseChoice(afterLead(p), topicNames(state.offer));
      if (index !== null) return { action: pickAction(state.offer[index]!), candidates: [] };
    }

    const frame = state.frame && isTopic(state.frame.topic) ? state.frame : null;
    // 2. "不是这个": the runners-up of the last answer.
    if (frame && p.cues.reject) return { action: { do: 'alternatives' }, candidates: [] };
    // 3. "不对,我是说…": the corrected part, with the rejected topic pushed down.
    if (frame && p.cues.correction) {
      const corrected = nlu.parse(p.cues.correction);
      const ranked = rank(corrected.terms.terms, corrected.text, frame.topic)
        .map((c) => (c.topic === frame.topic ? { ...c, score: c.score * dialogue.correctionPenalty } : c))
        .sort((a, b) => b.score - a.score);
      // "不是,我是问要满足什么条件", "不对 我是想问多久能改好": the facet was misread, not the topic (the
      // rest names no topic, or the live one).
      // (Neither this nor the readings below that keep the live topic, when the corrected part undoes the route
      // that reached it: "不对 我要问的是微信 微信实名怎么换个人" after QQ's real-name.)
      const leaving = leavesRoute(corrected, frame);
      const restNames = corrected.facet ? rank(nlu.withoutFacet(corrected), corrected.text, frame.topic) : [];
      if (corrected.facet && (!namesTopicStrongly(restNames) || restNames[0]!.topic === frame.topic) && !leaving) {
        return { action: { do: 'followup', topic: frame.topic, facet: corrected.facet.facet as Facet, confidence: 1 }, candidates: ranked };
      }
      // "不是微粒贷,是分付还欠着" after a detail question: the detail was misread, not the topic. A
      // corrected part that names no other topic and reads as a section of the live topic is that section.
      if (frame.facet && !leaving && !(namesTopicStrongly(ranked) && ranked[0]!.topic !== frame.topic)) {
        const section = sections.rank(frame.topic, corrected.terms.terms)[0];
        if (section && section.score >= dialogue.sectionAnswers) {
          return { action: { do: 'followup', topic: frame.topic, facet: section.facet, confidence: section.score }, candidates: ranked };
        }
        // "不是微粒贷 是分付" after 欠着微粒贷能注销吗: the rejected part is a detail of the section just shown,
        // so the one meant in its place is asked of that section too, whatever the live text says of it.
        const rejected = p.cues.rejected ? sections.rank(frame.topic, nlu.parse(p.cues.rejected).terms.terms)[0] : undefined;
        if (rejected && rejected.facet === frame.facet && rejected.score >= dialogue.sectionAbove) {
          return { action: { do: 'followup', topic: frame.topic, facet: frame.facet, confidence: rejected.score }, candidates: ranked };
        }
      }
      // "不对 我是说没有身份证 只有护照" after 没有银行卡能实名吗: a detail corrected, not the topic. The
      // corrected part, ranked alone and unpushed, reads as the live topic first, asks no new action (or
      // names the live topic strongly: "不是封了 是被盗了" is still a stolen or blocked account), and is a
      // follow-up of it read as any turn of the conversation would be.
      const alone = rank(corrected.terms.terms, corrected.text, frame.topic);
      // (So is one about a thing the conversation named: "不对 我是说那个号能不能直接注销" after finding it.)
      if (
        !leaving &&
        ((alone.find((c) => isTopic(c.topic))?.topic === frame.topic && (!asksNewAction(corrected, frame) || namesTopicStrongly(alone))) ||
          pointsAtThingsOf(corrected, frame))
      ) {
        const action = inConversation(corrected, rankContent(corrected, frame.topic), frame);
        if (action.do === 'followup' && action.topic === frame.topic) return { action, candidates: ranked };
      }
      // "no, i mean i dont want to delete the whole account, just the payment part" while closing WeChat Pay
      // is live: what it says was not meant reads as another topic, clearly, so the live one is what is meant.
      const rejectedReads = p.cues.rejected ? rankContent(nlu.parse(p.cues.rejected), null) : [];
      if (!leaving && namesTopicStrongly(rejectedReads) && rejectedReads[0]!.topic !== frame.topic && !(namesTopicStrongly(alone) && alone[0]!.topic !== frame.topic)) {
        const action = inConversation(corrected, rankContent(corrected, frame.topic), frame);
        return { action: action.do === 'fallback' || action.do === 'which-part' ? answerAction(frame.topic, null, 1, ranked, frame.entities) : action, candidates: ranked };
      }
      const elliptical = { ...corrected, cues: { ...corrected.cues, linking: true } };
      // A short fragment that names an entity ("不对,是支付宝"), or a corrected part too weak to stand
      // alone ("不是去掉,是想换成我老公的"): read against the frame, the rejected topic pushed down.
      const weak = !ranked[0] || isOutOfScope(ranked[0]) || ranked[0].score < matching.switchTopicAbove;
      if ((isElliptical(elliptical) && corrected.entities.length) || weak) {
        const action = resolveEllipsis(elliptical, frame, true);
        if (action && !repeats(action, frame)) return { action, candidates: ranked };
      }
      const action = weak ? null : firstQuestion(corrected, ranked);
      // The rejected topic is never answered again. Still unclear: offer what the corrected part leans
      // to, read against the frame, else the runners-up of the last answer.
      if (action && !repeats(action, frame)) return { action, candidates: ranked };
      const leans = inFrame(corrected, frame, fillFrame(frame, corrected.entities), true)
        .filter((c) => isTopic(c.topic) && c.topic !== frame.topic && c.score >= dialogue.leanAbove)
        .slice(0, matching.maxCandidates);
      return { action: leans.length ? { do: 'clarify', candidates: leans } : { do: 'alternatives' }, candidates: ranked };
    }

    const ranked = rankContent(p, frame?.topic ?? null);
    if (!frame && namesOnlyHome(p)) {
      // "wechat", "hello wechat": the platform the bot is about, and nothing asked of it. Courtesies
      // around it are their small talk (read whole); otherwise the topics to choose from.
      const { talk, said } = courtesyTalk(p);
      return { action: said ? { do: 'smalltalk', id: said.topic, confidence: said.score } : { do: 'fallback', confidence: 0 }, candidates: talk };
    }
    if (!frame) {
      // A story the whole of which reads as off-topic: a clause of it may name the matter.
      const story = isOutOfScope(ranked[0]!) ? byClause(raw) : null;
      const chosen = story ?? ranked;
      const action = firstQuestion(p, chosen, raw);
      // After "which of these?", a turn that asks a part of one of them rather than choosing
      // ("不弄会怎么样" after 更换实名 / 身份证被冒用): that part of the offered topic it reads best in.
      const offered = state.clarified && (action.do === 'fallback' || action.do === 'clarify') ? partOfOffered(p, state.offer) : null;
      return { action: offered ?? action, candidates: chosen };
    }
    return { action: inConversation(p, ranked, frame), candidates: ranked };
  }

  /**
   * The topics that clauses of a message of two or more read as first ("…,要走什么流程?"), clauses and
   * pairs of neighbouring clauses, each at its best clause's score, or null when none does. A clause
   * that is only a facet phrase ("要花钱吗") names no matter and is skipped.
   */
  function byClause(raw: string): Ranked | null {
    const all = clauses(raw, dialogue.clauseMinChars);
    if (all.length < 2) return null;
    // A long story is read at its two ends, where the question stands (as headAndTail keeps them).
    const half = dialogue.clausesRead / 2;
    const runs = all.length <= dialogue.clausesRead ? [all] : [all.slice(0, half), all.slice(-half)];
    const best = new Map<string, Ranked[number]>();
    const vote = (terms: readonly string[], text: string) => {
      const top = rank(terms, text)[0]!;
      if (isTopic(top.topic) && top.score >= dialogue.clauseTopicAbove && top.score > (best.get(top.topic)?.score ?? -1)) best.set(top.topic, top);
    };
    for (const run of runs) {
      // Each clause is parsed once; a pair of neighbours is read as both clauses' terms together
      // ("我爸上个月走了,他微信零钱里还有一万多" says it across the comma).
      const parsed = run.map((part) => nlu.parse(part));
      const names = parsed.map((p) => !!p.text && !(p.facet && unmaskedChars(p) < 2));
      parsed.forEach((p, i) => names[i] && vote(p.terms.terms, p.text));
      for (let i = 1; i < parsed.length; i++) {
        const [a, b] = [parsed[i - 1]!, parsed[i]!];
        if (a.text && b.text && (names[i - 1] || names[i])) vote([...a.terms.terms, ...b.terms.terms], `${a.text} ${b.text}`);
      }
    }
    return best.size ? [...best.values()].sort((a, b) => b.score - a.score || (a.topic < b.topic ? -1 : 1)) : null;
  }

  /**
   * The topic the last clause of a story names clearly (a clause that is only a facet phrase, "要多久?",
   * is passed over): the request usually stands there, after the background.
   */
  function lastAsk(raw: string): Ranked[number] | null {
    const all = clauses(raw, dialogue.clauseMinChars);
    if (all.length < 2) return null;
    for (let i = all.length - 1; i >= 0; i--) {
      const q = nlu.parse(all[i]!);
      if (!q.text || (q.facet && unmaskedChars(q) < 2)) continue;
      const r = rank(q.terms.terms, q.text);
      return namesTopicStrongly(r) ? r[0]! : null;
    }
    return null;
  }

  /**
   * Small talk read clearly, with no courtesy around it: "你是微信客服吗" is small talk whatever 客服
   * reads as, while a courtesy beside a facet word ("谢谢,找谁") is a thank-you and a question.
   */
  const isClearSmalltalk = (p: Parse, best: Candidate) =>
    isSmalltalk(best.topic) && best.score >= dialogue.followUpOverSmalltalk && !p.cues.lead && !p.cues.tail;

  /** A question with no topic live (or one that names its own). */
  function firstQuestion(p: Parse, read: Ranked, raw?: string): Action {
    // Small talk that names what its own lines never name, with no courtesy and not to the bot, with
    // a topic that reaches a lean: that topic's question ("Is there an official WeChat Pay hotline?").
    const top = read[0]!;
    const ofTheMatter =
      isSmalltalk(top.topic) &&
      !p.cues.lead &&
      !p.cues.tail &&
      !ADDRESSES_BOT_RE.test(p.text) &&
      p.entities.some((e) => !e.nested && !smalltalkValues.get(top.topic)?.has(`${e.type}=${e.value}`)) &&
      read.some((c) => isTopic(c.topic) && c.score >= dialogue.leanAbove);
    const ranked = ofTheMatter ? read.filter((c) => !isSmalltalk(c.topic)) : read;
    const best = ranked[0]!;
    const facet = (p.facet?.facet ?? null) as Facet | null;
    const refusal = isRefusal(best, p);
    if (!refusal) {
      const routed = route(best, p.entities);
      if (isTopic(routed)) return answerAction(routed, facet, Math.max(best.score, matching.switchTopicAbove), ranked, entityMap(p.entities));
    }
    if (facet && !refusal) {
      // "要多久?" alone: nothing to apply it to; ask which matter instead of guessing. Small talk read
      // clearly is no such case: "你是微信客服吗" asks who the bot is, whatever 客服 reads as (a courtesy
      // beside the facet word is: "谢谢,要多久" still asks which matter).
      const rest = rank(unmasked(p.terms, asideAndFacetMask(p)), p.text);
      const restNames = rest[0] && isTopic(rest[0].topic) && !isOutOfScope(rest[0]);
      const wholeNames = isTopic(best.topic) && !isOutOfScope(best);
      const smalltalk = isClearSmalltalk(p, best) && askedOfBot(p);
      if (!restNames && !smalltalk && (!wholeNames || best.score < matching.switchTopicAbove)) {
        return { do: 'fallback', confidence: best.score, intro: kb.ui.facet_without_topic };
      }
    }
    // Off-topic by a hair, for a question that names what this bot is about ("实名", "身份证"): its best topic.
    const rescued = refusal ? null : inScope(ranked, p);
    if (rescued) {
      const close = tooClose(ranked.filter((c) => c.topic !== OUT_OF_SCOPE));
      if (close.length > 1) return { do: 'clarify', candidates: close };
      return answerAction(rescued.topic, facet, rescued.score, ranked, entityMap(p.entities));
    }
    if (isOutOfScope(best)) return { do: 'fallback', confidence: best.score, ...(p.cues.reject ? { intro: kb.ui.reject_none } : {}) };
    if (!isTopic(best.topic)) return { do: 'smalltalk', id: best.topic, confidence: best.score };
    const close = tooClose(ranked);
    if (close.length > 1 && !refusal) {
      // Close only through the facet phrase's own words ("有人冒充微信客服给我打电话": 客服 and 打电话 lean
      // to contacting support): the rest, read without them, decides when it names one of them clearly.
      const rest = facet ? rank(unmasked(p.terms, asideAndFacetMask(p)), p.text) : [];
      if (namesTopicStrongly(rest) && close.some((c) => c.topic === rest[0]!.topic)) {
        return answerAction(rest[0]!.topic, facet, rest[0]!.score, ranked, entityMap(p.entities));
      }
      // A story whose last clause asks for one of them clearly ("…他年纪大了不会弄,我想帮他把旧微信注销掉"): that one.
      const asked = raw ? lastAsk(raw) : null;
      if (asked && close.some((c) => c.topic === asked.topic)) return answerAction(asked.topic, facet, asked.score, ranked, entityMap(p.entities));
      return { do: 'clarify', candidates: close };
    }
    return answerAction(best.topic, facet, best.score, ranked, entityMap(p.entities), refusal);
  }

  /** The section of an offered topic a turn asks about (its facet phrase, else retrieval), or null. */
  function partOfOffered(p: Parse, offer: readonly OfferItem[]): Action | null {
    const facet = (p.facet?.facet ?? null) as Facet | null;
    let best: { topic: string; facet: Facet; score: number } | null = null;
    for (const { topic } of offer) {
      if (!isTopic(topic)) continue;
      if (facet && topics.get(topic)!.content.sections.has(facet)) return { do: 'followup', topic, facet, confidence: 1 };
      const hit = sections.rank(topic, contentTerms(p))[0];
      if (hit && hit.score >= dialogue.sectionAnswers && (!best || hit.score > best.score)) best = { topic, facet: hit.facet, score: hit.score };
    }
    return best && !facet ? { do: 'followup', topic: best.topic, facet: best.facet, confidence: best.score } : null;
  }

  /** The live topic's sections for this parse, computed at most once per turn. */
  const sectionMemo = new WeakMap<Parse, { topic: string; hits: ReturnType<SectionIndex['rank']> }>();
  function sectionsOf(topic: string, p: Parse) {
    const known = sectionMemo.get(p);
    if (known?.topic === topic) return known.hits;
    const hits = sections.rank(topic, contentTerms(p));
    sectionMemo.set(p, { topic, hits });
    return hits;
  }

  /** A turn while a topic is live: follow-ups first, the generic fallback never for a weak message. */
  function inConversation(p: Parse, whole: Ranked, frame: Frame): Action {
    // The live topic is the likelier reading of an unclear turn (a context, as in Dialogflow) --
    // unless the topic was reached by a route that this turn undoes ("微博号怎么注销", then a
    // question that names WeChat).
    const routedHere = routeOf(nlu.lexicon, frame.entities) === frame.topic;
    const leaves = leavesRoute(p, frame);
    // "另外 / 顺便问一下 …" starts a new matter: the live topic gets no favour, and a topic named
    // as clearly as a first question would be is switched to.
    const shifting = p.cues.shift;
    // "美团的外卖怎么退款" after 注销微信号: a turn that reads as off-topic and names another platform
    // (a lexicon value with a route elsewhere, that the frame does not hold, and no value of its type
    // without a route) is not about the live topic: no favour, none of its sections.
    const elsewhere = whole[0]!.topic === OUT_OF_SCOPE && namesOnlyRoutedValue(p, frame);
    const boost = leaves || shifting || elsewhere ? 0 : dialogue.contextBoost;
    const ranked = withContext(whole, frame.topic, boost);
    const best = ranked[0]!;
    const facet = (p.facet?.facet ?? null) as Facet | null;
    const refusal = isRefusal(best, p);
    if (refusal) return answerAction(best.topic, facet, best.score, ranked, entityMap(p.entities), true);

    // A turn that names what another topic requires (a death, for a deceased relative's account), which
    // the frame does not hold, and reads as that topic first, is that topic's question ("阿媽過咗身
    // 佢個微信點算" after deleting an account: the required value is the clearest thing it says).
    const requiring = whole[0]!;
    if (isTopic(requiring.topic) && requiring.topic !== frame.topic && requiring.score >= matching.fallbackBelow && namesNewRequirement(requiring.topic, p, frame)) {
      return answerAction(requiring.topic, (p.facet?.facet ?? null) as Facet | null, requiring.score, whole, entityMap(p.entities));
    }
    // A courtesy around a remark that asks nothing and names nothing ("谢谢 我明天就去办", "thanks, I'll
    // try that tomorrow"): the courtesy is what is said.
    const closing = closingCourtesy(p, whole, frame);
    if (closing) return closing;

    // 1. A new topic named strongly (the facet words masked): switch, keeping the facet asked.
    const routed = route(whole[0]!, p.entities);
    if (isTopic(routed) && routed !== frame.topic) return answerAction(routed, facet, matching.switchTopicAbove, ranked, entityMap(p.entities));
    const withoutFacet = unmasked(p.terms, asideAndFacetMask(p));
    const named = facet ? withContext(rank(withoutFacet, p.text, frame.topic), frame.topic, boost) : ranked;
    const section = elsewhere ? undefined : sectionsOf(frame.topic, p)[0];
    // Words the current topic's own text explains ("零钱通" in its conditions), better than the
    // other topic's text does, keep the turn on it.
    // (Explained as fully by both, "那零钱呢" after 注销账号 and in deceased accounts: the section that
    // reads better.)
    // So do follow-ups curators listed for it, when the turn reads clearly more like one of them than
    // like anything written for the other topic ("解了卡实名是不是就跟着没了" after 解绑银行卡).
    const other = isTopic(named[0]?.topic) && named[0]!.topic !== frame.topic ? named[0]!.topic : null;
    const otherSections = other && section ? sections.rank(other, contentTerms(p)) : [];
    const bestOverlap = Math.max(0, ...otherSections.map((h) => h.overlap));
    const bestSection = otherSections[0]?.score ?? 0;
    // "我没有银行卡行不行" while verifying: things the live topic's text talks about, and only some
    // topics do, named alone (no action, nothing every topic names: "没绑银行卡能实名吗" after 为什么要实名
    // asks how to verify), are a detail of the live topic ("银行卡怎么解绑" is not).
    const ownThings = p.entities.filter((e) => !e.nested);
    const namesItsThings =
      ownThings.length > 0 &&
      ownThings.every(
        (e) => e.type !== 'action' && !!mentions.get(frame.topic)?.has(`e:${e.type}=${e.value}`) && (mentionedBy.get(`e:${e.type}=${e.value}`) ?? 0) <= kb.topics.length / 2,
      );
    const newAction = asksNewAction(p, frame);
    // (Sections shared, not a turn that asks a new action and reads as another topic as surely as a
    // first question can: "注销微信号" after 解除实名 deletes the account, whatever the live topic's
    // sections say about deleting one; "注销以后有什么影响" after 注销微信支付 names the frame's own
    // action, and "那手机号呢" after 查名下账户 no action: the sections decide.)
    const namedSurely =
      isTopic(named[0]?.topic) &&
      named[0]!.topic !== frame.topic &&
      named[0]!.score >= dialogue.switchDespiteSectionsAbove &&
      newAction;
    // So does a turn that names the frame's own action and nothing the frame does not hold ("注销之后微信
    // 还能登录吗" after 注销微信支付 asks what closing it leads to, however much 注销 + 微信 reads as deleting).
    // (Besides the frame's values, it may name things the live topic's own text talks about: "注销后零钱
    // 怎么办" after 微信支付怎么注销 asks about the balance when closing WeChat Pay, not deleting the account.)
    // (The action must be part of the live topic's matter, or of the platform the frame was routed for:
    // 封 after the rumour that unverified accounts get banned asks how a ban is lifted.)
    const sameAction =
      ownThings.some((e) => e.type === 'action' && frame.entities.action === e.value && (ownsAction(frame.topic, e.value) || routedHere)) &&
      ownThings.every((e) => frame.entities[e.type] === e.value || (e.type !== 'action' && !!mentions.get(frame.topic)?.has(`e:${e.type}=${e.value}`)));
    // Sections of both topics that explain the turn's words equally decide nothing for a turn that
    // names nothing new and reads as another topic as surely as a first question can ("那為什麼一定要實名呢"
    // after the rules' future: 实名 is in both texts; 为什么 asks why it is required).
    const rewordsSurely =
      isTopic(named[0]?.topic) &&
      named[0]!.topic !== frame.topic &&
      named[0]!.score >= dialogue.switchDespiteSectionsAbove &&
      ownThings.every((e) => frame.entities[e.type] === e.value);
    const pointsAtItsThings = pointsAtThingsOf(p, frame);
    const readsOnTopic =
      !leaves &&
      !shifting &&
      !!section &&
      (namesItsThings || sameAction ||
        (!namedSurely &&
          ((section.overlap >= dialogue.sectionKeepsTopic && (!other || section.overlap > bestOverlap || (section.overlap === bestOverlap && section.score >= bestSection && !rewordsSurely))) ||
            (section.score >= dialogue.followUpKeepsTopic && section.score - bestSection >= dialogue.followUpLead))));
    // A turn that names things and no action, where the other topic is one whose matter is an action
    // ("他自己没银行卡的" after a child's account: no unbinding asked), keeps to the live topic's sections.
    const staysOnTopic =
      readsOnTopic ||
      (!leaves &&
        !shifting &&
        !!section &&
        (pointsAtItsThings || (!!other && !isElliptical(p) && needsAction(other) && !ownThings.some((e) => e.type === 'action'))));
    const switchAbove = shifting ? matching.switchTopicAbove : dialogue.switchInConversation;
    // A turn that names nothing ("为什么不行") switches to no other topic, however its question word
    // leans; nor does one whose only thing is a pronoun for a thing, with at most an action ("can I
    // delete it", "能删掉它吗" after 人脸信息: 它 is what the live topic is about; 他 in "怎么改成他自己的"
    // is a person, the one to change to).
    const namesNone = namesNothing(p) || (THING_PRONOUN_RE.test(p.text) && ownThings.every((e) => e.type === 'action'));
    if (!namesNone && namesTopicStrongly(named) && named[0]!.topic !== frame.topic && named[0]!.score >= switchAbove && !isElliptical(p) && !staysOnTopic) {
      return answerAction(named[0]!.topic, facet, named[0]!.score, named, entityMap(p.entities));
    }
    // ... so does one that asks a new action of another topic that the turn alone names strongly, however
    // close the live topic's favour brings it ("被封的号可以注销吗" after 号被封了: 注销 deletes the account).
    if (!facet && newAction && !namesNone && namesTopicStrongly(whole) && whole[0]!.topic !== frame.topic && whole[0]!.score >= switchAbove && !isElliptical(p) && !staysOnTopic) {
      return answerAction(whole[0]!.topic, facet, whole[0]!.score, whole, entityMap(p.entities));
    }
    // After a shift word, a facet word may be part of the new matter ("对了 怎么防止别人冒充客服骗我"):
    // the whole turn, named as clearly as a first question would be, is switched to.
    if (!namesNone && shifting && facet && namesTopicStrongly(ranked) && best.topic !== frame.topic && best.score >= switchAbove && !staysOnTopic) {
      return answerAction(best.topic, facet, best.score, ranked, entityMap(p.entities));
    }
    // A section of the live topic answers the turn, however it reads as small talk ("哈喽 收藏还在吗" after
    // 注销账号 asks about the favourites).
    // ("需要什么" after 开通支付 reads like "需要帮助" but more like a follow-up: it asks for the materials.)
    const sectionAnswers =
      !!section &&
      (section.score >= dialogue.sectionAnswers ||
        (section.score >= dialogue.sectionAbove && sections.followUpLike(contentTerms(p)) >= dialogue.followUpLikeAnswers)) &&
      best.score < dialogue.followUpOverSmalltalk;
    // Off-topic wins clearly and it does not read like a follow-up of any topic ("红烧肉怎么做").
    // ... or off-topic leads, no topic (the live one unboosted included) reaches even a lean, and the
    // turn reads neither as a section of the live topic nor much as any follow-up ("双十一有什么便宜的羽绒服").
    // (A turn that points back, "要她本人在场吗", "我建的那几个群还会在吗", is about the conversation.)
    const unrelated =
      !p.cues.anaphora &&
      whole[0]!.topic === OUT_OF_SCOPE &&
      !whole.some((c) => isTopic(c.topic) && c.score >= dialogue.leanAbove) &&
      (section?.score ?? 0) < dialogue.unrelatedSectionBelow &&
      sections.followUpLike(contentTerms(p)) < dialogue.unrelatedFollowUpBelow;
    const offTopic =
      ((best.topic === OUT_OF_SCOPE && best.score >= dialogue.outOfScopeInConversation) || unrelated) &&
      (elsewhere || sections.followUpLike(contentTerms(p)) < dialogue.followUpLikeAbove) &&
      !sectionAnswers &&
      !((section?.overlap ?? 0) >= dialogue.offTopicUnlessOverlap && p.entities.length > 0);
    // 2. An elliptical turn: the frame with the slots it names replaced, ranked as a whole -- unless
    //    all it says is a facet phrase ("那客服电话呢"): that facet of the live topic; or it reads
    //    as a follow-up of the live topic, as above ("那账单呢" after 解除实名: what happens to them).
    const onlyFacet = !!facet && unmaskedChars(p) === 0 && topics.get(frame.topic)!.content.sections.has(facet);
    //    ("那QQ呢" after 微博怎么注销 swaps one platform the topic answers for another: its answer again.)
    //    (Nor a turn off-topic as read above, with no linking word and nothing the frame could take: "晚上吃啥好呢".)
    if (isElliptical(p) && (p.entities.length || !facet) && !onlyFacet && !(offTopic && !p.entities.length && !p.cues.linking) && (!staysOnTopic || replacesSlot(p, frame) || swapsRouted(p, frame))) {
      const action = resolveEllipsis(p, frame, false);
      if (action) return action;
    }
    // 3. A facet word: that facet of the current topic -- when the topic has that section and the rest of
    //    the turn is not plainly off-topic ("红烧肉怎么做": 怎么做 is no follow-up there). A facet the
    //    topic lacks ("不更新会怎么样" where no consequences are written) is read as a detail question.
    // (The rest must say something: "现在要找谁" leaves 现在要, no off-topic matter.)
    // (Nor does a pronoun, which stands for the live topic's matter, with little beside it: "这事要找谁处理".)
    const restRanked =
      facet && !p.entities.length && unmaskedChars(p) >= dialogue.offTopicRestChars && !littleBesidePronoun(p)
        ? rank(nlu.withoutFacet(p), p.text, frame.topic)
        : [];
    const rest = restRanked[0];
    const restLike = rest ? sections.followUpLike(nlu.withoutFacet(p)) : 1;
    // Off-topic clearly, or reading like no follow-up at all (unknown dishes: "鱼香肉丝怎么做").
    const offTopicRest =
      !!rest &&
      rest.topic === OUT_OF_SCOPE &&
      restLike < dialogue.followUpLikeAbove &&
      (rest.score >= dialogue.offTopicRestAbove || restLike < dialogue.unrelatedRestBelow);
    if (facet && offTopicRest) return { do: 'fallback', confidence: rest!.score };
    // Small talk read clearly is no facet question: "你是微信客服吗" asks who the bot is (as in a first question).
    // (It must speak to the bot, or be courtesies alone ("thank you so much"): "要钱吗" asks the live
    // topic's cost, however much it reads like "用你要钱吗".)
    if (facet && isClearSmalltalk(p, best) && !pointsBack(p) && askedOfBot(p)) {
      return { do: 'smalltalk', id: best.topic, confidence: best.score };
    }
    // ... nor is a facet asked of the bot itself ("这个机器人要钱吗", "用你要钱吗"): the rest of the turn
    // speaks to the bot ("需要哪些材料" reads like 需要帮助 but asks the live topic's materials) and, with
    // no courtesy ("谢谢,找谁" asks the live topic's contact), reads clearly as small talk.
    const restTalk = named[0];
    const askedOfTheBot =
      !!facet &&
      askedOfBot(p) &&
      !!restTalk &&
      isSmalltalk(restTalk.topic) &&
      restTalk.score >= dialogue.followUpOverSmalltalk &&
      restTalk.score - (named[1]?.score ?? 0) >= matching.clarifyMargin &&
      !p.cues.lead &&
      !p.cues.tail &&
      !pointsBack(p);
    if (askedOfTheBot) {
      return { do: 'smalltalk', id: restTalk.topic, confidence: restTalk.score };
    }
    if (facet && !offTopicRest && topics.get(frame.topic)!.content.sections.has(facet)) {
      // A generic facet word beside a detail another section explains far better ("冷静期里登录了会怎样":
      // 会怎样 reads as consequences, the detail is how a deletion is undone): that section. The words
      // that only name the live topic again ("实名解除了能撤销吗") are no detail.
      const detailMask = asideAndFacetMask(p);
      for (const e of p.entities) if (frame.entities[e.type] === e.value) detailMask.fill(1, e.start, e.end);
      const detail = charsOutside(p, detailMask) >= dialogue.detailOverFacetChars ? sections.rank(frame.topic, unmasked(p.terms, detailMask)) : [];
      const top = detail[0];
      if (top && top.facet !== facet && top.score >= dialogue.detailOverFacetAbove && top.score - (detail[1]?.score ?? 0) >= dialogue.detailOverFacetLead && (detail.find((h) => h.facet === facet)?.score ?? 0) < top.score * dialogue.detailOverFacetRatio) {
        return { do: 'followup', topic: frame.topic, facet: top.facet, confidence: top.score };
      }
      return { do: 'followup', topic: frame.topic, facet, confidence: 1 };
    }
    // A facet the live topic has no section for, and nothing else but question words ("需要多久" where no
    // duration is written; 需要 read as the materials): say so, and ask which part.
    if (facet && !topics.get(frame.topic)!.content.sections.has(facet) && charsOutside(p, asideAndFacetMask(p), FILLER_OR_SPACE_RE) === 0) {
      return { do: 'which-part', topic: frame.topic, missing: facet };
    }
    // Small talk ("谢谢", "你是官方的吗") stays small talk -- unless it is weak and a section of the
    // live topic answers the turn (sectionAnswers, above).
    const facetOfTheBot = !facet || askedOfBot(p);
    if (best.topic.startsWith('meta.') && best.score >= matching.switchTopicAbove && !sectionAnswers && !pointsBack(p) && facetOfTheBot) {
      return { do: 'smalltalk', id: best.topic, confidence: best.score };
    }
    // Courtesies alone that are no small talk read clearly ("问一下", "帮帮我") ask nothing yet: which part?
    if (p.cues.bare && !facet) return { do: 'which-part', topic: frame.topic };
    // The same question again, in other words ("微信实名怎么解除" after 微信怎么解除实名认证): the answer again,
    // not a section its words happen to touch.
    if (!facet && restates(p, frame)) {
      return answerAction(frame.topic, null, best.score, ranked, { ...frame.entities, ...entityMap(p.entities) });
    }
    // An action alone, asked of the live topic itself ("能解封吗" after 号被封了, "能改吗" after 换实名):
    // whether it can be done is its conditions, how is its steps -- not whichever section names the verb
    // (the scam warning inside the cost section names 解封).
    // ("how can I check": how, in English too, asks the steps, whatever the modal.)
    if (!facet && ownThings.length === 1 && ownThings[0]!.type === 'action' && whole[0]!.topic === frame.topic && saysLittleElse(p, ASKS_DOING_ALL_RE, false)) {
      const has = topics.get(frame.topic)!.content.sections;
      const asked: Facet | null = !ASKS_HOW_RE.test(p.text) && MODAL_RE.test(p.text) && has.has('conditions') ? 'conditions' : has.has('steps') ? 'steps' : null;
      if (asked) return { do: 'followup', topic: frame.topic, facet: asked, confidence: whole[0]!.score };
    }
    // 4. A detail question: the section of the current topic it asks about, unless another topic
    //    is named clearly, or the message is plainly off-topic.
    // (A facet phrase and nothing else names no other topic: "要钱吗" where the live topic has no cost
    // section is no question about the scam warning's cost.)
    // (Nor one whose matter is an action, for a turn that names none: "那銀行卡呢 可以綁爸媽的嗎" while a
    // child's account is live asks whose card, not how to unbind one.)
    const anotherTopic =
      !namesNone &&
      isTopic(best.topic) &&
      best.topic !== frame.topic &&
      !isOutOfScope(best) &&
      !(facet && unmaskedChars(p) === 0) &&
      !lacksAction(best.topic, p, frame.entities);
    // Another topic leads as a first question would need, and reads better as a follow-up of its own
    // ("我的身份证信息在腾讯那会被存多少年" after 身份证被冒用: privacy.data's sections, not misuse's).
    const otherReadsBetter =
      anotherTopic && !p.cues.anaphora && !staysOnTopic && best.score >= matching.switchTopicAbove && !!section && section.score < (sections.rank(best.topic, contentTerms(p))[0]?.score ?? 0) &&
      // (Not on question words alone: "要不要报警" after a stolen account names no thing, and reads as the
      // rules' future only through 要不要.)
      !(!p.entities.length && best.score < dialogue.switchInConversation);
    // The context boost carries a turn the live topic's sections explain; not one they barely touch
    // while another topic reads ahead of the live one without it, as a first question would need
    // ("以后会不会所有人都强制实名" after 为什么要实名: the rules' future, though the boost put 为什么 first;
    // "我觉得这侵犯隐私 我的身份信息他们咋保存的": 这 and 他们 point at no part of the live topic).
    const liveUnboosted = whole.find((c) => c.topic === frame.topic)?.score ?? 0;
    const otherLeadsUnboosted =
      !namesNone &&
      isTopic(whole[0]!.topic) &&
      whole[0]!.topic !== frame.topic &&
      whole[0]!.score >= matching.switchTopicAbove &&
      whole[0]!.score - liveUnboosted >= dialogue.unboostedLead &&
      (section?.score ?? 0) < dialogue.weakSectionBelow &&
      !staysOnTopic &&
      !isElliptical(p) &&
      !(facet && unmaskedChars(p) === 0) &&
      // (Nor to a topic whose matter is an action, for a turn that names none: "i have no chinese bank
      // card, just my passport" while verifying unbinds nothing.)
      !lacksAction(whole[0]!.topic, p, frame.entities);
    if (otherLeadsUnboosted) return firstQuestion(p, whole);
    if (section && section.score >= dialogue.sectionAbove && !(anotherTopic && best.score >= dialogue.switchInConversation && !staysOnTopic) && !otherReadsBetter && !offTopic) {
      return { do: 'followup', topic: frame.topic, facet: section.facet, confidence: section.score };
    }
    // 5. Another topic, named less strongly: answered as a first question would be (not when the
    //    turn points back at the live topic: then ask which part of it).
    if (anotherTopic && !p.cues.anaphora) return firstQuestion(p, ranked);
    if (best.topic.startsWith('meta.') && !isOutOfScope(best) && facetOfTheBot) return { do: 'smalltalk', id: best.topic, confidence: best.score };
    // 6. Clearly something else: the fallback. Otherwise ask which part of the topic they mean.
    if (offTopic) return { do: 'fallback', confidence: best.score };
    // ("那要多久" where no duration is written: say so, then ask.)
    return facet && !topics.get(frame.topic)!.content.sections.has(facet)
      ? { do: 'which-part', topic: frame.topic, missing: facet }
      : { do: 'which-part', topic: frame.topic };
  }

  /**
   * The turn restates what to do to what, with another value for a slot of the frame ("那只注销支付呢"
   * after 注销账号: close, and pay for the account; "那整个号注销呢" after 解除实名): an elliptical turn
   * that swaps a slot, whatever words the live topic's sections share with it. A turn naming one
   * type only ("那零钱通呢", "那名下的手机号呢") may be a detail of the live topic: its sections decide.
   */
  /**
   * The topic's matter is an action (needsAction), the turn names none, and the frame's action (if any) is
   * no part of that topic's matter: the turn asks no such topic's question ("那銀行卡呢" after 未成年开支付;
   * not after 解除实名, where removing a card is unbinding it).
   */
  function lacksAction(topic: string, p: Pick<Parse, 'entities'>, frameEntities: Record<string, string>): boolean {
    return needsAction(topic) && !p.entities.some((e) => !e.nested && e.type === 'action') && !(frameEntities.action && ownsAction(topic, frameEntities.action));
  }

  /** The live topic was reached by a route that this turn undoes ("微博号怎么注销", then a question that names WeChat). */
  function leavesRoute(p: Parse, frame: Frame): boolean {
    return routeOf(nlu.lexicon, frame.entities) === frame.topic && namesUnroutedValue(p, frame);
  }

  function replacesSlot(p: Parse, frame: Frame): boolean {
    const types = new Set(p.entities.map((h) => h.type));
    return types.size >= 2 && replacing(p, frame).length > 0;
  }

  /** The turn gives a slot of the frame another value routed to the live topic itself (QQ for 微博 in other.platforms). */
  function swapsRouted(p: Parse, frame: Frame): boolean {
    return replacing(p, frame).some((h) => !h.nested && nlu.lexicon.entry(h.type, h.value)?.route === frame.topic);
  }

  /**
   * A turn about a thing or person the conversation named ("那个号我能直接注销吗" after finding an
   * account under one's ID; "需要他的身份证吗" after deleting a father's account), naming only things
   * and actions the live topic's text talks about, is about the live topic's matter.
   */
  function pointsAtThingsOf(p: Parse, frame: Frame): boolean {
    const things = p.entities.filter((e) => !e.nested);
    return (
      THAT_THING_RE.test(p.text) &&
      !OWN_THING_RE.test(p.text) &&
      things.length > 0 &&
      things.every((e) => !!mentions.get(frame.topic)?.has(`e:${e.type}=${e.value}`))
    );
  }

  /** The turn names a value `topic` requires (`requires:` in its intents file) that the frame does not hold. */
  function namesNewRequirement(topic: string, p: Parse, frame: Frame): boolean {
    const required = requiredOf.get(topic);
    if (!required) return false;
    const held = new Set(Object.entries(frame.entities).map(([type, value]) => entityFeature(type, value)));
    return required.some((f) => p.terms.terms.includes(f)) && !required.some((f) => held.has(f));
  }

  /** The turn asks an action the frame does not hold. */
  function asksNewAction(p: Parse, frame: Frame): boolean {
    return p.entities.some((e) => !e.nested && e.type === 'action' && frame.entities.action !== e.value);
  }

  /** The turn's entities that give a type the frame holds another value ("微信" after 微博's frame). */
  function replacing(p: Parse, frame: Frame): Parse['entities'] {
    return p.entities.filter((h) => h.type in frame.entities && frame.entities[h.type] !== h.value);
  }

  /** The turn names a value with a route that the frame does not hold, and no value of its type without one. */
  function namesOnlyRoutedValue(p: Parse, frame: Frame): boolean {
    const routedTypes = new Set(
      p.entities
        .filter((h) => frame.entities[h.type] !== h.value && ![undefined, frame.topic].includes(nlu.lexicon.entry(h.type, h.value)?.route))
        .map((h) => h.type),
    );
    return routedTypes.size > 0 && !p.entities.some((h) => routedTypes.has(h.type) && !nlu.lexicon.entry(h.type, h.value)?.route);
  }

  /** The turn names, for a type the frame has, a value without a route (WeChat after Weibo). */
  function namesUnroutedValue(p: Parse, frame: Frame): boolean {
    return replacing(p, frame).some((h) => !nlu.lexicon.entry(h.type, h.value)?.route);
  }

  /**
   * The turn points back at what was said and asks something of it: a pronoun with a facet phrase
   * or a named thing ("这个要钱吗", "这个要怎么查", "那个入口在哪"). Inside a conversation that is no
   * small talk, however much it reads like "这个怎么用" (how to use the bot), which names nothing.
   */
  function pointsBack(p: Parse): boolean {
    if (!p.cues.anaphora || (!p.facet && !p.entities.length)) return false;
    // ... and says nothing else: "这个机器人要钱吗" names the bot, and stays small talk.
    return saysLittleElse(p, ANAPHORA_ALL_RE, true);
  }

  /**
   * The turn asks the frame's question again, in other words and nothing more ("微信实名怎么解除"
   * after 微信怎么解除实名认证): the same values for two or more of the frame's entity types, and no
   * other content than question words.
   */
  function restates(p: Parse, frame: Frame): boolean {
    const same = p.entities.filter((h) => !h.nested && frame.entities[h.type] === h.value);
    if (new Set(same.map((h) => h.type)).size < 2 || replacing(p, frame).some((h) => !h.nested)) return false;
    return saysLittleElse(p, INSISTING_RE, false);
  }

  /** Question words and particles: a remark with none of them asks nothing. */
  const ASKS_RE = /[吗呢么嘛吧]|怎|什么|啥|如何|哪|多久|多少|几|谁|为何|为啥|还是|帮我|给我|能不能|可不可以|是不是|有没有|要不要|会不会|行不行|对不对|好不好|\b(?:how|what|when|where|why|which|who|whose|can|could|should|would|will|do|does|did|is|are|am|was|may|any|help|please|or)\b/u;

  /**
   * The courtesy of a turn whose remark beside it names no lexicon value, asks no facet, asks nothing
   * (no question word) and reads as no topic: small talk, the courtesy read alone.
   */
  function closingCourtesy(p: Parse, whole: Ranked, frame: Frame): Action | null {
    if (!(p.cues.lead || p.cues.tail) || p.cues.bare || p.cues.linking || p.cues.trailingNe || p.entities.length || p.facet) return null;
    if (ASKS_RE.test(textOutside(p, asideMask(p)))) return null;
    if (isTopic(whole[0]!.topic) && whole[0]!.score >= matching.switchTopicAbove) return null;
    // (Nor a remark the live topic's sections explain, or one that reads like a follow-up: "谢谢 他人在外地".)
    if ((sectionsOf(frame.topic, p)[0]?.score ?? 0) >= dialogue.sectionAnswers || sections.followUpLike(contentTerms(p)) >= dialogue.followUpLikeAbove) return null;
    const { said } = courtesyTalk(p);
    return said ? { do: 'smalltalk', id: said.topic, confidence: said.score } : null;
  }

  /** The courtesies around a turn read alone: their ranking, and the small talk they say clearly (else null). */
  function courtesyTalk(p: Parse): { talk: Ranked; said: Ranked[number] | null } {
    const courtesy = nlu.parse([p.cues.lead, p.cues.tail].filter(Boolean).join(' '));
    const talk = courtesy.text ? rank(courtesy.terms.terms, courtesy.text) : [];
    return { talk, said: talk[0] && isSmalltalk(talk[0].topic) && talk[0].score >= matching.switchTopicAbove ? talk[0] : null };
  }

  /** A pronoun with fewer than offTopicRestChars characters beside it, its facet phrase, asides and question words. */
  function littleBesidePronoun(p: Parse): boolean {
    if (!p.cues.anaphora) return false;
    const said = asideAndFacetMask(p);
    for (const m of p.text.matchAll(ANAPHORA_ALL_RE)) said.fill(1, m.index, m.index + m[0].length);
    return charsOutside(p, said, FILLER_OR_SPACE_RE) < dialogue.offTopicRestChars;
  }

  /**
   * Whether a turn says at most one character beyond its lexicon entities, the words `also` finds
   * (a global regex), its facet phrase when `withFacet`, and question words.
   */
  function saysLittleElse(p: Parse, also: RegExp, withFacet: boolean): boolean {
    // The courtesies around the question ("你好 …", "… 谢谢") say nothing.
    const said = asideMask(p).slice();
    if (withFacet && p.facet) p.facet.mask.forEach((m, i) => m && (said[i] = 1));
    for (const e of p.entities) said.fill(1, e.start, e.end);
    for (const m of p.text.matchAll(also)) said.fill(1, m.index, m.index + m[0].length);
    let rest = 0;
    for (let i = 0; i < p.text.length; i++) if (!said[i] && !/\s/.test(p.text[i]!) && !QUESTION_FILLER.has(p.text[i]!)) rest++;
    return rest <= 1;
  }

  /**
   * The turn names nothing: no lexicon value, and no word but question and function words ("为什么不行",
   * "真的吗", "然后呢"). Inside a conversation it asks about the last answer, whatever topic its
   * question word leans to (为什么 leans to why real-name is required).
   */
  function namesNothing(p: Parse): boolean {
    if (p.entities.length || !p.tokens.length) return false;
    return p.tokens.every((t) => FUNCTION_WORDS.has(t.text));
  }

  /** The ranking with the live topic's score raised by the context boost. */
  function withContext(ranked: Ranked, topic: string, boost: number): Ranked {
    return ranked.map((c) => (c.topic === topic ? { ...c, score: Math.min(1, c.score + boost) } : c)).sort((a, b) => b.score - a.score);
  }

  /** "那微信的呢": rank the frame's entities with this turn's in their place. */
  function resolveEllipsis(p: Parse, frame: Frame, correcting: boolean): Action | null {
    // The linking word itself ("换成") is no content: it does not replace the frame's action.
    // (Normalising drops a leading 那, so "那换成" may stand as "换成" at the start of the text.)
    const word = [p.cues.linkingWord, p.cues.linkingWord.replace(/^那(?:么)?/, '')].find((w) => w && p.text.startsWith(w)) ?? '';
    const cue = word.length;
    // ... unless nothing is named after it, or it corrects what was said: then it is the verb
    // ("那换成我老公的呢", "不是去掉,是想换成我老公的": change).
    const named = correcting ? p.entities : p.entities.filter((e) => e.start >= cue);
    // "那转账呢" after "不实名能收红包吗": nothing but a value the frame already holds -- the same matter,
    // asked again of the live topic (ranked alone, 微信支付 + 转账 would read as closing WeChat Pay).
    if (!correcting && named.length && named.every((e) => e.nested || frame.entities[e.type] === e.value) && onlyNames(p, named, cue)) {
      return followupOrAnswer(frame, p, (p.facet?.facet ?? null) as Facet | null);
    }
    const entities = fillFrame(frame, named.length ? named : p.entities);
    const routed = routeOf(nlu.lexicon, entities);
    const asked = (p.facet?.facet ?? null) as Facet | null;
    // "解除实名要多久" then "那删号呢": the other topic, with the facet of the last answer, where it
    // has one; also when the bot found that facet from a detail question ("冻结以后还能解冻吗" then
    // "那注销的号呢": undoing, again).
    const carried = (topic: string): Facet | null =>
      asked ?? (frame.facet && topics.get(topic)!.content.sections.has(frame.facet) ? frame.facet : null);
    const facet = asked;
    if (isTopic(routed)) {
      // (The same question of another value the live topic is routed for, "那QQ呢" after 微博怎么注销:
      // its answer again, not the section that happens to name QQ.)
      return routed === frame.topic && !correcting && !swapsRouted(p, frame)
        ? followupOrAnswer(frame, p, facet)
        : answerAction(routed, carried(routed), matching.switchTopicAbove, [], entities);
    }
    const ranked = inFrame(p, frame, entities, correcting);
    const best = ranked[0];
    if (!best || !isTopic(best.topic) || isOutOfScope(best)) return null;
    if (best.topic === frame.topic) {
      // The same question of the value put in the frame's place: the last answer's facet, unless a
      // section answers the turn itself ("那直接卖掉呢" after 租号 and 被查到会怎么判: what selling leads to).
      const section = sectionsOf(frame.topic, p)[0];
      // (Not when it asks how: "那整个微信号怎么删" asks the steps, whatever the last answer's facet.)
      const noSectionAnswers = !section || section.score < dialogue.sectionAnswers;
      const same = !facet && !correcting && frame.facet && !ASKS_HOW_RE.test(p.text) && noSectionAnswers ? frame.facet : facet;
      // With no section that answers it and no facet to carry, a fragment that alone names the live topic
      // clearly asks it again ("那整个微信号怎么删" after deleting the account: its answer, not a section
      // its words barely touch).
      if (!same && noSectionAnswers) {
        const alone = rank(contentTerms(p), p.text);
        if (alone[0]!.topic === frame.topic && namesTopicStrongly(alone)) return answerAction(frame.topic, null, alone[0]!.score, alone, entities);
      }
      return followupOrAnswer(frame, p, same);
    }
    // A topic whose matter is an action is no reading of a fragment that names things and no action,
    // unless the frame's action is part of that topic's matter ("那银行卡呢" after 解除实名: removing a card
    // is unbinding it; not after 未成年能开微信支付吗, where it asks whose card a child may use).
    if (!correcting && lacksAction(best.topic, { ...p, entities: named }, entities)) return null;
    return answerAction(best.topic, correcting ? facet : carried(best.topic), best.score, ranked, entities);
  }

  /** Whether the turn says nothing but the values named (and its linking word, particles, question words). */
  function onlyNames(p: Parse, named: Parse['entities'], cue: number): boolean {
    const mask = asideMask(p).slice();
    mask.fill(1, 0, cue);
    for (const e of named) mask.fill(1, e.start, e.end);
    return charsOutside(p, mask, /[\s呢吗吧的啊呀了么]/u) === 0;
  }

  /** An answer or follow-up of the topic a correction rejects. */
  const repeats = (action: Action, frame: Frame) => (action.do === 'answer' || action.do === 'followup') && action.topic === frame.topic;

  /** The turn ranked with the frame's words before it (a correction pushes the frame's topic down). */
  function inFrame(p: Parse, frame: Frame, entities: Record<string, string>, correcting: boolean): Ranked {
    const context = entityText(nlu.lexicon, entities) || nlu.prepare(topics.get(frame.topic)!.name);
    const whole = `${context} ${contentText(p)}`;
    // (As matcher.rank() reads a text: its first maxChars characters, featurised once for the ranking and the gate.)
    const text = whole.length <= matching.maxChars ? whole : [...whole].slice(0, matching.maxChars).join('');
    const ranked = rank(nlu.featurize(text), text, frame.topic).map((c) =>
      correcting && c.topic === frame.topic ? { ...c, score: c.score * dialogue.correctionPenalty } : c,
    );
    return ranked.sort((a, b) => b.score - a.score);
  }

  /** The current topic again: the facet asked, else the section the words point at, else the topic's answer. */
  function followupOrAnswer(frame: Frame, p: Parse, facet: Facet | null): Action {
    if (facet) return { do: 'followup', topic: frame.topic, facet, confidence: 1 };
    const section = sectionsOf(frame.topic, p)[0];
    if (section && section.score >= dialogue.sectionAbove) return { do: 'followup', topic: frame.topic, facet: section.facet, confidence: section.score };
    return answerAction(frame.topic, null, 1, [], { ...frame.entities, ...entityMap(p.entities) });
  }

  function answerAction(topic: string, facet: Facet | null, confidence: number, candidates: Ranked, entities: Record<string, string>, refusal = false): Action {
    return { do: 'answer', topic, facet, confidence, candidates, refusal, entities };
  }

  function pickAction(item: { topic: string; facet?: string | null }): Action {
    const facet = (item.facet ?? null) as Facet | null;
    if (isTopic(item.topic)) return answerAction(item.topic, facet, 1, [], {});
    if (isSmalltalk(item.topic)) return { do: 'smalltalk', id: item.topic, confidence: 1 };
    return { do: 'fallback', confidence: 0 };
  }

  /** Carries out an Action: the reply and the next state (a new object; the old one is untouched). */
  function perform(action: Action, state: DialogueState, ranked: Ranked = []): RespondResult {
    const candidates = ranked.slice(0, 5).map(({ topic, score }) => ({ topic, score: round(score) }));
    const next: DialogueState = { ...state, offer: [] };
    delete next.clarified;
    const done = (reply: Reply): RespondResult => ({ reply: { ...reply, confidence: round(reply.confidence) }, session: next, candidates });
    switch (action.do) {
      case 'answer': {
        const frame = state.frame;
        const sameTopic = frame?.topic === action.topic;
        const { reply, shown } = composer.answer({
          topic: topics.get(action.topic)!,
          facet: action.facet,
          kind: action.refusal ? 'refusal' : sameTopic && action.facet ? 'followup' : 'answer',
          confidence: action.confidence,
          shown: sameTopic ? state.shown : [],
        });
        // The same topic again (a pressed facet button names nothing): what the conversation named is kept.
        next.frame = { topic: action.topic, facet: action.facet, entities: sameTopic ? { ...frame!.entities, ...action.entities } : action.entities };
        next.shown = shown;
        next.alternatives = action.candidates
          .filter((c) => c.topic !== action.topic && isTopic(c.topic) && c.score >= matching.alternativeAbove)
          .slice(0, matching.maxCandidates)
          .map((c) => c.topic);
        return done(reply);
      }
      case 'followup': {
        const { reply, shown } = composer.answer({
          topic: topics.get(action.topic)!,
          facet: action.facet,
          kind: 'followup',
          confidence: action.confidence,
          shown: state.frame?.topic === action.topic ? state.shown : [],
        });
        next.frame = { topic: action.topic, facet: action.facet, entities: state.frame?.entities ?? {} };
        next.shown = shown;
        return done(reply);
      }
      case 'clarify':
        next.offer = action.candidates.map((c) => ({ topic: c.topic, facet: null }));
        next.clarified = true;
        return done(composer.clarify(action.candidates.map((c) => ({ topic: topics.get(c.topic)!, score: c.score })), action.intro));
      case 'alternatives': {
        const current = state.frame!.topic;
        const ids = [...state.alternatives, ...topics.get(current)!.related].filter((id) => isTopic(id) && id !== current);
        const alternatives = [...new Set(ids)].slice(0, matching.maxCandidates).map((id) => ({ topic: topics.get(id)!, score: 0 }));
        next.offer = alternatives.map((a) => ({ topic: a.topic.id, facet: null }));
        next.alternatives = [];
        return done(composer.clarify(alternatives, kb.ui.reject));
      }
      case 'which-part':
        return done(composer.whichPart(topics.get(action.topic)!, state.shown, action.missing));
      case 'fallback': {
        const live = state.frame && isTopic(state.frame.topic) ? { topic: topics.get(state.frame.topic)!, shown: state.shown } : undefined;
        const reply = composer.fallback(action.confidence, action.intro, live);
        // What a typed "2" picks: the buttons, in order (the live topic's sections first).
        next.offer = reply.suggestions.filter((s) => isTopic(s.topic)).map((s) => ({ topic: s.topic!, facet: (s.facet ?? null) as Facet | null }));
        return done(reply);
      }
      case 'smalltalk':
        return done(composer.smalltalk(action.id, action.confidence));
    }
  }

  return {
    respond,
    welcome: () => composer.welcome(),
    topicsMenu: () => composer.topicsMenu(),
    topics: kb.topics.map((t) => ({ id: t.id, name: t.name })),
    knows: (id) => isTopic(id) || isSmalltalk(id),
    contextTtlMs: ttlMs,
    matcher,
    nlu,
    sections,
  };
}
