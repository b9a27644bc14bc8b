/**
 * `npm run check`: every problem a curator can make, listed at once.
 * Structural problems come from readContent(); this adds the lint checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readContent, PROJECT_ROOT, type ContentProblem, type KnowledgeBase, type ContentSources } from './load.js';
import { normalize } from '../nlu/normalize.js';
import { trainingExamples, createTopicMatcher, labelTopic, toCandidates, OUT_OF_SCOPE } from '../engine/engine.js';
import { createComposer } from '../engine/compose.js';
import { renderText } from '../render/text.js';
import { createNlu } from '../nlu/pipeline.js';
import { inScopeTopic, requiredFeatures, requirementGate, routeFor } from '../engine/resolve.js';
import { dialogue, matching } from '../nlu/config.js';
import { createSegmenter } from '../nlu/segment.js';

/** Training utterances a topic needs at least. */
export const MIN_UTTERANCES = 40;

/** A topic whose `checked` date is older than this many days is due for review (a warning). */
export const REVIEW_AFTER_DAYS = 180;

/**
 * One phone screen: the default answer to a first question, counted as a reader sees it
 * (characters without whitespace, URLs not counted; see readingLength()).
 */
export const ANSWER_LIMITS = {
  /** The summary and the lead section (steps, or the first section), before the channels. */
  lead: 350,
  /** The whole rendered answer: title, summary, lead section, channels and sources. */
  total: 700,
} as const;

export interface CheckOptions {
  /** The date the review check counts from (YYYY-MM-DD or a Date); today by default. */
  today?: string | Date;
  /** Run the held-out check (ten retrainings, the slow part); default true. */
  heldOut?: boolean;
}

export interface CheckReport {
  problems: ContentProblem[];
  /** Held-out check: how many training utterances still route to their own topic. */
  heldOut: { total: number; routed: number } | null;
  /**
   * Advice that does not fail the check: reviews due, lexicon values no training line
   * uses, and training lines the matcher learns weakly (messages starting "held out:").
   */
  warnings: ContentProblem[];
}

export function checkContent(root: string = PROJECT_ROOT, options: CheckOptions = {}): CheckReport {
  const { kb, sources, problems } = readContent(root);
  if (!kb) return { problems, heldOut: null, warnings: [] };
  const warnings: ContentProblem[] = [...reviewDue(kb, root, options.today ?? new Date())];
  const lexicon = lintLexicon(kb, root);
  problems.push(...lintUtterances(kb), ...lintBodies(kb, sources), ...lintAnswerLength(kb, sources), ...lexicon.problems);
  warnings.push(...lexicon.warnings);
  if (options.heldOut === false) return { problems, heldOut: null, warnings };
  const heldOut = heldOutCheck(kb);
  problems.push(...heldOut.problems);
  warnings.push(...heldOut.warnings);
  return { problems, heldOut: { total: heldOut.total, routed: heldOut.routed }, warnings };
}

/** The 1-based line of the first line of `file` (under `root`) matching `re`, if any. */
function lineOf(root: string, file: string, re: RegExp, after = 0): number | undefined {
  try {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    const i = lines.findIndex((l, n) => n >= after && re.test(l));
    return i >= 0 ? i + 1 : undefined;
  } catch {
    return undefined;
  }
}

const at = (file: string, line: number | undefined): Pick<ContentProblem, 'file' | 'line'> => (line ? { file, line } : { file });

const DAY_MS = 86_400_000;
const isoDay = (d: string | Date) => (typeof d === 'string' ? d : d.toISOString().slice(0, 10));

/**
 * Topics checked against the fact sheet more than REVIEW_AFTER_DAYS ago: "review due", as FAQ
 * platforms expire answers. A date more than a day ahead of `today` is a typo.
 */
