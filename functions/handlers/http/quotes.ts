import * as z from 'zod';
import { Delivery, type Action } from '../../domain/delivery';
import { Invoice } from '../../domain/invoicing';
import { newId, RuleViolation, timelineView, today } from '../../domain/kernel';
import { Quote, QuoteSending } from '../../domain/sales';
import { config } from '../../shared/config';
import { httpApi } from '../../shared/http/api';
import { callerActor, documentResponses, route, type Caller, type Routes } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { deliveryPorts } from '../../shared/wiring/delivery';
import { documents } from '../../shared/wiring/documents';
import { httpDeps } from '../../shared/wiring/http';
import { invoicePorts, invoicePortsAllowingDuplicates } from '../../shared/wiring/invoicing';
import { sales } from '../../shared/wiring/sales';
import { documentView, seesClientLinks } from './document-view';
import { tenants } from '../../shared/wiring/tenancy';
import { ListQuery, page } from './schemas/common';
import { DocumentView } from './schemas/delivery';
import { InvoiceView } from './schemas/invoices';
import { TimelinePage } from './schemas/timeline';
import { InvoiceFromQuote, Quote as QuoteView, QuoteCreate, QuoteListQuery, QuotePatch, SendQuote, VersionOnly } from './schemas/quotes';

/** The quote as the caller may see it: the page's preview URL for everyone, its public URL (the client's credential) not for viewers. */
const viewFor = (caller: Caller) => (quote: Quote.Info) =>
  Quote.view(quote, { today: today(), publicBaseUrl: config().PUBLIC_BASE_URL, showPublicUrl: seesClientLinks(caller) });

/**
 * E-mails a sent quote: an ad-hoc delivery run, [create_document (standard quote template), send_email
 * (PDF attached, the link to the public quote page)], or only the e-mail when a rendered document is there
 * already (a resend: the same PDF and the same link). The run waits for the render and is resumed by
 * document.created (run-automation). The e-mail's link is the document's public link, which opens the
 * quote page (links.ts hands quote links to quote-page.ts) and pins the document the client is shown.
 */
async function deliverQuote(quote: Quote.Info, options: { to?: string; subject?: string; message?: string; allowExternalRecipient?: boolean }, userId: string) {
  const to = options.to ?? quote.client.email;
  if (!to) return { runId: null, status: 'failed' as const, error: 'the client has no e-mail address' };
  try {
    const ready = await documents().documents.latestReady(quote.tenantId, quote.id);
    const send: Action = { type: 'send_email', to, subject: options.subject, body: Quote.emailBody(quote, options.message), attach: 'document' };
    const result = await Delivery.deliverNow(deliveryPorts(), {
      tenantId: quote.tenantId,
      subjectType: 'quote',
      subjectId: quote.id,
      actor: userId,
      send,
      readyDocumentId: ready?.id,
      causeEventId: newId('event'),
      allowExternalRecipient: options.allowExternalRecipient,
    });
    return { runId: result.id, status: result.status, ...(result.error ? { error: result.error } : {}) };
  } catch (error) {
    // the quote is sent (numbered, its page open); only the e-mail failed: say so, a resend retries it
    logger.error('quote delivery failed', { quoteId: quote.id, error: error as Error });
    return { runId: null, status: 'failed' as const, error: `the e-mail could not be started: ${(error as Error).message}`.slice(0, 300) };
  }
}

