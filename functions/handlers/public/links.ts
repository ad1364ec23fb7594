import { isWellFormedToken, linkUsable, type PublicLink } from '../../domain/documents';
import { nowIso } from '../../domain/ids';
import { httpApi } from '../../shared/http/api';
import { RawResponse, route, type RequestContext } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { delivery, httpDeps, storage } from '../../shared/wiring';
import { renderQuotePage, routes as quotePageRoutes } from './quote-page';

/** A transparent 1x1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const page = (status: number, title: string, text: string, headers: Record<string, string> = {}) =>
  new RawResponse({
    statusCode: status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-robots-tag': 'noindex', ...headers },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2937"><h1 style="font-size:1.4rem">${title}</h1><p>${text}</p></body></html>`,
  });

/** Unknown, revoked and expired tokens all answer the same, with no hint of what exists. */
const notAvailable = () => page(404, 'Link not available', 'This link does not exist or is no longer available. Please ask the sender for a new one.');

async function usableLink(token: string): Promise<PublicLink | null> {
  if (!isWellFormedToken(token)) return null;
  const link = await delivery().links.get(token);
  return linkUsable(link, nowIso()) ? link : null;
}

const meta = (ctx: RequestContext<unknown, unknown>) => ({ ip: ctx.sourceIp, userAgent: ctx.userAgent });

/** Renders the public page of a quote (provided by the quotes module when present). */
export type QuotePageRenderer = (link: PublicLink, ctx: RequestContext<unknown, unknown>) => Promise<RawResponse>;
let quotePage: QuotePageRenderer | undefined;
export function registerQuotePage(renderer: QuotePageRenderer) {
  quotePage = renderer;
}
registerQuotePage(renderQuotePage);

export const routes = {
  'GET /p/{token}': route({
    summary: 'The client opens a public link: the view is recorded, then a redirect to a presigned PDF URL (minutes)',
    permission: 'public',
    errors: [404],
    handler: async (ctx) => {
      const link = await usableLink(ctx.params.token);
      if (!link) return notAvailable();
      if (link.subjectType === 'quote' && quotePage) return quotePage(link, ctx);
      const doc = link.documentId ? await delivery().documents.get(link.tenantId, link.documentId) : null;
      if (!doc || doc.status === 'failed') return notAvailable();
      if (doc.status === 'pending') {
        return page(503, 'Almost ready', 'The document is being prepared. This page will be ready in a few seconds: please reload it.', { 'retry-after': '5' });
      }
      await delivery().links.recordView(link, 'link', meta(ctx));
      const url = await storage().presignGet(doc.s3Key, { contentType: 'application/pdf', downloadName: `${doc.subjectId}.pdf` });
      return new RawResponse({ statusCode: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
    },
  }),
  'GET /p/{token}/open.gif': route({
    summary: 'The e-mail open pixel: records an open and answers a 1x1 GIF (always, so it reveals nothing)',
    permission: 'public',
    handler: async (ctx) => {
      try {
        const link = await usableLink(ctx.params.token);
        if (link) await delivery().links.recordView(link, 'email_open', meta(ctx));
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
};

export const handler = httpApi(routes, httpDeps);
