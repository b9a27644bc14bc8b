/**
 * The dialogue engine: `respond(session, input) -> { reply, session }`.
 * Pure and deterministic: no I/O, the clock is an argument, and nothing
 * about any topic is written here — it all comes from the KnowledgeBase.
 */
import type { KnowledgeBase, Topic } from '../content/load.js';
import { normalize, analyse } from '../nlu/normalize.js';
import { scanSensitive } from '../nlu/sensitive.js';
import { createMatcher, type Example, type LabelScore, type Matcher } from '../nlu/matcher.js';
import { createFacetDetector, withoutPhrase, type FacetDetector } from '../nlu/facets.js';
import { parseChoice } from '../nlu/choice.js';
import { matching, dialogue } from '../nlu/config.js';
import { createComposer, traditionalReply, type Composer } from './compose.js';
import {
  newSession,
  type Candidate,
  type Facet,
  type Input,
  type Reply,
  type RespondResult,
  type Session,
} from './types.js';

const HAN_RE = /\p{Script=Han}/u;

/** The label of off-topic training examples. */
export const OUT_OF_SCOPE = 'oos';
/** Suffix of the label of a topic's refusal examples ("帮我绕过实名"). */
const REFUSAL = '!refusal';

export interface EngineOptions {
  /** Follow-up context expires after this many idle minutes (default 30). */
  contextTtlMinutes?: number;
}

