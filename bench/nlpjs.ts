/**
 * NLP.js (@nlpjs/nlp + @nlpjs/lang-zh), the JavaScript NLU library with
 * Chinese support, trained on exactly our intents/ utterances. A benchmark
 * peer only (devDependency).
 */
import { containerBootstrap } from '@nlpjs/core-loader';
import { Nlp } from '@nlpjs/nlp';
import { LangZh } from '@nlpjs/lang-zh';

export interface NlpJs {
  /** Intent and score of one text. */
  process(text: string): Promise<{ intent: string; score: number }>;
}

export async function trainNlpJs(examples: readonly { label: string; text: string }[]): Promise<NlpJs> {
  const container = await containerBootstrap();
  container.registerConfiguration('nlu-??', { log: false }, true);
  container.use(Nlp);
  container.use(LangZh);
  const nlp = container.get('nlp');
  nlp.settings.autoSave = false;
  nlp.settings.log = false;
  // NLP.js turns every score under 0.5 into 'None' by itself; the benchmark tunes the threshold
  // on the training data instead, so NLP.js gets the same chance as the other contenders.
  nlp.settings.threshold = 0;
  nlp.addLanguage('zh');
  for (const e of examples) nlp.addDocument('zh', e.text, e.label);
  await nlp.train();
  return {
    async process(text) {
      const r = await nlp.process('zh', text);
      return { intent: r.intent ?? 'None', score: r.score ?? 0 };
    },
  };
}
