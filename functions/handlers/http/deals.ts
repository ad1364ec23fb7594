import { timelineView } from '../../domain/kernel';
import { Deal } from '../../domain/sales';
import { httpApi } from '../../shared/http/api';
import { callerActor, route, type Routes } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { sales } from '../../shared/wiring/sales';
import { ListQuery, page } from './schemas/common';
import { TimelinePage } from './schemas/timeline';
import { DealCreate, DealListQuery, DealPatch, StageMove, Deal as DealView } from './schemas/deals';
import { salesPipelineRoutes } from './sales-pipeline-routes';

export const routes: Routes = {
  'POST /v1/deals': route({
    summary: 'Create a deal; its amount and totals are computed from its lines',
    permission: 'deals:write',
    body: DealCreate,
    response: DealView,
    status: 201,
    errors: [422],
    handler: async ({ body, caller }) => Deal.view(await Deal.create(sales(), { tenantId: caller.tenantId, actor: callerActor(caller), input: body })),
  }),
  'GET /v1/deals': route({
    summary: 'List deals, newest first; filter by stage, companyId or contactId',
    permission: 'deals:read',
    query: DealListQuery,
    response: page(DealView),
    handler: async ({ query, caller }) => {
      const { stage, companyId, contactId, ...paging } = query;
      const result = await Deal.list(sales(), { tenantId: caller.tenantId, filter: { stage, companyId, contactId }, page: paging });
      return { data: result.data.map(Deal.view), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/deals/{id}': route({
    summary: 'Get a deal',
    permission: 'deals:read',
    response: DealView,
    handler: async ({ params, caller }) => Deal.view(await Deal.get(sales(), { tenantId: caller.tenantId, id: params.id })),
  }),
  'PATCH /v1/deals/{id}': route({
    summary: 'Update an open deal (new lines re-price it; null clears; If-Match or version)',
    permission: 'deals:write',
    body: DealPatch,
    response: DealView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return Deal.view(
        await Deal.update(sales(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), changes, expectedVersion: ifMatch ?? version }),
      );
    },
  }),
  'DELETE /v1/deals/{id}': route({
    summary: 'Delete a deal',
    permission: 'deals:delete',
    status: 204,
    handler: async ({ params, caller, ifMatch }) => {
      await Deal.remove(sales(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), expectedVersion: ifMatch });
    },
  }),
  'POST /v1/deals/{id}/stage': route({
    summary: 'Move a deal to another stage of the deal pipeline (422 lists every missing required field)',
    permission: 'deals:write',
    body: StageMove,
    response: DealView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      Deal.view(
        await Deal.moveToStage(sales(), {
          tenantId: caller.tenantId,
          id: params.id,
          actor: callerActor(caller),
          to: body.stage,
          expectedVersion: ifMatch ?? body.version,
        }),
      ),
  }),
  'GET /v1/deals/{id}/timeline': route({
    summary: "The deal's timeline, oldest first: invoices made from it, ...",
    permission: 'deals:read',
    query: ListQuery,
    response: TimelinePage,
    handler: async ({ params, query, caller }) => {
      await Deal.get(sales(), { tenantId: caller.tenantId, id: params.id });
      const result = await sales().timeline.list(caller.tenantId, params.id, query);
      return { data: result.data.map(timelineView), nextCursor: result.nextCursor };
    },
  }),
  ...salesPipelineRoutes('deal'),
};

export const handler = httpApi(routes, httpDeps);
