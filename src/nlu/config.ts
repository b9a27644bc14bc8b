/**
 * Every threshold and weight of understanding, in one place (like Rasa's
 * FallbackClassifier defaults). Scores are in 0..1. When you change a value,
 * run `npm run eval` and update the README's "How matching works" section.
 */
export const matching = {
  /** Below this top score the message is out of scope: fallback. */
  fallbackBelow: 0.15,
  /** Top-1 and top-2 topics closer than this (and both above fallbackBelow): clarify. */
  clarifyMargin: 0.035,
  /** A follow-up whose own topic scores at least this (facet words removed) switches topic. */
  switchTopicAbove: 0.35,
  /** Candidates offered by a clarify (at most). */
  maxCandidates: 3,
  /** Runner-up topics kept for "不是这个" need at least this score. */
  alternativeAbove: 0.2,
  /**
   * A first question that names a lexicon value marked `inScope` (实名, 身份证, 微信支付) and reads as
   * off-topic by at most this margin is answered with its best topic ...
   */
  inScopeMargin: 0.05,
  /** ... when that topic scores at least this. */
  inScopeAbove: 0.15,

  /** Weight of the nearest training utterance (k-NN cosine) in the topic score. */
  knnWeight: 0.55,
  /** Weight of the topic's centroid cosine in the topic score. */
  centroidWeight: 0.45,
  /**
   * A label's centroid cosine is divided by (its coherence ** this): coherence is how close
   * its own examples are to its centroid, low for a label of varied phrasings (off-topic).
   */
  coherencePower: 0.5,
  /** Term weight is idf ** idfPower (idf from natural's TfIdf over one document per label). */
  idfPower: 1,
  /** A term never seen in training weighs this share of the rarest known term (it lowers every score). */
  unknownWeight: 1.75,

  /** Share of the softmax (logistic regression) probability in the score; the rest is k-NN + centroid. */
  softmaxWeight: 0.5,
  /** Softmax training: passes over the data, and the first step size (it decays per pass). */
  softmaxEpochs: 3,
  softmaxLearningRate: 4,

  /** fuse.js runs only on queries this short (in characters), where typos hurt n-grams most ... */
  fuseMaxChars: 6,
  /** ... and this long: one typo in 2-3 characters is another word ("hey" is not "help"). */
  fuseMinChars: 4,
  /** fuse.js threshold (0 exact .. 1 anything). */
  fuseThreshold: 0.4,
  /** ... and only when the best score so far is below this (a strong match has no typo worth fixing). */
  fuseBelow: 0.5,
  /** A fuse.js match counts as (1 - fuse score) * fuseWeight. */
  fuseWeight: 0.75,

  /** A facet phrase must be covered this much (bigrams and words weigh 1, single characters 0.5) to count. */
  facetCoverage: 0.75,

  /**
   * Only this many characters of a message are matched: its beginning and its
   * end, where a long story puts the question ("…现在怎么办"). A 100 KB paste
   * is never read whole.
   */
  maxChars: 240,
  /** A term used by at least this share of labels is skipped by the nearest-example and centroid passes. */
  commonTermLabels: 0.8,
  /** At most this many distinct query terms are scored, the rarest (heaviest) first. */
  maxQueryTerms: 64,
} as const;

