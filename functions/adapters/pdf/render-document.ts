/**
 * A document model through a template into a PDF: compile (with the built-in partials), render the HTML,
 * print it in the sandboxed renderer with the built-in fonts and stylesheet plus the model's images,
 * and fingerprint the result.
 */
import { createHash } from 'node:crypto';
import type { DocumentModel } from '../../domain/documents';
import type { AssetMap } from './assets';
import { loadBuiltinTemplates, type BuiltinTemplates } from './builtin-templates';
import { pageFooterTemplate, type PdfRenderer } from './renderer';
import { compileTemplate, TemplateError, translate } from './template-engine';

export interface RenderDocumentOptions {
  /** Bytes of the images the model names (`images.logo`, ...) and any other asset the template uses. */
  assets?: AssetMap;
  /** Built-in partials and assets; default: loaded (once) from `templates/`. */
  builtins?: BuiltinTemplates;
}

export interface RenderedDocument {
  pdf: Buffer;
  /** Hex SHA-256 of the PDF bytes. */
  sha256: string;
  /** Bytes. */
  size: number;
  pages?: number;
  /** Requests the sandbox refused (a template reaching outside its assets). */
  blocked: string[];
}

export class MissingAssetError extends Error {
  constructor(readonly assets: string[]) {
    super(`the document names images that were not supplied: ${assets.join(', ')}`);
    this.name = 'MissingAssetError';
  }
}

/**
 * Throws TemplateError when the template does not compile or does not fit the model, MissingAssetError
 * when the model names an image that is not in `assets`, and the renderer's errors (RenderTimeoutError,
 * SandboxViolationError) when printing fails.
 */
export async function renderDocumentPdf(
  renderer: PdfRenderer,
  templateSource: string,
  model: DocumentModel,
  options: RenderDocumentOptions = {},
): Promise<RenderedDocument> {
  const builtins = options.builtins ?? (await loadBuiltinTemplates());
  const compiled = compileTemplate(templateSource, { partials: builtins.partials });
  if (!compiled.ok) {
    const first = compiled.errors[0];
    throw new TemplateError(`template does not compile: ${first?.message ?? 'unknown error'} (line ${first?.line ?? '?'})`, compiled.errors);
  }
  const html = compiled.render(model);

  const assets: AssetMap = { ...builtins.assets, ...options.assets };
  const missing = Object.values(model.images ?? {}).filter((name): name is string => typeof name === 'string' && name !== '' && !Object.hasOwn(assets, name));
  if (missing.length > 0) throw new MissingAssetError(missing);

  const footer = pageFooterTemplate(translate('pageXofY', model.locale));
  const { pdf, pages, blocked } = await renderer.render(html, { assets, footer });
  return {
    pdf,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    size: pdf.byteLength,
    ...(pages !== undefined ? { pages } : {}),
    blocked,
  };
}
