/**
 * Picking one of the candidates a clarify offered: "1", "第二个", "选3",
 * or a candidate's display name.
 */

const ORDINALS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const ORDINAL_RE = /^(?:选|要|我选|就|是)?第?([1-9]|[一二两三四五六])(?:个|项|条|种|号)?(?:吧|的)?$/;

/**
 * The 0-based index of the chosen candidate, or null when the text is not a choice.
 * `normalized` comes from normalize(); `names` are the candidates' normalised display names.
 */
export function parseChoice(normalized: string, names: readonly string[]): number | null {
  const compact = normalized.replace(/\s+/g, '');
  if (!compact) return null;
  const m = ORDINAL_RE.exec(compact);
  if (m) {
    const n = /\d/.test(m[1]!) ? Number(m[1]) : ORDINALS[m[1]!]!;
    return n >= 1 && n <= names.length ? n - 1 : null;
  }
  // A name, or the text inside a name (at least two characters): "注销账号", "注销".
  const exact = names.findIndex((n) => n.replace(/\s+/g, '') === compact);
  if (exact >= 0) return exact;
  if ([...compact].length >= 2) {
    const within = names.filter((n) => n.replace(/\s+/g, '').includes(compact) || compact.includes(n.replace(/\s+/g, '')));
    if (within.length === 1) return names.indexOf(within[0]!);
  }
  return null;
}