export function reviewDue(kb: KnowledgeBase, root: string, today: string | Date): ContentProblem[] {
  const now = Date.parse(isoDay(today));
  const warnings: ContentProblem[] = [];
  for (const t of kb.topics) {
    const file = `content/${t.id}.md`;
    const days = Math.floor((now - Date.parse(t.content.checked)) / DAY_MS);
    const where = at(file, lineOf(root, file, /^checked:/));
    if (days > REVIEW_AFTER_DAYS) {
      warnings.push({
        ...where,
        message: `review due: checked ${t.content.checked}, ${days} days ago (review every ${REVIEW_AFTER_DAYS} days): check the text against the fact sheet, then update \`checked\``,
      });
    } else if (days < -1) {
      warnings.push({ ...where, message: `checked ${t.content.checked} is in the future: write the date you checked the text` });
    }
  }
  return warnings;
}

const READING_URL_RE = /https?:\/\/[^\s()()<>「」,,、]+/g;

/** Length as a reader counts it: characters (code points) without whitespace, URLs removed. */
export const readingLength = (text: string): number => [...text.replace(READING_URL_RE, '').replace(/\s+/g, '')].length;

/**
 * The default answer to a first question (summary, lead section, channels, sources, as the
 * terminal shows it) must fit ANSWER_LIMITS; the rest belongs in facet sections.
 */
export function lintAnswerLength(kb: KnowledgeBase, sources?: ContentSources): ContentProblem[] {
  const composer = createComposer(kb);
  const problems: ContentProblem[] = [];
  for (const topic of kb.topics) {
    const { reply } = composer.answer({ topic, facet: null, kind: 'answer', confidence: 1, shown: [] });
    const tail = reply.blocks.findIndex((b) => b.type === 'channels' || b.type === 'sources');
    const { title: _title, ...untitled } = reply;
    const lead = readingLength(renderText({ ...untitled, blocks: tail < 0 ? reply.blocks : reply.blocks.slice(0, tail) }));
    const total = readingLength(renderText(reply));
    if (lead <= ANSWER_LIMITS.lead && total <= ANSWER_LIMITS.total) continue;
    const file = `content/${topic.id}.md`;
    problems.push({
      ...at(file, sources?.bodies.find((b) => b.file === file)?.line),
      message:
        `the default answer is too long: ${lead} characters of summary and steps (at most ${ANSWER_LIMITS.lead}) and ` +
        `${total} with channels and sources (at most ${ANSWER_LIMITS.total}), not counting spaces and URLs: ` +
        'shorten the summary and the lead section, and move details into other sections',
    });
  }
  return problems;
}

const HAN_RE = /\p{Script=Han}/u;

/**
 * intents/_lexicon.yaml: a form under two values and a Han form the segmenter would cut
 * (problems); a value no training line names (warning). Unknown route topics are reported
 * by readContent().
 */
