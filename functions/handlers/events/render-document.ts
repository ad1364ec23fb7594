import { createHash } from 'node:crypto';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { events, type EventDetail } from '../../../events/catalog';
import { DocumentDataError, Printing, Settings, type DocumentModel, type DocumentRecord } from '../../domain/documents';
import { logger } from '../../shared/logger';
import { documents } from '../../shared/wiring/documents';
import { invoicePorts } from '../../shared/wiring/invoicing';
import { imageAssets, renderFailure, renderPdf, templateSource, type AssetMap } from '../../shared/wiring/pdf';
import { registerPrint } from '../../shared/wiring/register-print';
import { sales } from '../../shared/wiring/sales';
import { storage } from '../../shared/wiring/storage';
import { tenants } from '../../shared/wiring/tenancy';

type Requested = EventDetail<'documentRequested'>;

/** The document's subject (invoice or quote) as the template's model, with the tenant's settings and images. */
async function inputsOf(
  doc: DocumentRecord,
): Promise<{ model: DocumentModel; source: string; assets: AssetMap; facturX?: () => Promise<(pdf: Uint8Array) => Promise<Uint8Array>> }> {
  const tenant = await tenants().getTenant(doc.tenantId);
  if (!tenant) throw new DocumentDataError('the tenant no longer exists');
  let model: DocumentModel;
  let registered: Awaited<ReturnType<typeof registerPrint>> = null;
  let facturX: (() => Promise<(pdf: Uint8Array) => Promise<Uint8Array>>) | undefined;
  if (doc.subjectType === 'invoice') {
    const invoice = await invoicePorts().invoices.get(doc.tenantId, doc.subjectId);
    if (!invoice) throw new DocumentDataError(`the invoice ${doc.subjectId} no longer exists`);
    if (doc.format === 'facturx') {
      // loaded only for Factur-X documents (pdf-lib)
      facturX = async () => {
        const { facturXDocument } = await import('../../shared/wiring/facturx');
        return (pdf) => facturXDocument(pdf, invoice, tenant, new Date());
      };
    }
    // a registered invoice prints its QR code and the VERI*FACTU legend
    registered = invoice.number ? await registerPrint(doc.tenantId, invoice.id) : null;
    model = { ...Printing.invoiceDocumentModel(invoice, tenant), register: registered?.model ?? null };
  } else {
    const quote = await sales().quotes.get(doc.tenantId, doc.subjectId);
    if (!quote) throw new DocumentDataError(`the quote ${doc.subjectId} no longer exists`);
    model = Printing.quoteDocumentModel(quote, tenant);
  }
  const source = await templateSource(doc.tenantId, doc.templateId, model.kind);
  const assets = await imageAssets(Settings.documentSettingsOf(tenant.settings));
  if (registered) assets[registered.model.qr] = { contentType: 'image/png', body: registered.png };
  return { model, source, assets, ...(facturX ? { facturX } : {}) };
}

/**
 * `document.requested` -> the PDF in S3 and the document ready (or failed, with a reason).
 *
 * At least once in, exactly one outcome out: a document that is no longer pending is left alone (a
 * redelivery renders nothing), and `complete` flips pending -> ready | failed once, with its event.
 * What the input itself gets wrong (template, data, a missing image, a template or PDF past its limits)
 * marks the document failed at once; a failure of the moment (deadline, crashed browser) is retried with
 * backoff first (wiring/pdf.ts's renderPdf) and marks it failed when it persists, so nothing stays pending.
 * The log says which (`transient`). Only storage and table failures are thrown, for the bus to retry; the
 * PDF is put before the document is completed, so a retry after a failed completion renders again and
 * overwrites the same key.
 */
export async function renderRequestedDocument(detail: Requested): Promise<'ready' | 'failed' | 'skipped'> {
  const doc = await documents().documents.get(detail.tenantId, detail.documentId);
  if (!doc) {
    logger.warn('requested document does not exist', { documentId: detail.documentId });
    return 'skipped';
  }
  if (doc.status !== 'pending') {
    logger.info('document already rendered; nothing to do', { documentId: doc.id, status: doc.status });
    return 'skipped';
  }
  const started = Date.now();
  const fail = async (reason: string, error?: unknown, transient = false) => {
    logger.warn('document render failed', { documentId: doc.id, reason, transient, ...(error ? { error: error as Error } : {}) });
    await documents().documents.complete(doc, { status: 'failed', reason });
    return 'failed' as const;
  };

  let inputs;
  try {
    inputs = await inputsOf(doc);
  } catch (error) {
    if (error instanceof DocumentDataError) return fail(error.message);
    // Storage and table failures are transient: the bus retries. Anything else is a bug no retry fixes.
    if (isInfrastructureError(error)) throw error;
    return fail(
      `the document could not be prepared: ${String((error as Error)?.message ?? error)
        .split('\n')[0]!
        .slice(0, 300)}`,
      error,
    );
  }

  let rendered;
  try {
    rendered = await renderPdf(inputs.source, inputs.model, inputs.assets, { tenantId: doc.tenantId });
  } catch (error) {
    const failure = renderFailure(error);
    return fail(failure.reason, failure.transient ? error : undefined, failure.transient);
  }
  if (inputs.facturX) {
    try {
      const pdf = await (await inputs.facturX())(rendered.pdf);
      rendered = { ...rendered, pdf, size: pdf.byteLength, sha256: createHash('sha256').update(pdf).digest('hex') };
    } catch (error) {
      return fail(`the Factur-X document could not be made: ${String((error as Error)?.message ?? error).slice(0, 300)}`, error);
    }
  }
  if (rendered.blocked.length > 0)
    logger.warn('the template asked for resources outside its assets; refused', { documentId: doc.id, blocked: rendered.blocked.slice(0, 10) });
  await storage().put(doc.s3Key, rendered.pdf, 'application/pdf', { sha256: rendered.sha256 });
  const completed = await documents().documents.complete(doc, {
    status: 'ready',
    sha256: rendered.sha256,
    size: rendered.size,
    ...(rendered.pages !== undefined ? { pages: rendered.pages } : {}),
  });
  logger.info('document rendered', { documentId: doc.id, ms: Date.now() - started, size: rendered.size, pages: rendered.pages, completed });
  return 'ready';
}

/** Errors of the AWS SDK (S3, DynamoDB) and of the network: transient, for the bus to retry. */
function isInfrastructureError(error: unknown): boolean {
  const e = error as { $metadata?: unknown; $fault?: unknown; code?: string; name?: string } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.$metadata !== undefined || e.$fault !== undefined) return true;
  if (typeof e.code === 'string' && /^(ECONN|ETIMEDOUT|EAI_AGAIN|EPIPE|ENOTFOUND)/.test(e.code)) return true;
  return e.name === 'ElectroError' || e.name === 'TimeoutError';
}

export async function renderDocument(event: EventBridgeEvent<string, unknown>): Promise<void> {
  if (event['detail-type'] !== events.documentRequested.detailType) {
    logger.warn('unexpected event', { detailType: event['detail-type'] });
    return;
  }
  const detail = events.documentRequested.schema.parse(event.detail);
  logger.appendKeys({ tenantId: detail.tenantId, eventId: detail.eventId, documentId: detail.documentId });
  await renderRequestedDocument(detail);
}

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(renderDocument);