/** Dialogue defaults; the context timeout can be set with CONTEXT_TTL_MINUTES. */
export const dialogue = {
  /** Follow-up context expires after this many idle minutes. */
  contextTtlMinutes: 30,
  /** Suggestions shown under an answer (facet follow-ups first, then related topics). */
  maxSuggestions: 6,
  /** ... of which this many are kept for related topics when the topic has them. */
  relatedSuggestions: 2,
  /**
   * Passes of the softmax of "which facet does a question read like" (any topic's sections). Two
   * find the same sections as three on the tuning conversations, at two thirds of the training.
   */
  facetSoftmaxEpochs: 2,
  /** A detail question names a section of the current topic when their cosine is at least this. */
  sectionAbove: 0.05,
  /** Share of "which facet does it read like" (any topic's sections) in a section's score; the rest is its own text. */
  sectionPriorWeight: 0.15,
  /**
   * Which of a topic's sections a question asks: the same blend, with the prior's share going from
   * sectionOrderPriorExplained (the best section scores sectionExplainedAbove or more on its own text)
   * up to sectionOrderPriorUnexplained (no section shares anything with it). How a question is asked
   * decides more where the text says little about it: "我还欠着微粒贷 能注销吗" asks the conditions.
   */
  sectionOrderPriorExplained: 0.1,
  sectionOrderPriorUnexplained: 0.4,
  sectionExplainedAbove: 0.4,
  /**
   * A section's score from its lines: the nearest line and the centroid of its lines, blended with
   * these weights (the topic matcher's knnWeight and centroidWeight, for sections).
   */
  sectionNearestWeight: 0.2,
  sectionCentroidWeight: 0.8,
  /** An elliptical turn ("那微信的呢") is a fragment of at most this many characters (after normalising). */
  ellipsisMaxChars: 12,
  /** Inside a conversation the live topic's score is raised by this before anything is decided. */
  contextBoost: 0.2,
  /** Inside a conversation another topic is switched to when it scores at least this (and clearly leads). */
  switchInConversation: 0.5,
  /** A turn whose known words are this much (idf share) in a section of the live topic stays on it, however it ranks. */
  sectionKeepsTopic: 0.5,
  /** ... and so does a turn whose best section of the live topic scores at least this ... */
  followUpKeepsTopic: 0.25,
  /** ... ahead of the other topic's best section by at least this. */
  followUpLead: 0.15,
  /** A lexicon route is not taken when off-topic scores at least this ... */
  routeUnlessOffTopicAbove: 0.4,
  /** ... or another topic does (the route's own topic included: then it is the same answer). */
  routeUnlessTopicAbove: 0.9,
  /** A request to evade real-name is refused when it scores at least this; weaker, the topic is answered plainly. */
  refusalAbove: 0.35,
  /** A correction ("不对,我是说…") multiplies the rejected topic's score by this. */
  correctionPenalty: 0.5,
  /** Inside a conversation, the fallback only when off-topic scores at least this ... */
  outOfScopeInConversation: 0.4,
  /** ... and the message reads like a follow-up of some facet less than this (else: a follow-up, or "which part?"). */
  followUpLikeAbove: 0.25,
  /**
   * Off-topic at any score is the fallback too when no topic reaches leanAbove, the live topic's best
   * section scores below this ...
   */
  unrelatedSectionBelow: 0.08,
  /** ... and the message reads like a follow-up of some facet less than this. */
  unrelatedFollowUpBelow: 0.15,
  /**
   * Never off-topic inside a conversation: a turn that names something of the lexicon and whose
   * terms are found in a section of the live topic at least this much ("里面还有两千多零钱 怎么拿出来"
   * after 被封: the balance of a blocked account).
   */
  offTopicUnlessOverlap: 0.4,
  /** Small talk or off-topic scoring below this yields to a section of the live topic ... */
  followUpOverSmalltalk: 0.5,
  /** ... that scores at least this ... */
  sectionAnswers: 0.2,
  /** ... or at least sectionAbove, when the turn reads like a follow-up of some facet at least this much. */
  followUpLikeAnswers: 0.6,
  /**
   * A first question whose whole reads as off-topic is read clause by clause (its punctuation) and by
   * pairs of neighbouring clauses, each clause of at least this many characters ...
   */
  clauseMinChars: 3,
  /** ... and a clause read first as a topic scoring at least this names the matter (the best such is answered). */
  clauseTopicAbove: 0.3,
  /** ... at most this many clauses of it: half from its beginning, half from its end. */
  clausesRead: 6,
  /** A message the bot could not place leans to its best topic when that scores at least this (two in a row: answered). */
  leanAbove: 0.1,
  /**
   * A facet word beside a detail ("冷静期里登录了会怎样"): the section the rest of the turn reads as
   * instead, when this many characters are left beside the facet phrase, that section scores at
   * least detailOverFacetAbove and leads the next section by detailOverFacetLead ("要不要…申请" beside
   * 客服电话 reads as cost and materials alike: no detail), and the asked facet's section scores under
   * detailOverFacetRatio of it.
   */
  detailOverFacetChars: 4,
  detailOverFacetAbove: 0.15,
  detailOverFacetRatio: 0.5,
  detailOverFacetLead: 0.1,
  /**
   * A turn whose best section of the live topic scores under weakSectionBelow, while another topic
   * scores at least switchTopicAbove and leads the live one by unboostedLead without the context
   * boost, is that other topic's first question.
   */
  weakSectionBelow: 0.15,
  unboostedLead: 0.05,
  /**
   * A topic at most this share of whose training lines name no action (deleting the account,
   * unbinding a card, changing or removing real-name) is no switch for a turn that names no action.
   */
  actionTopicWithoutActionAtMost: 0.1,
  /**
   * An action at least this share of a topic's training lines name is part of its matter: a turn naming
   * the frame's action keeps to the live topic only then (注销 after 注销微信支付, not 封 after the rumour
   * that unverified accounts will be banned, 1-2% of those topics' lines); and a fragment naming no action
   * reads as a topic whose matter is an action only through such a frame action (解绑 is 7% of removing
   * real-name's lines: "那微信的呢" after 京东的实名怎么解绑).
   */
  ownActionShare: 0.05,
  /** A turn that names another topic at least this surely switches to it, whatever the live topic's sections share with it. */
  switchDespiteSectionsAbove: 0.8,
  /** Courtesies and shift words before a question ("谢谢,另外…") are no content when at least this many characters follow. */
  leadRestChars: 3,
  /** A facet phrase with an off-topic rest ("红烧肉怎么做") falls back only when this many characters are left beside it ... */
  offTopicRestChars: 3,
  /**
   * ... and the rest reads as off-topic at least this much (a little more than a whole turn needs: "我是群主有影响吗"
   * after 注销账号 asks about the account, though "我是群主" alone leans off-topic).
   */
  offTopicRestAbove: 0.5,
  /** ... and so does one whose rest, off-topic at any score, reads like a follow-up of some facet less than this. */
  unrelatedRestBelow: 0.1,
} as const;

/** The matching settings, any values (a matcher may be built with other weights: sections use no softmax). */
export type MatchingConfig = { readonly [K in keyof typeof matching]: number };