export function lintLexicon(kb: KnowledgeBase, root?: string): { problems: ContentProblem[]; warnings: ContentProblem[] } {
  const file = 'intents/_lexicon.yaml';
  const problems: ContentProblem[] = [];
  const warnings: ContentProblem[] = [];
  const where = (type: string, value: string) => {
    if (!root) return { file };
    const typeLine = lineOf(root, file, new RegExp(`^\\s+${type}:`));
    return at(file, typeLine ? lineOf(root, file, new RegExp(`^\\s+${value}:`), typeLine) : undefined);
  };
  const name = (e: { type: string; value: string }) => `${e.type}.${e.value}`;

  const owner = new Map<string, { type: string; value: string }>();
  for (const e of kb.lexicon.entities) {
    for (const raw of e.forms) {
      const form = raw.replace(/\s+/g, ' ');
      const first = owner.get(form);
      if (!first) owner.set(form, e);
      else if (name(first) === name(e)) problems.push({ ...where(e.type, e.value), message: `form "${raw}" is listed twice under ${name(e)}` });
      else problems.push({ ...where(e.type, e.value), message: `form "${raw}" is listed under ${name(first)} and ${name(e)}: a form stands for one value; keep it under one` });
    }
  }

  const nlu = createNlu(kb);
  // The segmenter the pipeline uses: every Han form is one of its user words.
  const segmenter = createSegmenter(nlu.lexicon.hanForms);
  for (const e of kb.lexicon.entities) {
    for (const form of e.forms) {
      if (!HAN_RE.test(form) || /\s/.test(form)) continue;
      const tokens = segmenter.cut(form);
      if (tokens.length > 1) {
        problems.push({
          ...where(e.type, e.value),
          message: `form "${form}" of ${name(e)} is cut into ${tokens.map((t) => `"${t.text}"`).join(' + ')} by the word segmenter even as a user word, so it never matches as one: write it without punctuation, or list its parts as forms`,
        });
      }
    }
  }

  const used = new Set<string>();
  for (const { text } of trainingExamples(kb, nlu)) for (const hit of nlu.lexicon.tag(segmenter.cut(text), text)) used.add(`${hit.type}.${hit.value}`);
  for (const e of kb.lexicon.entities) {
    if (used.has(name(e))) continue;
    warnings.push({
      ...where(e.type, e.value),
      message:
        `${name(e)}: no training line names it (${e.forms.join(', ')}), so the matcher learns nothing from it` +
        (e.route ? ` (its route to ${e.route} still applies)` : '') +
        ': add a training line that uses one of its forms, or remove the value',
    });
  }
  // A topic that requires values: its own lines should name one, or a question like them is never answered with it.
  for (const t of kb.topics) {
    if (!t.requires.length) continue;
    const needed = requiredFeatures(t.requires);
    const missing = t.utterances.filter((u) => {
      const terms = nlu.featurize(nlu.prepare(u));
      return !needed.some((f) => terms.includes(f));
    });
    if (!missing.length) continue;
    warnings.push({
      file: `intents/${t.id}.yaml`,
      message:
        `${missing.length} of ${t.utterances.length} lines of ${t.id} name none of the values it requires (${t.requires.join(', ')}), ` +
        `so a first question like them is never answered with it: add the word they use as a form of the value, or reword them: ` +
        missing.slice(0, 5).map((u) => `"${u}"`).join(', ') + (missing.length > 5 ? ', …' : ''),
    });
  }
  return { problems, warnings };
}

/** Duplicates across labels, too few utterances per topic. */
export function lintUtterances(kb: KnowledgeBase): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const owner = new Map<string, string>();
  const intentsFile = (label: string) =>
    label === OUT_OF_SCOPE ? 'intents/_off-topic.yaml' : label.startsWith('meta.') ? 'intents/_smalltalk.yaml' : `intents/${labelTopic(label)}.yaml`;
  const add = (label: string, text: string) => {
    const key = normalize(text).replace(/\s+/g, '');
    if (!key) return;
    const first = owner.get(key);
    if (first === undefined) owner.set(key, label);
    else if (first !== label) {
      problems.push({ file: intentsFile(label), message: `utterance "${text}" also appears under ${first}` });
    } else {
      problems.push({ file: intentsFile(label), message: `utterance "${text}" is listed twice` });
    }
  };
  for (const t of kb.topics) {
    t.utterances.forEach((u) => add(t.id, u));
    t.refusals.forEach((u) => add(t.id, u));
    if (t.utterances.length < MIN_UTTERANCES) {
      problems.push({ file: `intents/${t.id}.yaml`, message: `${t.utterances.length} utterances; a topic needs at least ${MIN_UTTERANCES}` });
    }
  }
  for (const s of kb.smalltalk) s.utterances.forEach((u) => add(s.id, u));
  kb.offTopic.forEach((u) => add(OUT_OF_SCOPE, u));
  // Follow-up examples teach which section answers a question: one section each, and none of them a
  // first question too (a line under `utterances:` of any topic).
  const section = new Map<string, string>();
  for (const t of kb.topics) {
    for (const [facet, lines] of Object.entries(t.followups)) {
      for (const text of lines ?? []) {
        const key = normalize(text).replace(/\s+/g, '');
        if (!key) continue;
        const here = `${t.id} followups.${facet}`;
        const first = section.get(key);
        if (first !== undefined) {
          problems.push({ file: `intents/${t.id}.yaml`, message: `follow-up "${text}" is listed ${first === here ? 'twice' : `also under ${first}`}` });
        } else section.set(key, here);
        const asUtterance = owner.get(key);
        if (asUtterance !== undefined) {
          problems.push({ file: `intents/${t.id}.yaml`, message: `follow-up "${text}" is also a training utterance of ${asUtterance}: keep it in one place` });
        }
      }
    }
  }
  return problems;
}

