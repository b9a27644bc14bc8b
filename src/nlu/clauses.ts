/**
 * The clauses of a message, as its writer punctuated it. People with a story write context
 * first and the question after it ("我爸上个月走了,他微信零钱里还有一万多,我们想取出来,要走什么流程?");
 * diluted by the story, the whole may read as off-topic while one clause names the matter plainly.
 * Read on the raw text (normalising removes the punctuation).
 */

/** Clause ends: Chinese and Latin commas, stops, question and exclamation marks, semicolons, the enumeration comma, line breaks. */
const CLAUSE_END = /[,，。.!！?？;；、\n]+/u;

/** The message's clauses with at least `minChars` characters (code points, punctuation and spaces not counted), in order. */
export function clauses(raw: string, minChars: number): string[] {
  return raw
    .split(CLAUSE_END)
    .map((c) => c.trim())
    .filter((c) => [...c.replace(/\s/g, '')].length >= minChars);
}
