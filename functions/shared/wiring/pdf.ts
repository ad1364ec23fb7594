/**
 * The PDF side of the wiring, imported only by the functions declared `pdf: true` (render-document and the
 * template preview): the warm renderer (one Chromium per container, launched on first use), the built-in
 * templates, and the loading of what a render needs from storage (the tenant's template source and images).
 * Kept apart from the other wiring so that no other function ever bundles puppeteer or Chromium.
 */
import type { AssetMap } from '../../adapters/pdf/assets';
import { builtinTemplateName, loadBuiltinTemplates, type BuiltinTemplates } from '../../adapters/pdf/builtin-templates';
import {
  isPermanentRenderError as isPermanentPdfError,
  MissingAssetError,
  renderDocumentPdf,
  retryTransient,
  type RenderedDocument,
} from '../../adapters/pdf/render-document';
import { createPdfRenderer, PdfLimitError, SandboxViolationError, type PdfRenderer } from '../../adapters/pdf/renderer';
import { TemplateError, TemplateLimitError } from '../../adapters/pdf/template-engine';
import { DocumentDataError, Printing, Template, type DocumentKind, type DocumentModel, type DocumentSettings } from '../../domain/documents';
import { config } from '../config';
import { logger } from '../logger';
import { templatesRepo } from './documents';
import { storage } from './storage';

export type { AssetMap };
export { MissingAssetError, PdfLimitError, SandboxViolationError, TemplateLimitError };

let renderer: PdfRenderer | undefined;

/** The container's renderer: created on first use, its browser launched on the first render and kept warm. */
export function pdfRenderer(): PdfRenderer {
  renderer ??= createPdfRenderer({
    ...(config().CHROMIUM_PATH ? { executablePath: config().CHROMIUM_PATH } : {}),
    timeoutMs: config().PDF_RENDER_TIMEOUT_MS,
  });
  return renderer;
}

/** Closes the renderer (and its browser); the next pdfRenderer() starts a fresh one. */
export async function closePdfRenderer(): Promise<void> {
  const current = renderer;
  renderer = undefined;
  await current?.close().catch((error: unknown) => logger.warn('closing the PDF renderer failed', { error: error as Error }));
}

/** The built-in templates, partials, stylesheet and fonts (read once; where the bundle put them on Lambda). */
export function builtinTemplates(): Promise<BuiltinTemplates> {
  const { TEMPLATES_DIR, FONT_PACKAGE_DIR } = config();
  return loadBuiltinTemplates({
    ...(TEMPLATES_DIR ? { templatesDir: TEMPLATES_DIR } : {}),
    ...(FONT_PACKAGE_DIR ? { fontPackageDir: FONT_PACKAGE_DIR } : {}),
  });
}

/** An object the storage says does not exist (S3 NoSuchKey / 404), as opposed to a storage failure. */
function isMissingObject(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'NoSuchKey' || e?.Code === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * The source of the template a document names: the built-in one for the document's kind, or the tenant's
 * (its current version, from S3). A template that does not exist, does not fit the kind or whose source is
 * gone is a DocumentDataError (the document fails with that reason); a storage failure is thrown as is.
 */
export async function templateSource(tenantId: string, templateId: string, kind: DocumentKind): Promise<string> {
  if (Template.isBuiltin(templateId)) return (await builtinTemplates()).templates[builtinTemplateName(kind)];
  const template = await templatesRepo().get(tenantId, templateId);
  if (!template) throw new DocumentDataError(`the template ${templateId} does not exist (it may have been deleted)`);
  if (!Printing.templateFits(template.kind, kind)) {
    throw new DocumentDataError(
      `the template "${template.name}" is a ${template.kind.replace('_', ' ')} template and cannot print a ${kind.replace('_', ' ')}`,
    );
  }
  try {
    return (await storage().get(template.s3Key)).toString('utf8');
  } catch (error) {
    if (isMissingObject(error))
      throw new DocumentDataError(`the source of the template "${template.name}" (version ${template.version}) is missing from storage`);
    throw error;
  }
}

/** The tenant's images (logo, stamp, signature) as renderer assets, read from S3. */
export async function imageAssets(settings: DocumentSettings): Promise<AssetMap> {
  const assets: AssetMap = {};
  await Promise.all(
    Printing.documentImageFiles(settings).map(async ({ name, asset, image }) => {
      try {
        assets[asset] = { contentType: image.contentType, body: await storage().get(image.key) };
      } catch (error) {
        if (isMissingObject(error)) throw new DocumentDataError(`the ${name} image of the settings is missing from storage: upload it again`);
        throw error;
      }
    }),
  );
  return assets;
}

/** Failures that the same input would meet again: no point retrying, the document fails with the reason. */
export function isPermanentRenderError(error: unknown): boolean {
  return isPermanentPdfError(error) || error instanceof DocumentDataError;
}

/** A failed render for people (a short reason, no stack, no internals), and whether it was only bad luck. */
export interface RenderFailure {
  reason: string;
  /**
   * True for failures of the moment (a deadline on a busy machine, a crashed browser) that were retried and
   * still failed: another try later may work. False when the input itself is wrong (template, data, limits).
   */
  transient: boolean;
}

export function renderFailure(error: unknown): RenderFailure {
  return { reason: renderFailureReason(error), transient: !isPermanentRenderError(error) };
}

/** A short reason for a failed render, for people (no stack, no internals). */
export function renderFailureReason(error: unknown): string {
  const message = String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .slice(0, 400);
  if (error instanceof TemplateLimitError) return `the template is too heavy to render: ${error.errors[0]?.message ?? message}`;
  if (error instanceof TemplateError || error instanceof DocumentDataError || error instanceof MissingAssetError) return message;
  if (error instanceof SandboxViolationError) return `the template tried to leave its sandbox: ${message}`;
  if (error instanceof PdfLimitError) return `the document is too large to print: ${message}`;
  return `the PDF could not be rendered: ${message}`;
}

/** Attempts of one render, and the pause before each retry (then 4 times longer, with jitter). */
export const RENDER_ATTEMPTS = 3;
export const RENDER_BACKOFF_MS = 500;

/**
 * Renders with the container's renderer, reusing pages for the same tenant (`tenantId`). A failure of the
 * moment (deadline, crashed browser) is retried with backoff, on the same renderer (a browser that died is
 * relaunched by the renderer; one that timed out is left to the other renders); a failure of the input is
 * not. Throws the last error. A caller with a short deadline of its own (the preview, behind API Gateway's
 * 29 s) asks for fewer `attempts`.
 */
export async function renderPdf(
  source: string,
  model: DocumentModel,
  assets: AssetMap,
  options: { tenantId?: string; attempts?: number } = {},
): Promise<RenderedDocument> {
  const builtins = await builtinTemplates();
  return retryTransient(
    () => renderDocumentPdf(pdfRenderer(), source, model, { assets, builtins, ...(options.tenantId ? { tenant: options.tenantId } : {}) }),
    {
      attempts: options.attempts ?? RENDER_ATTEMPTS,
      backoffMs: RENDER_BACKOFF_MS,
      isTransient: (error) => !isPermanentRenderError(error),
      onRetry: (error, attempt, delayMs) => logger.warn('PDF render failed; retrying', { attempt, delayMs, error: error as Error }),
    },
  );
}