const URL_RE = /\bhttps?:\/\/[^\s)\]」』,,。;;]+|\bwww\.[a-z0-9.-]+\.[a-z]{2,}[^\s)\]」』,,。;;]*/gi;
// Five or more digits (dashes allowed) that are not a date; or a short number right after a phone word.
const LONG_NUMBER_RE = /(?<![\d.,-])\d(?:-?\d){4,}(?![\d.,])/g;
const PHONE_WORD_RE = /(?:拨打|致电|电话|热线|报警|打)\s*[::]?\s*(\d{3,4})(?!\d)/g;
const DATE_RE = /^\d{4}-\d{1,2}-\d{1,2}$/;
const INLINE_PATH_RE = /(?:^|[^\n>])\S+\s*>\s*\S+\s*>\s*\S+/;

/** Never-say phrases; phone numbers, URLs and in-app paths typed into content instead of channels. */
export function lintBodies(kb: KnowledgeBase, sources: ContentSources): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const phones = new Set<string>();
  const urls = new Set<string>();
  for (const c of kb.channels.values()) {
    if (c.kind === 'phone' || /^[\d-]+$/.test(c.value)) phones.add(c.value.replace(/-/g, ''));
    if (c.url) urls.add(c.url);
  }
  for (const body of sources.bodies) {
    body.text.split('\n').forEach((line, i) => {
      const at = { file: body.file, line: body.line + i };
      // Never-say rules apply to what is shown, so check the line with channels expanded too.
      const shown = line.replace(/\[\[([^\]]*)\]\]/g, (_, id: string) => kb.channels.get(id.trim())?.value ?? id);
      for (const rule of kb.neverSay) {
        const m = rule.pattern.exec(shown);
        if (m) problems.push({ ...at, message: `never say "${m[0]}": ${rule.why}` });
      }
      const raw = line.replace(/\[\[[^\]]*\]\]/g, ' ');
      for (const m of raw.matchAll(URL_RE)) {
        if (![...urls].some((u) => m[0].startsWith(u) || u.includes(m[0]))) {
          problems.push({ ...at, message: `URL ${m[0]} is not in content/channels.yaml: add it there and write [[id]]` });
        }
      }
      for (const m of raw.matchAll(LONG_NUMBER_RE)) {
        if (DATE_RE.test(m[0]) || /^\d{4}$/.test(m[0])) continue;
        problems.push({ ...at, message: `number ${m[0]} looks like a phone number: put it in content/channels.yaml and write [[id]]` });
      }
      for (const m of raw.matchAll(PHONE_WORD_RE)) {
        if (!phones.has(m[1]!)) problems.push({ ...at, message: `phone number ${m[1]} is not in content/channels.yaml` });
        else problems.push({ ...at, message: `write the phone number ${m[1]} as its channel [[id]]` });
      }
      if (!/^\s*>/.test(raw) && INLINE_PATH_RE.test(raw)) {
        problems.push({ ...at, message: 'an in-app path (A > B > C) is typed into content: add it to content/channels.yaml and write [[id]]' });
      }
    });
  }
  return problems;
}

/** 32-bit FNV-1a hash: a stable fold for each utterance. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Folds of the held-out check: every utterance is held out once, with a tenth of the data. */
export const HELD_OUT_FOLDS = 10;

/**
 * What the held-out check fails on. A model that generalises misroutes a few
 * of its own training lines when they are held out (rare words become unknown
 * ones): those are warnings to read. It fails when a line clearly belongs to
 * another topic, or when a topic (or the whole set) is learned too poorly.
 */
export const HELD_OUT_LIMITS = {
  /** Held out, a line going to another topic with at least this score contradicts that topic's data. */
  conflictAbove: 0.6,
  /** Share of every topic's lines that must route to their own topic. */
  topicFloor: 0.9,
  /** Share of all lines that must route to their own topic. */
  overallFloor: 0.97,
} as const;

export interface HeldOutResult {
  total: number;
  routed: number;
  /** Conflicts and floors missed: the check fails. */
  problems: ContentProblem[];
  /** Lines that fall to off-topic or another topic weakly: worth a look, not a failure. */
  warnings: ContentProblem[];
}

