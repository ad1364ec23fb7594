import { httpApi } from '../../shared/http/api';
import { RawResponse, route, type RequestContext } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { documents } from '../../shared/wiring/documents';
import { httpDeps } from '../../shared/wiring/http';
import { storage } from '../../shared/wiring/storage';
import { EmailOpens, type PublicLinkRecord } from '../../domain/documents';
import { almostReady, notAvailable, previewableLink, usableLink } from './page';
import { renderInvoicePage, routes as invoicePageRoutes, wantsHtml } from './invoice-page';
import { renderQuotePage, routes as quotePageRoutes } from './quote-page';

/** A transparent 1x1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const meta = (ctx: RequestContext<unknown, unknown>) => ({ ip: ctx.sourceIp, userAgent: ctx.userAgent });

/** A link's document: a 302 to a presigned URL of its PDF once ready (`record` counts the view first); the pages in the browser's language. */
async function documentAnswer(link: PublicLinkRecord, language: string | undefined, record: () => Promise<unknown>): Promise<RawResponse> {
  const doc = link.documentId ? await documents().documents.get(link.tenantId, link.documentId) : null;
  if (!doc || doc.status === 'failed') return notAvailable(language);
  if (doc.status === 'pending') return almostReady(language);
  await record();
  const url = await storage().presignGet(doc.s3Key, { contentType: 'application/pdf', downloadName: `${doc.subjectId}.pdf` });
  return new RawResponse({ statusCode: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
}

/** An open of the e-mail pixel: a person's (recorded as an open, which may move the stage) or not (recorded as unverified). */
async function recordOpen(link: PublicLinkRecord, ctx: RequestContext<unknown, unknown>): Promise<void> {
  const sentAt = await documents().links.lastEmailAt(link.tenantId, link.subjectId);
  const verdict = EmailOpens.classify({ ...meta(ctx), referer: ctx.headers.referer, sentAt, now: new Date() });
  if (verdict.verified) await documents().links.recordView(link, 'email_open', meta(ctx));
  else await documents().links.recordUnverifiedOpen(link, { ...meta(ctx), reason: verdict.reason });
}

export const routes = {
  'GET /p/{token}': route({
    summary:
      "The client opens a public link: the view is recorded; a browser (Accept: text/html) gets an invoice's hosted page (balance due, " +
      'PDF and UBL downloads, bank transfer with EPC QR code, Pay button when card payment is set up), any other client a redirect to a ' +
      "presigned PDF URL (minutes); a quote's link opens the quote page",
    permission: 'public',
    errors: [404],
    handler: async (ctx) => {
      const language = ctx.headers['accept-language'];
      const link = await usableLink(ctx.params.token);
      if (!link) return notAvailable(language);
      if (link.subjectType === 'quote') return renderQuotePage(link, ctx, { token: ctx.params.token });
      if (wantsHtml(ctx.headers.accept)) return renderInvoicePage(link, ctx, { token: ctx.params.token });
      return documentAnswer(link, language, () => documents().links.recordView(link, 'link', meta(ctx)));
    },
  }),
  'GET /p/preview/{id}': route({
    summary:
      "The staff's preview of a public link (the previewUrl of documents and quotes): what the client sees, without the accept form; " +
      'records no view and accepts nothing. Revoked and expired links answer 404 here too.',
    permission: 'public',
    errors: [404],
    handler: async (ctx) => {
      const language = ctx.headers['accept-language'];
      const link = await previewableLink(ctx.params.id);
      if (!link) return notAvailable(language);
      if (link.subjectType === 'quote') return renderQuotePage(link, ctx, { preview: true });
      if (wantsHtml(ctx.headers.accept)) return renderInvoicePage(link, ctx, { preview: true });
      return documentAnswer(link, language, async () => undefined);
    },
  }),
  'GET /p/{token}/open.gif': route({
    summary:
      'The e-mail open pixel: records an open and answers a 1x1 GIF (always, so it reveals nothing). An open right after sending, ' +
      'or by a known proxy or scanner, is recorded as unverified and moves nothing (functions/domain/documents/email-opens.ts)',
    permission: 'public',
    handler: async (ctx) => {
      try {
        const link = await usableLink(ctx.params.token);
        if (link) await recordOpen(link, ctx);
      } catch (error) {
        logger.warn('could not record an e-mail open', { error: error as Error });
      }
      return new RawResponse({
        statusCode: 200,
        headers: { 'content-type': 'image/gif', 'cache-control': 'no-store, no-cache, must-revalidate, private', pragma: 'no-cache' },
        body: PIXEL.toString('base64'),
        isBase64Encoded: true,
      });
    },
  }),
  ...quotePageRoutes,
  ...invoicePageRoutes,
};

export const handler = httpApi(routes, httpDeps);
