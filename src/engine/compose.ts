/**
 * Composing platform-neutral replies from curated content. Pure.
 */
import type { KnowledgeBase, Topic } from '../content/load.js';
import { toTraditional } from '../nlu/normalize.js';
import type { Block, ChannelPointer, Facet, Reply, Suggestion } from './types.js';
import { dialogue } from '../nlu/config.js';

export interface Composer {
  answer(args: {
    topic: Topic;
    facet: Facet | null;
    kind: 'answer' | 'followup' | 'refusal';
    confidence: number;
    shown: readonly string[];
  }): { reply: Reply; shown: Facet[] };
  smalltalk(id: string, confidence: number): Reply;
  clarify(candidates: readonly { topic: Topic; score: number }[], intro?: string): Reply;
  /** "Which part of X do you mean?": the topic's sections as buttons, and a way to ask something else. */
  whichPart(topic: Topic, shown: readonly string[], missing?: Facet): Reply;
  /** The fallback; inside a conversation (`live`), the live topic's sections lead its buttons. */
  fallback(confidence: number, intro?: string, live?: { topic: Topic; shown: readonly string[] }): Reply;
  welcome(): Reply;
  topicsMenu(): Reply;
}

/** Fills {placeholders} of a UI text. */
export const fill = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (m, key: string) => values[key] ?? m);