export const routes: Routes = {
  'POST /v1/quotes': route({
    summary: 'Create a draft quote for a client, or from a deal ({ dealId } alone copies client, lines, currency)',
    permission: 'quotes:write',
    body: QuoteCreate,
    status: 201,
    errors: [422],
    handler: async ({ body, caller }) => viewFor(caller)(await Quote.create(sales(), { tenantId: caller.tenantId, actor: callerActor(caller), input: body })),
  }),
  'GET /v1/quotes': route({
    summary: 'List quotes, newest first; filter by dealId or clientId (a company or contact)',
    permission: 'quotes:read',
    query: QuoteListQuery,
    handler: async ({ query, caller }) => {
      const { dealId, clientId, ...paging } = query;
      const result = await Quote.list(sales(), { tenantId: caller.tenantId, filter: { dealId, clientId }, page: paging });
      return { data: result.data.map(viewFor(caller)), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/quotes/{id}': route({
    summary: 'Get a quote (a draft or sent quote past validUntil reads as expired)',
    permission: 'quotes:read',
    handler: async ({ params, caller }) => viewFor(caller)(await Quote.get(sales(), { tenantId: caller.tenantId, id: params.id })),
  }),
  'PATCH /v1/quotes/{id}': route({
    summary: 'Update a draft quote (If-Match or version)',
    permission: 'quotes:write',
    body: QuotePatch,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return viewFor(caller)(
        await Quote.update(sales(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), changes, expectedVersion: ifMatch ?? version }),
      );
    },
  }),
  'DELETE /v1/quotes/{id}': route({
    summary: 'Delete a draft quote (a sent one is declined instead)',
    permission: 'quotes:delete',
    status: 204,
    errors: [409],
    handler: async ({ params, caller, ifMatch }) => {
      await Quote.remove(sales(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), expectedVersion: ifMatch });
    },
  }),
  'POST /v1/quotes/{id}/send': route({
    summary:
      'Send a quote: the first send assigns its number (QUO-YYYY-000001...) and opens its public page; then the quote PDF ' +
      '(standard quote template) is e-mailed to the client with the link to the page where they accept and sign it ' +
      '(delivery "none": no e-mail, share the page\'s link yourself)',
    permission: 'quotes:write',
    body: SendQuote,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, delivery: channel, allowExternalRecipient, ...options } = body;
      if (channel === 'email' && !options.to) {
        const quote = await Quote.get(sales(), { tenantId: caller.tenantId, id: params.id });
        if (!quote.client.email) {
          throw new RuleViolation('the client has no e-mail address; give one in "to" (or send with delivery "none")', [
            { field: 'client.email', message: 'required to send' },
          ]);
        }
      }
      const tenant = await tenants().getTenant(caller.tenantId);
      const sent = await QuoteSending.send(sales(), {
        tenantId: caller.tenantId,
        id: params.id,
        expectedVersion: ifMatch ?? version,
        format: Quote.numberFormat(tenant?.settings),
        options,
        actor: callerActor(caller),
      });
      if (channel === 'none') return viewFor(caller)(sent);
      return { ...viewFor(caller)(sent), delivery: await deliverQuote(sent, { ...options, allowExternalRecipient }, caller.userId) };
    },
  }),
  'GET /v1/quotes/{id}/documents': route({
    summary: "The quote's documents (PDF renders), oldest first, each with a presigned PDF URL when ready",
    permission: 'documents:read',
    handler: async ({ params, caller }) => {
      await Quote.get(sales(), { tenantId: caller.tenantId, id: params.id });
      const docs = await documents().documents.listForSubject(caller.tenantId, params.id);
      return { data: await Promise.all(docs.filter((d) => d.subjectType === 'quote').map((doc) => documentView(doc, caller))), nextCursor: null };
    },
  }),
  'GET /v1/quotes/{id}/timeline': route({
    summary: "The quote's timeline, oldest first: documents, e-mails, views of its page, the acceptance (with its evidence), invoices made from it",
    permission: 'quotes:read',
    query: ListQuery,
    handler: async ({ params, query, caller }) => {
      await Quote.get(sales(), { tenantId: caller.tenantId, id: params.id });
      const result = await sales().timeline.list(caller.tenantId, params.id, query);
      return { data: result.data.map(timelineView), nextCursor: result.nextCursor };
    },
  }),
  'POST /v1/quotes/{id}/invoice': route({
    summary:
      'Make the invoice from a sent or accepted quote (its client, lines, totals, currency, deal); 409 naming the existing ' +
      'invoice when the quote already has one, unless allowDuplicate (the same as POST /v1/invoices { from: { quoteId } })',
    permission: 'invoices:write',
    body: InvoiceFromQuote,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller }) => {
      const { allowDuplicate, ...input } = body;
      return Invoice.view(
        await Invoice.create(allowDuplicate ? invoicePortsAllowingDuplicates() : invoicePorts(), {
          tenantId: caller.tenantId,
          actor: callerActor(caller),
          input: { ...input, from: { quoteId: params.id } },
        }),
      );
    },
  }),
  'DELETE /v1/quotes/{id}/public-link': route({
    summary:
      "Revoke every link to the quote's page at once (its own and each of its documents'): they answer 404 from now on, like an " +
      'unknown link, so the client can neither see nor accept it. The quote itself is unchanged.',
    permission: 'quotes:write',
    status: 204,
    handler: async ({ params, caller }) => {
      await Quote.get(sales(), { tenantId: caller.tenantId, id: params.id });
      await documents().links.revokeAll(caller.tenantId, params.id);
    },
  }),
  'POST /v1/quotes/{id}/decline': route({
    summary: 'Record that the client declined a sent quote',
    permission: 'quotes:write',
    body: VersionOnly,
    errors: [409],
    handler: async ({ params, body, caller, ifMatch }) =>
      viewFor(caller)(
        await Quote.decline(sales(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), expectedVersion: ifMatch ?? body.version }),
      ),
  }),
};

// the answers' schemas, for the OpenAPI document only: left out of the function's bundle (documentResponses)
DOCS: documentResponses(routes, {
  'POST /v1/quotes': QuoteView,
  'GET /v1/quotes': page(QuoteView),
  'GET /v1/quotes/{id}': QuoteView,
  'PATCH /v1/quotes/{id}': QuoteView,
  'POST /v1/quotes/{id}/send': QuoteView,
  'GET /v1/quotes/{id}/documents': z.object({ data: z.array(DocumentView), nextCursor: z.null() }),
  'GET /v1/quotes/{id}/timeline': TimelinePage,
  'POST /v1/quotes/{id}/invoice': InvoiceView,
  'POST /v1/quotes/{id}/decline': QuoteView,
});

export const handler = httpApi(routes, httpDeps);