export interface Engine {
  respond(session: Session | null | undefined, input: Input, now?: number): RespondResult;
  welcome(): Reply;
  topicsMenu(): Reply;
  /** Topic ids and display names, in file order. */
  readonly topics: readonly { id: string; name: string }[];
  /** True for a topic id or a small-talk id the engine can answer. */
  knows(id: string): boolean;
  /** Idle time after which a session's context is forgotten. */
  readonly contextTtlMs: number;
  readonly matcher: Matcher;
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

/** Training examples of every label, normalised: the matcher's input and the check's LOO set. */
export function trainingExamples(kb: KnowledgeBase): Example[] {
  const out: Example[] = [];
  const add = (label: string, texts: readonly string[]) => {
    for (const t of texts) {
      const text = normalize(t);
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

/** Topic display names, normalised: extra short phrasings for typo-tolerant matching. */
export const displayNames = (kb: KnowledgeBase): Example[] => kb.topics.map((t) => ({ label: t.id, text: normalize(t.name) }));

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

export function createEngine(kb: KnowledgeBase, options: EngineOptions = {}): Engine {
  const ttlMs = (options.contextTtlMinutes ?? dialogue.contextTtlMinutes) * 60_000;
  const topics = new Map<string, Topic>(kb.topics.map((t) => [t.id, t]));
  const matcher = createMatcher(trainingExamples(kb), displayNames(kb));
  const facets: FacetDetector = createFacetDetector(
    kb.facets.flatMap((f) => f.utterances.map((u) => ({ facet: f.id, text: normalize(u) }))),
  );
  const rejectPhrases = kb.control.reject.map(normalize).filter(Boolean);
  const composer: Composer = createComposer(kb);
  const isTopic = (id: string | undefined): id is string => !!id && topics.has(id);

  const round = (n: number) => Math.round(n * 1000) / 1000;

  function respond(previous: Session | null | undefined, input: Input, now = Date.now()): RespondResult {
    const expired = !previous || now - previous.lastTurnAt > ttlMs;
    const session: Session = expired ? newSession() : { ...previous };
    session.lastTurnAt = now;

    if (typeof input !== 'string') {
      const result = pick(session, input);
      return session.script === 'traditional' ? { ...result, reply: traditionalReply(result.reply) } : result;
    }

    // Sensitive data is looked for in a generous prefix; matching reads the head and tail only.
    const scan = scanSensitive(input.slice(0, 20 * matching.maxChars));
    const text = headAndTail(scan.redacted, matching.maxChars);
    const { normalized, traditional } = analyse(text);
    // Remember the user's script for replies to pressed buttons; text without Han keeps the last one.
    if (traditional) session.script = 'traditional';
    else if (HAN_RE.test(text)) delete session.script;
    const warning = scan.kinds.length > 0;
    const finish = (reply: Reply, candidates: Candidate[] = []): RespondResult => {
      let out = reply;
      if (warning) out = { ...out, blocks: [{ type: 'warning', text: kb.ui.sensitive_warning }, ...out.blocks] };
      if (traditional) out = traditionalReply(out);
      return { reply: { ...out, confidence: round(out.confidence) }, session, candidates };
    };

    if (!normalized) return finish(fallback(session, 0));

    // 1. A choice after a clarify: "2", "第二个", or a candidate's name.
    if (session.pending.length) {
      const pendingTopics = session.pending.filter(isTopic);
      const index = parseChoice(normalized, pendingTopics.map((id) => normalize(topics.get(id)!.name)));
      session.pending = [];
      if (index !== null) return finish(answer(session, pendingTopics[index]!, null, 1));
    }

    const ranking = matcher.rank(normalized);
    const candidates = toCandidates(ranking);
    const publicCandidates = candidates.slice(0, 5).map(({ topic, score }) => ({ topic, score: round(score) }));
    const best = candidates[0]!;
    const rejecting = isReject(normalized);
    const current = session.topic && isTopic(session.topic) ? session.topic : null;

    // 2. "不是这个": offer the runners-up of the last answer, else its related topics.
    if (current && rejecting) {
      const ids = [...session.alternatives, ...topics.get(current)!.related].filter((id) => isTopic(id) && id !== current);
      const alternatives = [...new Set(ids)].slice(0, matching.maxCandidates).map((id) => ({ topic: topics.get(id)!, score: 0 }));
      session.pending = alternatives.map((a) => a.topic.id);
      session.alternatives = [];
      return finish(composer.clarify(alternatives, kb.ui.reject), publicCandidates);
    }

    // 3. A facet ("要多久?"): a follow-up on the current topic, unless the message names a new topic.
    const facet = rejecting ? null : facetOf(normalized, best, current !== null);
    if (facet?.only && !current) {
      // Nothing to apply it to: ask which matter, don't guess.
      return finish(fallback(session, best.score, kb.ui.facet_without_topic), publicCandidates);
    }
    if (facet && current) {
      const next = facet.restTopic;
      if (next && next.topic !== current && next.score >= matching.switchTopicAbove) {
        return finish(answer(session, next.topic, facet.facet, next.score, candidates), publicCandidates);
      }
      const reply = composer.answer({ topic: topics.get(current)!, facet: facet.facet, kind: 'followup', confidence: 1, shown: session.facetsShown });
      session.facetsShown = reply.shown;
      return finish(reply.reply, publicCandidates);
    }

    // 4. Out of scope, or not sure enough: fallback that never strands the user.
    if (best.topic === OUT_OF_SCOPE || best.score < matching.fallbackBelow) {
      return finish(fallback(session, best.score, rejecting ? kb.ui.reject_none : undefined), publicCandidates);
    }

    // 5. Small talk.
    if (!isTopic(best.topic)) return finish(composer.smalltalk(best.topic, best.score), publicCandidates);

    // 6. A request to help evade real-name is refused even when another topic is close.
    const refusal = best.label !== best.topic;
    // 7. Too close to call: clarify with up to 3 candidates.
    const close = candidates
      .filter((c) => isTopic(c.topic) && best.score - c.score < matching.clarifyMargin)
      .slice(0, matching.maxCandidates);
    if (close.length > 1 && !refusal) {
      session.pending = close.map((c) => c.topic);
      return finish(
        composer.clarify(close.map((c) => ({ topic: topics.get(c.topic)!, score: c.score }))),
        publicCandidates,
      );
    }

    // 8. An answer (a refusal when the message asks for help evading real-name).
    return finish(answer(session, best.topic, facet?.facet ?? null, best.score, candidates, refusal), publicCandidates);
  }

  /**
   * The facet a message asks for, the topic named by the rest of it (when it
   * names one clearly: "那微信" ties everywhere), and whether the facet is all
   * there is ("要多久?"): nothing else names a topic, strongly or at all.
   */
  function facetOf(normalized: string, best: Candidate, inConversation: boolean) {
    const hit = facets.detect(normalized);
    if (!hit) return null;
    const rest = withoutPhrase(normalized, hit.phrase);
    const wholeNamesNone = best.topic === OUT_OF_SCOPE || best.score < matching.fallbackBelow || !isTopic(best.topic);
    const restIsShort = [...rest.replace(/\s/g, '')].length <= 2;
    // Outside a conversation the rest only matters when the whole message is unclear (saves a ranking).
    const needRest = inConversation || wholeNamesNone || restIsShort;
    const ranking = needRest && rest && !facets.detect(rest) ? toCandidates(matcher.rank(rest)) : [];
    const [first, second] = ranking;
    const restTopic =
      first && isTopic(first.topic) && first.score >= matching.fallbackBelow && first.score - (second?.score ?? 0) >= matching.clarifyMargin
        ? first
        : null;
    const only = !restTopic && (wholeNamesNone || (restIsShort && best.score < matching.switchTopicAbove));
    return { facet: hit.facet as Facet, restTopic, only };
  }

  /** The fallback reply; its suggested topics can be picked by number ("1", "第二个"). */
  function fallback(session: Session, confidence: number, intro?: string): Reply {
    session.pending = kb.fallback.suggest.filter(isTopic);
    return composer.fallback(confidence, intro);
  }

  function isReject(normalized: string): boolean {
    return rejectPhrases.some((p) => normalized === p || (normalized.startsWith(p) && [...normalized].length - [...p].length <= 2));
  }

  /** Answers a topic and records it as the context for follow-ups. */
  function answer(
    session: Session,
    topicId: string,
    facet: Facet | null,
    confidence: number,
    candidates: readonly Candidate[] = [],
    refusal = false,
  ): Reply {
    const sameTopic = session.topic === topicId;
    const { reply, shown } = composer.answer({
      topic: topics.get(topicId)!,
      facet,
      kind: refusal ? 'refusal' : sameTopic && facet ? 'followup' : 'answer',
      confidence,
      shown: sameTopic ? session.facetsShown : [],
    });
    session.topic = topicId;
    session.facetsShown = shown;
    session.pending = [];
    session.alternatives = candidates
      .filter((c) => c.topic !== topicId && isTopic(c.topic) && c.score >= matching.alternativeAbove)
      .slice(0, matching.maxCandidates)
      .map((c) => c.topic);
    return reply;
  }

  /** A followed suggestion: the same as typing it, but exact. */
  function pick(session: Session, input: { topic: string; facet?: string | null }): RespondResult {
    session.pending = [];
    const facet = (input.facet ?? null) as Facet | null;
    if (isTopic(input.topic)) return { reply: answer(session, input.topic, facet, 1), session, candidates: [] };
    if (kb.smalltalk.some((s) => s.id === input.topic)) {
      return { reply: composer.smalltalk(input.topic, 1), session, candidates: [] };
    }
    return { reply: composer.fallback(0), session, candidates: [] };
  }

  return {
    respond,
    welcome: () => composer.welcome(),
    topicsMenu: () => composer.topicsMenu(),
    topics: kb.topics.map((t) => ({ id: t.id, name: t.name })),
    knows: (id) => isTopic(id) || kb.smalltalk.some((s) => s.id === id),
    contextTtlMs: ttlMs,
    matcher,
  };
}
