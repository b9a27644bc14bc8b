// @nlpjs/* ship no types; only what the benchmark uses.
declare module '@nlpjs/core-loader' {
  export function containerBootstrap(): Promise<any>;
}
declare module '@nlpjs/nlp' {
  export const Nlp: any;
}
declare module '@nlpjs/lang-zh' {
  export const LangZh: any;
}
