import { defaultCurrency, today } from '../../domain/crm-common';
import {
  createQuote,
  declineQuote,
  getQuote,
  listQuotes,
  quoteNumberFormat,
  quoteView,
  removeQuote,
  sendQuote,
  updateQuote,
  type Quote,
} from '../../domain/quotes';
import { config } from '../../shared/config';
import { httpApi } from '../../shared/http/api';
import { route, type Routes } from '../../shared/http/route';
import { crm, httpDeps, tenants } from '../../shared/wiring';
import { page } from './schemas/common';
import { Quote as QuoteView, QuoteCreate, QuoteListQuery, QuotePatch, SendQuote, VersionOnly } from './schemas/quotes';

const view = (quote: Quote) => quoteView(quote, { today: today(), publicBaseUrl: config().PUBLIC_BASE_URL });

export const routes: Routes = {
  'POST /v1/quotes': route({
    summary: 'Create a draft quote for a client, or from a deal ({ dealId } alone copies client, lines, currency)',
    permission: 'quotes:write',
    body: QuoteCreate,
    response: QuoteView,
    status: 201,
    errors: [422],
    handler: async ({ body, caller }) => {
      const currency = body.currency ?? defaultCurrency((await tenants().getTenant(caller.tenantId))?.settings);
      return view(await createQuote(crm(), caller.tenantId, body, { currency, today: today() }));
    },
  }),
  'GET /v1/quotes': route({
    summary: 'List quotes, newest first; filter by dealId or clientId (a company or contact)',
    permission: 'quotes:read',
    query: QuoteListQuery,
    response: page(QuoteView),
    handler: async ({ query, caller }) => {
      const { dealId, clientId, ...paging } = query;
      const result = await listQuotes(crm(), caller.tenantId, { dealId, clientId }, paging);
      return { data: result.data.map(view), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/quotes/{id}': route({
    summary: 'Get a quote (a draft or sent quote past validUntil reads as expired)',
    permission: 'quotes:read',
    response: QuoteView,
    handler: async ({ params, caller }) => view(await getQuote(crm(), caller.tenantId, params.id)),
  }),
  'PATCH /v1/quotes/{id}': route({
    summary: 'Update a draft quote (If-Match or version)',
    permission: 'quotes:write',
    body: QuotePatch,
    response: QuoteView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return view(await updateQuote(crm(), caller.tenantId, params.id, changes, { expectedVersion: ifMatch ?? version, today: today() }));
    },
  }),
  'DELETE /v1/quotes/{id}': route({
    summary: 'Delete a draft quote (a sent one is declined instead)',
    permission: 'quotes:delete',
    status: 204,
    errors: [409],
    handler: async ({ params, caller, ifMatch }) => {
      await removeQuote(crm(), caller.tenantId, params.id, ifMatch);
    },
  }),
  'POST /v1/quotes/{id}/send': route({
    summary: 'Send a quote: the first send assigns its number (QUO-YYYY-000001...) and opens its public page',
    permission: 'quotes:write',
    body: SendQuote,
    response: QuoteView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...options } = body;
      const tenant = await tenants().getTenant(caller.tenantId);
      const sent = await sendQuote(crm(), {
        tenantId: caller.tenantId,
        quoteId: params.id,
        expectedVersion: ifMatch ?? version,
        format: quoteNumberFormat(tenant?.settings),
        options,
      });
      return view(sent);
    },
  }),
  'POST /v1/quotes/{id}/decline': route({
    summary: 'Record that the client declined a sent quote',
    permission: 'quotes:write',
    body: VersionOnly,
    response: QuoteView,
    errors: [409],
    handler: async ({ params, body, caller, ifMatch }) =>
      view(await declineQuote(crm(), caller.tenantId, params.id, ifMatch ?? body.version)),
  }),
};

export const handler = httpApi(routes, httpDeps);
