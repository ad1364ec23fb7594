/**
 * Embedded assets of the PDF renderer: the only things a document may load.
 *
 * A template refers to an asset by URL under ASSET_ORIGIN (`https://assets.invalid/<name>`; `.invalid` can
 * never resolve, RFC 2606). The renderer answers those requests from memory and aborts every other request.
 * Built-in assets are the Noto Sans fonts (from @fontsource/noto-sans: latin, latin-ext, cyrillic,
 * cyrillic-ext; 400 and 700) and `fonts.css`, their @font-face rules.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const ASSET_ORIGIN = 'https://assets.invalid';

export interface Asset {
  contentType: string;
  body: Buffer | Uint8Array;
  /**
   * The bytes behind this name never change (the built-in fonts and stylesheet): a page may keep them in its
   * context's cache (a context only ever serves one tenant) across the renders of its tenant. Tenants' images
   * are not: a new logo keeps its name.
   */
  immutable?: boolean;
}
export type AssetMap = Record<string, Asset>;

/** The URL of an asset name ("logo.png", "fonts/x.woff2"). */
export function assetUrl(name: string): string {
  return `${ASSET_ORIGIN}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/** The asset name of a URL under ASSET_ORIGIN, or null for any other URL. */
export function assetNameOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== ASSET_ORIGIN || parsed.username || parsed.password) return null;
  try {
    return decodeURIComponent(parsed.pathname.slice(1));
  } catch {
    return null;
  }
}

const FONT_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext'] as const;
const FONT_WEIGHTS = [400, 700] as const;

/** Where @fontsource/noto-sans is installed (its `files/` hold the woff2 files). */
export function defaultFontPackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@fontsource/noto-sans/package.json'));
}

/**
 * @font-face rules for the embedded subsets, taken from the package's own CSS (so unicode ranges stay
 * those of the files), rewritten to point at the asset origin, woff2 only.
 */
function fontFaces(css: string, weight: number): { css: string; files: string[] } {
  const rules: string[] = [];
  const files: string[] = [];
  for (const subset of FONT_SUBSETS) {
    const file = `noto-sans-${subset}-${weight}-normal.woff2`;
    const block = css.match(new RegExp(`@font-face\\s*{[^}]*${file.replace(/[.]/g, '\\.')}[^}]*}`));
    const range = block?.[0].match(/unicode-range:\s*([^;]+);/)?.[1];
    if (!block || !range) throw new Error(`@fontsource/noto-sans: no @font-face for ${file}`);
    files.push(file);
    rules.push(
      [
        '@font-face {',
        "  font-family: 'Noto Sans';",
        '  font-style: normal;',
        '  font-display: block;',
        `  font-weight: ${weight};`,
        `  src: url(${assetUrl(`fonts/${file}`)}) format('woff2');`,
        `  unicode-range: ${range.trim()};`,
        '}',
      ].join('\n'),
    );
  }
  return { css: rules.join('\n'), files };
}

const fontCache = new Map<string, Promise<AssetMap>>();

/**
 * The built-in font assets: `fonts.css` and `fonts/noto-sans-<subset>-<weight>-normal.woff2`.
 * Read once per process (per directory) and kept in memory.
 */
export function loadBuiltinFonts(options: { fontPackageDir?: string } = {}): Promise<AssetMap> {
  const dir = options.fontPackageDir ?? defaultFontPackageDir();
  let cached = fontCache.get(dir);
  if (!cached) {
    cached = readFonts(dir);
    cached.catch(() => fontCache.delete(dir));
    fontCache.set(dir, cached);
  }
  return cached;
}

async function readFonts(dir: string): Promise<AssetMap> {
  const assets: AssetMap = {};
  const css: string[] = [];
  for (const weight of FONT_WEIGHTS) {
    const faces = fontFaces(await readFile(join(dir, `${weight}.css`), 'utf8'), weight);
    css.push(faces.css);
    for (const file of faces.files) {
      assets[`fonts/${file}`] = { contentType: 'font/woff2', body: await readFile(join(dir, 'files', file)), immutable: true };
    }
  }
  assets['fonts.css'] = { contentType: 'text/css; charset=utf-8', body: Buffer.from(css.join('\n'), 'utf8'), immutable: true };
  return assets;
}