export function createComposer(kb: KnowledgeBase): Composer {
  const topics = new Map(kb.topics.map((t) => [t.id, t]));
  const facetName = new Map(kb.facets.map((f) => [f.id, f.name]));
  const channelsBlock = (channels: ChannelPointer[], compact = false): Block[] =>
    channels.length ? [{ type: 'channels', title: kb.ui.channels_title, channels, ...(compact ? { compact } : {}) }] : [];
  const sourcesBlock = (topic: Topic, compact: boolean): Block => ({
    type: 'sources',
    title: kb.ui.sources_title,
    checkedLabel: kb.ui.checked_label,
    checked: topic.content.checked,
    sources: topic.content.sources,
    ...(compact ? { compact } : {}),
  });
  const topicSuggestion = (id: string): Suggestion[] => {
    const t = topics.get(id);
    return t ? [{ label: t.name, kind: 'topic', topic: t.id, facet: null }] : [];
  };

  return {
    answer({ topic, facet, kind, confidence, shown }) {
      const { content } = topic;
      const sections = [...content.sections.keys()];
      // Without a facet, an answer shows the steps (or its first section) after the summary.
      const lead: Facet | null = facet ?? (content.sections.has('steps') ? 'steps' : (sections[0] ?? null));
      const section = lead ? content.sections.get(lead) : undefined;
      const blocks: Block[] = [];
      if (kind === 'refusal' && content.refusal) blocks.push({ type: 'paragraph', text: content.refusal });
      if (kind !== 'followup' || !section) blocks.push(...content.summary);
      if (facet && !section) {
        blocks.push({
          type: 'note',
          text: fill(kb.ui.facet_missing, { facet: facetName.get(facet) ?? facet, topic: topic.name }),
        });
      }
      if (section && lead) blocks.push({ type: 'heading', text: facetName.get(lead) ?? lead }, ...section);
      // A follow-up in the same topic already showed the channels' notes.
      blocks.push(...channelsBlock(content.channels, kind === 'followup'));
      blocks.push(sourcesBlock(topic, kind === 'followup'));

      const nowShown = [...new Set([...shown, ...(section && lead ? [lead] : [])])] as Facet[];
      // Facet buttons first, but a related topic always keeps its places (a topic may have many sections).
      const related = topic.related.flatMap(topicSuggestion);
      const keep = Math.min(related.length, dialogue.relatedSuggestions);
      const facets = sections
        .filter((f) => !nowShown.includes(f))
        .map((f): Suggestion => ({ label: facetName.get(f) ?? f, kind: 'facet', topic: topic.id, facet: f }));
      const shownFacets = facets.slice(0, dialogue.maxSuggestions - keep);
      const suggestions: Suggestion[] = [...shownFacets, ...related].slice(0, dialogue.maxSuggestions);
      return {
        reply: {
          kind,
          topic: topic.id,
          facet,
          confidence,
          title: content.title,
          blocks,
          suggestions,
          sources: content.sources,
          checked: content.checked,
        },
        shown: nowShown,
      };
    },

    smalltalk(id, confidence) {
      const intent = kb.smalltalk.find((s) => s.id === id);
      return {
        kind: 'smalltalk',
        topic: id,
        facet: null,
        confidence,
        ...(intent ? { title: intent.title } : {}),
        blocks: [...(intent?.blocks ?? []), ...channelsBlock(intent?.channels ?? [])],
        suggestions: (intent?.suggest ?? []).flatMap(topicSuggestion),
        sources: [],
      };
    },

    clarify(candidates, intro = kb.ui.clarify) {
      return {
        kind: 'clarify',
        topic: candidates[0]?.topic.id ?? null,
        facet: null,
        confidence: candidates[0]?.score ?? 0,
        blocks: [
          { type: 'paragraph', text: intro },
          { type: 'steps', items: candidates.map((c) => c.topic.name) },
        ],
        suggestions: candidates.map((c) => ({ label: c.topic.name, kind: 'candidate', topic: c.topic.id, facet: null })),
        sources: [],
      };
    },

    whichPart(topic, shown, missing) {
      const facets = [...topic.content.sections.keys()];
      const order = [...facets.filter((f) => !shown.includes(f)), ...facets.filter((f) => shown.includes(f))];
      return {
        kind: 'clarify',
        topic: topic.id,
        facet: null,
        confidence: 0,
        blocks: [
          {
            type: 'paragraph',
            text: missing
              ? fill(kb.ui.which_part_missing, { topic: topic.name, facet: facetName.get(missing) ?? missing })
              : fill(kb.ui.which_part, { topic: topic.name }),
          },
        ],
        // Every section (a few more buttons than an answer has: they are the whole choice here), then the way out.
        suggestions: [
          ...order.slice(0, dialogue.maxSuggestions + 2).map((f): Suggestion => ({ label: facetName.get(f) ?? f, kind: 'facet', topic: topic.id, facet: f })),
          ...(kb.smalltalk.some((s) => s.id === 'meta.help') ? [{ label: kb.ui.ask_else, kind: 'topic' as const, topic: 'meta.help', facet: null }] : []),
        ],
        sources: [],
      };
    },

    fallback(confidence, intro, live) {
      // Inside a conversation a message the bot could not place may still be about the live topic:
      // its sections not shown yet come first (at most half the buttons), then the usual topics.
      const facets = live
        ? [...live.topic.content.sections.keys()]
            .filter((f) => !live.shown.includes(f))
            .slice(0, Math.floor(dialogue.maxSuggestions / 2))
            .map((f): Suggestion => ({ label: facetName.get(f) ?? f, kind: 'facet', topic: live.topic.id, facet: f }))
        : [];
      const topicsOffered = kb.fallback.suggest.filter((id) => id !== live?.topic.id).flatMap(topicSuggestion);
      return {
        kind: 'fallback',
        topic: null,
        facet: null,
        confidence,
        blocks: [
          ...(intro ? [{ type: 'paragraph', text: intro } as const] : []),
          ...kb.fallback.blocks,
          ...(facets.length ? [{ type: 'paragraph', text: fill(kb.ui.fallback_live, { topic: live!.topic.name }) } as const] : []),
          ...channelsBlock(kb.fallback.channels),
        ],
        suggestions: [...facets, ...topicsOffered].slice(0, facets.length ? dialogue.maxSuggestions : undefined),
        sources: [],
      };
    },

    welcome() {
      return {
        kind: 'smalltalk',
        topic: 'meta.greeting',
        facet: null,
        confidence: 1,
        blocks: kb.welcome.blocks,
        suggestions: kb.welcome.suggest.flatMap(topicSuggestion),
        sources: [],
      };
    },

    topicsMenu() {
      return {
        kind: 'smalltalk',
        topic: 'meta.help',
        facet: null,
        confidence: 1,
        blocks: [{ type: 'paragraph', text: kb.ui.topics_menu }],
        suggestions: kb.topics.map((t) => ({ label: t.name, kind: 'topic', topic: t.id, facet: null })),
        sources: [],
      };
    },
  };
}

/** The same reply in Traditional characters, for users who write Traditional. */
export function traditionalReply(reply: Reply): Reply {
  const t = toTraditional;
  const block = (b: Block): Block => {
    switch (b.type) {
      case 'steps':
      case 'list':
        return { ...b, items: b.items.map(t) };
      case 'channels':
        return {
          ...b,
          title: t(b.title),
          channels: b.channels.map((c) => ({ ...c, name: t(c.name), value: t(c.value), ...(c.note ? { note: t(c.note) } : {}) })),
        };
      case 'sources':
        return {
          ...b,
          title: t(b.title),
          checkedLabel: t(b.checkedLabel),
          sources: b.sources.map((s) => ({ ...s, title: t(s.title), kindLabel: t(s.kindLabel) })),
        };
      default:
        return { ...b, text: t(b.text) };
    }
  };
  return {
    ...reply,
    ...(reply.title ? { title: t(reply.title) } : {}),
    blocks: reply.blocks.map(block),
    suggestions: reply.suggestions.map((s) => ({ ...s, label: t(s.label) })),
    sources: reply.sources.map((s) => ({ ...s, title: t(s.title), kindLabel: t(s.kindLabel) })),
  };
}