/**
 * Each topic utterance, held out of the index, should still route to its own
 * topic. The matcher learns (softmax), so "held out" means retrained without
 * it: k-fold, each utterance held out together with a tenth of the data.
 */
export function heldOutCheck(kb: KnowledgeBase): HeldOutResult {
  const nlu = createNlu(kb);
  const examples = trainingExamples(kb, nlu);
  const problems: ContentProblem[] = [];
  const warnings: ContentProblem[] = [];
  const perTopic = new Map<string, { total: number; routed: number }>();
  let total = 0;
  let routed = 0;
  const fileOf = (topic: string) => (topic.startsWith('meta.') ? 'intents/_smalltalk.yaml' : `intents/${topic}.yaml`);
  const gate = requirementGate(kb.topics);
  const gates = kb.topics.some((t) => t.requires.length);
  const topicIds = new Set(kb.topics.map((t) => t.id));
  const isTopic = (id: string) => topicIds.has(id);
  // Folds by a hash of the text, so adding one utterance does not reshuffle every other.
  const foldOf = examples.map((e) => fnv1a(`${e.label}\u0000${e.text}`) % HELD_OUT_FOLDS);
  for (let fold = 0; fold < HELD_OUT_FOLDS; fold++) {
    const inFold = (i: number) => foldOf[i] === fold;
    const matcher = createTopicMatcher(kb, nlu, examples.filter((_, i) => !inFold(i)));
    examples.forEach((example, i) => {
      const own = labelTopic(example.label);
      if (!inFold(i) || own === OUT_OF_SCOPE) return;
      total++;
      const counts = perTopic.get(own) ?? { total: 0, routed: 0 };
      perTopic.set(own, counts);
      counts.total++;
      // As the engine reads a first question: a topic that requires a lexicon value only for a line
      // that names one; a line naming only another platform's matter goes where the lexicon routes
      // it; one that names what the bot is about (inScope) and reads as off-topic by a hair, to its best topic.
      const entities = nlu.parse(example.text).entities;
      const ranked = gate(toCandidates(matcher.rank(example.text)), gates ? nlu.featurize(example.text) : []);
      const limits = { offTopicAbove: dialogue.routeUnlessOffTopicAbove, topicAbove: dialogue.routeUnlessTopicAbove };
      const route = ranked[0]!.label === ranked[0]!.topic ? routeFor(nlu.lexicon, ranked[0]!, entities, limits, OUT_OF_SCOPE) : null;
      const inScope = route ? null : inScopeTopic(nlu.lexicon, ranked, entities, isTopic, { margin: matching.inScopeMargin, above: matching.inScopeAbove }, OUT_OF_SCOPE);
      const best = route ? { topic: route, score: 1, label: route } : (inScope ?? ranked[0]!);
      if (best.topic === own) {
        routed++;
        counts.routed++;
        return;
      }
      const conflict = best.topic !== OUT_OF_SCOPE && best.score >= HELD_OUT_LIMITS.conflictAbove;
      (conflict ? problems : warnings).push({
        file: fileOf(own),
        message:
          `held out: "${example.text}" routes to ${best.topic} (${best.score.toFixed(2)}) instead of ${own}` +
          (conflict ? ': it reads like that topic; reword it, move it, or add lines that tell the two apart' : ''),
      });
    });
  }
  for (const [topic, c] of perTopic) {
    if (c.routed / c.total < HELD_OUT_LIMITS.topicFloor) {
      problems.push({
        file: fileOf(topic),
        message: `held out, only ${c.routed}/${c.total} lines route to ${topic} (needs ${HELD_OUT_LIMITS.topicFloor * 100}%): add more varied lines`,
      });
    }
  }
  if (total && routed / total < HELD_OUT_LIMITS.overallFloor) {
    problems.push({
      file: 'intents/',
      message: `held out, only ${routed}/${total} lines route to their own topic (needs ${HELD_OUT_LIMITS.overallFloor * 100}%)`,
    });
  }
  return { total, routed, problems, warnings };
}
