import { defaultCurrency } from '../../domain/sales/pipeline-settings';
import { createDeal, dealView, getDeal, listDeals, moveDeal, removeDeal, updateDeal } from '../../domain/sales/deal';
import { httpApi } from '../../shared/http/api';
import { route, type Routes } from '../../shared/http/route';
import { crm, httpDeps, tenants } from '../../shared/wiring/core';
import { timelineView } from '../../domain/kernel/timeline';
import { ListQuery, page } from './schemas/common';
import { TimelinePage } from './schemas/invoices';
import { Deal, DealCreate, DealListQuery, DealPatch, StageMove } from './schemas/deals';
import { salesPipelineRoutes } from './sales-pipeline-routes';

export const routes: Routes = {
  'POST /v1/deals': route({
    summary: 'Create a deal; its amount and totals are computed from its lines',
    permission: 'deals:write',
    body: DealCreate,
    response: Deal,
    status: 201,
    errors: [422],
    handler: async ({ body, caller }) => {
      const currency = body.currency ?? defaultCurrency((await tenants().getTenant(caller.tenantId))?.settings);
      return dealView(await createDeal(crm(), caller.tenantId, body, { currency }));
    },
  }),
  'GET /v1/deals': route({
    summary: 'List deals, newest first; filter by stage, companyId or contactId',
    permission: 'deals:read',
    query: DealListQuery,
    response: page(Deal),
    handler: async ({ query, caller }) => {
      const { stage, companyId, contactId, ...paging } = query;
      const result = await listDeals(crm(), caller.tenantId, { stage, companyId, contactId }, paging);
      return { data: result.data.map(dealView), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/deals/{id}': route({
    summary: 'Get a deal',
    permission: 'deals:read',
    response: Deal,
    handler: async ({ params, caller }) => dealView(await getDeal(crm(), caller.tenantId, params.id)),
  }),
  'PATCH /v1/deals/{id}': route({
    summary: 'Update an open deal (new lines re-price it; null clears; If-Match or version)',
    permission: 'deals:write',
    body: DealPatch,
    response: Deal,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return dealView(await updateDeal(crm(), caller.tenantId, params.id, changes, ifMatch ?? version));
    },
  }),
  'DELETE /v1/deals/{id}': route({
    summary: 'Delete a deal',
    permission: 'deals:delete',
    status: 204,
    handler: async ({ params, caller, ifMatch }) => {
      await removeDeal(crm(), caller.tenantId, params.id, ifMatch);
    },
  }),
  'POST /v1/deals/{id}/stage': route({
    summary: 'Move a deal to another stage of the deal pipeline (422 lists every missing required field)',
    permission: 'deals:write',
    body: StageMove,
    response: Deal,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      dealView(await moveDeal(crm(), caller.tenantId, params.id, body.stage, ifMatch ?? body.version)),
  }),
  'GET /v1/deals/{id}/timeline': route({
    summary: 'The deal\'s timeline, oldest first: invoices made from it, ...',
    permission: 'deals:read',
    query: ListQuery,
    response: TimelinePage,
    handler: async ({ params, query, caller }) => {
      await getDeal(crm(), caller.tenantId, params.id);
      const result = await crm().timeline.list(caller.tenantId, params.id, query);
      return { data: result.data.map(timelineView), nextCursor: result.nextCursor };
    },
  }),
  ...salesPipelineRoutes('deal'),
};

export const handler = httpApi(routes, httpDeps);
