/**
 * A document model through a template into a PDF: render the HTML in the template worker (compiled once per
 * worker, with the built-in partials, within the template limits), print it in the sandboxed renderer with
 * the built-in fonts and stylesheet plus the model's images, and fingerprint the result.
 * And which failures are worth another try (`isTransientRenderError`).
 */
import { createHash } from 'node:crypto';
import type { DocumentModel } from '../../domain/documents';
import type { AssetMap } from './assets';
import { loadBuiltinTemplates, type BuiltinTemplates } from './builtin-templates';
import { PdfLimitError, SandboxViolationError, type PdfRenderer } from './renderer';
import { TemplateError, translate } from './template-engine';
import { templateRenderer, type TemplateRenderer } from './template-worker';

export interface RenderDocumentOptions {
  /** Bytes of the images the model names (`images.logo`, ...) and any other asset the template uses. */
  assets?: AssetMap;
  /** Built-in partials and assets; default: loaded (once) from `templates/`. */
  builtins?: BuiltinTemplates;
  /** Whose document it is: the renderer reuses a page only for the same tenant (see RenderOptions.tenant). */
  tenant?: string;
  /** Where the template runs; default: the process's template workers. */
  templates?: TemplateRenderer;
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
 * Throws TemplateError when the template does not compile, does not fit the model or exceeds its limits
 * (TemplateLimitError), MissingAssetError when the model names an image that is not in `assets`, and the
 * renderer's errors (RenderTimeoutError, SandboxViolationError, PdfLimitError, BrowserCrashedError) when
 * printing fails.
 */
export async function renderDocumentPdf(
  renderer: PdfRenderer,
  templateSource: string,
  model: DocumentModel,
  options: RenderDocumentOptions = {},
): Promise<RenderedDocument> {
  // A cold renderer launches its browser while the template renders.
  renderer.prepare();
  const builtins = options.builtins ?? (await loadBuiltinTemplates());
  const html = await (options.templates ?? templateRenderer()).render(templateSource, model, { partials: builtins.partials });

  const assets: AssetMap = { ...builtins.assets, ...options.assets };
  const missing = Object.values(model.images ?? {}).filter((name): name is string => typeof name === 'string' && name !== '' && !Object.hasOwn(assets, name));
  if (missing.length > 0) throw new MissingAssetError(missing);

  // The number on every page, so that a continuation page says which document it belongs to: drawn by the
  // document's own layout (the renderer's pageNumbers), far cheaper than a Chromium footer template.
  const pageNumbers = model.number ? translate('numberPageXofY', model.locale, { number: model.number }) : translate('pageXofY', model.locale);
  const { pdf, pages, blocked } = await renderer.render(html, {
    sharedAssets: builtins.assets,
    assets: options.assets ?? {},
    pageNumbers,
    ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
  });
  return {
    pdf,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    size: pdf.byteLength,
    ...(pages !== undefined ? { pages } : {}),
    blocked,
  };
}

/** Failures of the input itself (template, images, sandbox, bounds): the same input fails again. */
export function isPermanentRenderError(error: unknown): boolean {
  return error instanceof TemplateError || error instanceof MissingAssetError || error instanceof SandboxViolationError || error instanceof PdfLimitError;
}

/**
 * Failures of the moment, worth another try after a pause: the deadline (a busy machine), a browser that
 * crashed or could not start, a template worker that stopped. Everything that is not the input's fault.
 */
export function isTransientRenderError(error: unknown): boolean {
  return !isPermanentRenderError(error);
}

export interface RetryOptions {
  /** Attempts in all (default 3). */
  attempts?: number;
  /** Pause before the first retry; each next one is 4 times longer, +-25 % jitter (default 500 ms). */
  backoffMs?: number;
  isTransient?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Runs `attempt` until it succeeds, fails for good (not transient) or has run `attempts` times. */
export async function retryTransient<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const isTransient = options.isTransient ?? isTransientRenderError;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= attempts || !isTransient(error)) throw error;
      const delayMs = Math.round((options.backoffMs ?? 500) * 4 ** (n - 1) * (0.75 + random() * 0.5));
      options.onRetry?.(error, n, delayMs);
      await sleep(delayMs);
    }
  }
}
