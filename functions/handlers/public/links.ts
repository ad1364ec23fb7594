import { httpApi } from '../../shared/http/api';
import { RawResponse, route, type RequestContext } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { documents } from '../../shared/wiring/documents';
import { httpDeps } from '../../shared/wiring/http';
import { storage } from '../../shared/wiring/storage';
import { messagePage, notAvailable, usableLink } from './page';
import { renderQuotePage, routes as quotePageRoutes } from './quote-page';

/** A transparent 1x1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const meta = (ctx: RequestContext<unknown, unknown>) => ({ ip: ctx.sourceIp, userAgent: ctx.userAgent });

export const routes = {
  'GET /p/{token}': route({
    summary: "The client opens a public link: the view is recorded, then a redirect to a presigned PDF URL (minutes); a quote's link opens the quote page",
    permission: 'public',
    errors: [404],
    handler: async (ctx) => {
      const link = await usableLink(ctx.params.token);
      if (!link) return notAvailable();
      if (link.subjectType === 'quote') return renderQuotePage(link, ctx);
      const doc = link.documentId ? await documents().documents.get(link.tenantId, link.documentId) : null;
      if (!doc || doc.status === 'failed') return notAvailable();
      if (doc.status === 'pending') {
        return messagePage(503, 'Almost ready', 'The document is being prepared. This page will be ready in a few seconds: please reload it.', {
          'retry-after': '5',
        });
      }
      await documents().links.recordView(link, 'link', meta(ctx));
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
        if (link) await documents().links.recordView(link, 'email_open', meta(ctx));
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
