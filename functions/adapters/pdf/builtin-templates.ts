/**
 * The standard document templates shipped in `templates/`: invoice (also proformas), quote, credit note,
 * their shared partials, the stylesheet and the embedded fonts. Tenants' own templates live in S3 and
 * can use the same partials and assets.
 *
 * Read from disk once per process. Where `templates/` sits next to the code in a bundle is the bundler's
 * business: pass `templatesDir` (and `fontPackageDir`) when it is not `<repo>/templates`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentKind } from '../../domain/documents';
import { loadBuiltinFonts, type AssetMap } from './assets';

export type BuiltinTemplateName = 'invoice' | 'quote' | 'credit-note';

/**
 * The names of the built-in partials (`templates/partials/*.hbs`), which tenants' templates may include.
 * Kept here so that code without the template files at hand (the templates API validating an upload) knows
 * them; a unit test keeps the list equal to the folder.
 */
export const BUILTIN_PARTIAL_NAMES = [
  'address',
  'document-header',
  'head',
  'lines',
  'notes',
  'parties',
  'payment',
  'register-qr',
  'signatures',
  'totals',
] as const;

export interface BuiltinTemplates {
  templates: Record<BuiltinTemplateName, string>;
  /** `templates/partials/<name>.hbs` by name, for `{{> name}}`. */
  partials: Record<string, string>;
  /** fonts.css, the Noto Sans woff2 files and invoice.css. */
  assets: AssetMap;
}

export interface BuiltinTemplatesOptions {
  templatesDir?: string;
  fontPackageDir?: string;
}

/** The built-in template for a document kind (a proforma is printed with the invoice template). */
export function builtinTemplateName(kind: DocumentKind): BuiltinTemplateName {
  switch (kind) {
    case 'quote':
      return 'quote';
    case 'credit_note':
      return 'credit-note';
    case 'invoice':
    case 'proforma':
      return 'invoice';
  }
}

export function defaultTemplatesDir(): string {
  return fileURLToPath(new URL('../../../templates/', import.meta.url));
}

const cache = new Map<string, Promise<BuiltinTemplates>>();

export function loadBuiltinTemplates(options: BuiltinTemplatesOptions = {}): Promise<BuiltinTemplates> {
  const dir = options.templatesDir ?? defaultTemplatesDir();
  const key = `${dir}\u0000${options.fontPackageDir ?? ''}`;
  let cached = cache.get(key);
  if (!cached) {
    cached = read(dir, options.fontPackageDir);
    cached.catch(() => cache.delete(key));
    cache.set(key, cached);
  }
  return cached;
}

async function read(dir: string, fontPackageDir: string | undefined): Promise<BuiltinTemplates> {
  const text = (path: string) => readFile(join(dir, path), 'utf8');
  const partials: Record<string, string> = {};
  for (const file of (await readdir(join(dir, 'partials'))).sort()) {
    if (file.endsWith('.hbs')) partials[basename(file, '.hbs')] = await text(join('partials', file));
  }
  const fonts = await loadBuiltinFonts(fontPackageDir ? { fontPackageDir } : {});
  return {
    templates: {
      invoice: await text('invoice/invoice.hbs'),
      quote: await text('quote/quote.hbs'),
      'credit-note': await text('credit-note/credit-note.hbs'),
    },
    partials,
    assets: {
      ...fonts,
      'invoice.css': { contentType: 'text/css; charset=utf-8', body: Buffer.from(await text('invoice/invoice.css')), immutable: true },
    },
  };
}
