/**
 * Schemas of the curated data in intents/ and content/. Curators edit these
 * files by hand; every problem is reported with its file (see loadContent()).
 */
import { z } from 'zod';
import { FACETS, SOURCE_KINDS } from '../engine/types.js';

export const TOPIC_ID_RE = /^[a-z]+(?:\.[a-z]+)+$/;
export const CHANNEL_ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const topicId = z.string().regex(TOPIC_ID_RE, 'must be a dotted id such as account.delete');
const channelId = z.string().regex(CHANNEL_ID_RE, 'must be a kebab-case id such as hotline-95017');
/**
 * A line curators write. YAML reads an unquoted 95017 or yes as a number or a boolean: say so,
 * instead of zod's bare "Invalid input".
 */
const curatedText = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? undefined : `${what} ${JSON.stringify(issue.input)} is not text to YAML: put it in quotes ('${String(issue.input)}')`) })
    .trim();
const utterance = curatedText('the line').min(1, 'empty utterance');
const displayName = z.string().trim().min(1).max(8, 'display names are at most 8 characters');

export const facetSchema = z.enum(FACETS);

export const topicIntentsSchema = z.strictObject({
  id: topicId,
  name: displayName,
  related: z.array(topicId).default([]),
  /**
   * Lexicon values ("status.deceased"), any one of which a first question must name for the topic
   * to be answered: deceased.account is never presumed from "零钱通里的钱要先取出来吗".
   */
  requires: z.array(z.string().regex(/^[a-z]+\.[a-z_]+$/, 'a required value is written type.value, such as status.deceased')).default([]),
  utterances: z.array(utterance).min(1, 'a topic needs training utterances'),
  refusals: z.array(utterance).default([]),
  /**
   * Follow-up questions each section of content/<id>.md answers, asked without naming the topic
   * ("理财通里的钱要先转出来吗" for conditions): what a curator knows people ask after the answer.
   */
  followups: z.partialRecord(facetSchema, z.array(utterance).min(1)).default({}),
});
export type TopicIntents = z.infer<typeof topicIntentsSchema>;

export const facetsFileSchema = z.strictObject({
  facets: z.record(
    facetSchema,
    z.strictObject({ name: displayName, utterances: z.array(utterance).min(1) }),
  ),
});

export const smalltalkFileSchema = z.strictObject({
  intents: z.record(
    z.string().regex(/^meta\.[a-z]+$/, 'small-talk ids look like meta.greeting'),
    z.strictObject({ name: displayName, utterances: z.array(utterance).min(1) }),
  ),
});

export const offTopicFileSchema = z.strictObject({
  utterances: z.array(utterance).min(1),
});

export const controlFileSchema = z.strictObject({
  /** "不是这个": show the other candidates of the last answer. */
  reject: z.array(utterance).min(1),
});

export const channelSchema = z.strictObject({
  id: channelId,
  name: z.string().min(1),
  kind: z.enum(['phone', 'app-path', 'url', 'account']),
  value: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }).optional(),
  note: z.string().optional(),
});
export const channelsFileSchema = z.strictObject({ channels: z.array(channelSchema).min(1) });

const source = z.strictObject({
  title: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  kind: z.enum(SOURCE_KINDS, { message: `every source needs a kind: ${SOURCE_KINDS.join(', ')} (the fact sheet's tag)` }),
});

/** Front matter of content/<topic id>.md. */
export const topicFrontSchema = z.strictObject({
  id: topicId,
  title: z.string().min(1),
  channels: z.array(channelId).min(1, 'every answer ends with an official channel'),
  sources: z.array(source).min(1, 'list the sources (title and url) from the fact sheet'),
  checked: z.iso.date('checked must be a date such as 2026-11-24'),
  refusal: z.string().optional(),
});

/** Front matter of content/meta.*.md (small talk). */
export const smalltalkFrontSchema = z.strictObject({
  id: z.string().regex(/^meta\.[a-z]+$/),
  title: z.string().min(1),
  channels: z.array(channelId).default([]),
  suggest: z.array(topicId).default([]),
});

/** Front matter of content/_welcome.md and content/_fallback.md. */
export const pageFrontSchema = z.strictObject({
  suggest: z.array(topicId).min(1),
  channels: z.array(channelId).default([]),
});

export const uiFileSchema = z.strictObject({
  clarify: z.string().min(1),
  reject: z.string().min(1),
  reject_none: z.string().min(1),
  facet_missing: z.string().min(1),
  facet_without_topic: z.string().min(1),
  sensitive_warning: z.string().min(1),
  channels_title: z.string().min(1),
  topics_menu: z.string().min(1),
  /** Inside a conversation, when a message is unclear: "你想问「{topic}」的哪一部分?" */
  which_part: z.string().min(1),
  /** The same, after a facet the topic has no section for: "「{topic}」的「{facet}」这一项我没有单独整理…" */
  which_part_missing: z.string().min(1),
  /** The button under it that leaves the topic. */
  ask_else: z.string().min(1).max(8),
  /** Under the fallback inside a conversation, before the live topic's buttons: "还想问「{topic}」的话,点它的部分:" */
  fallback_live: z.string().min(1),
  /** The sources line: 「来源:…」, 「核对于 2026-11-24」, and each kind's label. */
  sources_title: z.string().min(1),
  checked_label: z.string().min(1),
  source_kinds: z.strictObject({ official: z.string().min(1), media: z.string().min(1), 'third-party': z.string().min(1) }),
});
export type UiTexts = z.infer<typeof uiFileSchema>;

export const neverSayFileSchema = z.strictObject({
  rules: z
    .array(
      z.strictObject({
        pattern: z.string().min(1),
        why: z.string().min(1),
      }),
    )
    .min(1),
});

/**
 * A lexicon value: its surface forms, or `{forms, route}` to answer it with a topic, or
 * `{forms, inScope: true}` for a value that says a question is this bot's matter, or
 * `{forms, ages: [min, max]}` for a value an age in that range names ("16岁", "十二岁", "12 years old").
 */
const lexiconForm = curatedText('the form').min(1, 'empty form');
// Either form of a value is read as the object, so a bad form is reported as itself, not as
// "Invalid input" from a union of two shapes.
const lexiconValue = z.preprocess(
  (v) => (Array.isArray(v) ? { forms: v } : v),
  z.strictObject({
    forms: z.array(lexiconForm).min(1),
    route: topicId.optional(),
    inScope: z.literal(true).optional(),
    ages: z
      .tuple([z.number().int().min(0), z.number().int().min(0)])
      .refine(([min, max]) => min <= max, 'ages: [min, max] with min no greater than max')
      .optional(),
  }),
);

/** intents/_lexicon.yaml: entity types with values and their surface forms, and plain synonyms. */
export const lexiconFileSchema = z.strictObject({
  entities: z.record(z.string().regex(/^[a-z]+$/, 'entity types are lower-case words such as platform'), z.record(z.string().regex(/^[a-z_]+$/, 'values are lower-case words such as wechat'), lexiconValue)),
  synonyms: z.record(z.string().trim().min(1), z.array(curatedText('the spelling').min(1)).min(1)).default({}),
});
export type LexiconFile = z.infer<typeof lexiconFileSchema>;
