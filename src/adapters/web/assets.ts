/**
 * The page's three files (public/index.html, app.js, app.css), read once at
 * start and kept in memory with their gzip. The script and the stylesheet
 * are served under content-hashed names, so the HTML can be revalidated on
 * every visit while they are cached for good.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Reply } from '../../engine/types.js';

export interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

export interface Assets {
  /** The HTML page. */
  page: Asset;
  /** Hashed file names (`app.3f2a9c01d4.js`) -> asset, served under /static/. */
  files: Map<string, Asset>;
}

const PUBLIC = new URL('./public/', import.meta.url);

const asset = (body: Buffer, type: string): Asset => ({
  body,
  gzip: gzipSync(body, { level: 9 }),
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
});

/** JSON safe inside a <script type="application/json"> element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function loadAssets(options: { welcome: Reply }): Assets {
  const files = new Map<string, Asset>();
  const hashed = (name: string, type: string) => {
    const body = readFileSync(new URL(name, PUBLIC));
    const [base, ext] = name.split('.') as [string, string];
    const file = `${base}.${createHash('sha256').update(body).digest('hex').slice(0, 10)}.${ext}`;
    files.set(file, asset(body, type));
    return `/static/${file}`;
  };
  const css = hashed('app.css', 'text/css; charset=utf-8');
  const js = hashed('app.js', 'text/javascript; charset=utf-8');
  const html = readFileSync(new URL('index.html', PUBLIC), 'utf8')
    .replace('{{css}}', css)
    .replace('{{js}}', js)
    .replace('{{welcome}}', () => scriptJson(options.welcome));
  return { page: asset(Buffer.from(html), 'text/html; charset=utf-8'), files };
}
