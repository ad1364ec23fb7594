import { publicView } from '../../domain/kernel';
import { Deal, Lead, LeadConversion } from '../../domain/sales';
import { httpApi } from '../../shared/http/api';
import { callerActor, route, type Routes } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { sales } from '../../shared/wiring/sales';
import { page } from './schemas/common';
import { salesPipelineRoutes } from './sales-pipeline-routes';
import { StageMove } from './schemas/deals';
import { Conversion, ConvertLead, Lead as LeadView, LeadCreate, LeadListQuery, LeadPatch } from './schemas/leads';

const view = (lead: Lead.Info) => publicView(lead);

export const routes: Routes = {
  'POST /v1/leads': route({
    summary: 'Create a lead (422 listing every field its stage requires that it lacks)',
    permission: 'leads:write',
    body: LeadCreate,
    response: LeadView,
    status: 201,
    errors: [422],
    handler: async ({ body, caller }) => view(await Lead.create(sales(), { tenantId: caller.tenantId, actor: callerActor(caller), input: body })),
  }),
  'GET /v1/leads': route({
    summary: 'List leads, newest first, optionally in one stage',
    permission: 'leads:read',
    query: LeadListQuery,
    response: page(LeadView),
    handler: async ({ query, caller }) => {
      const { stage, ...paging } = query;
      const result = await Lead.list(sales(), { tenantId: caller.tenantId, filter: { stage }, page: paging });
      return { data: result.data.map(view), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/leads/{id}': route({
    summary: 'Get a lead',
    permission: 'leads:read',
    response: LeadView,
    handler: async ({ params, caller }) => view(await Lead.get(sales(), { tenantId: caller.tenantId, id: params.id })),
  }),
  'PATCH /v1/leads/{id}': route({
    summary: 'Update an open lead (contact and company merge; null clears; If-Match or version)',
    permission: 'leads:write',
    body: LeadPatch,
    response: LeadView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return view(
        await Lead.update(sales(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), changes, expectedVersion: ifMatch ?? version }),
      );
    },
  }),
  'DELETE /v1/leads/{id}': route({
    summary: 'Delete a lead',
    permission: 'leads:delete',
    status: 204,
    handler: async ({ params, caller, ifMatch }) => {
      await Lead.remove(sales(), { tenantId: caller.tenantId, id: params.id, actor: callerActor(caller), expectedVersion: ifMatch });
    },
  }),
  'POST /v1/leads/{id}/stage': route({
    summary: 'Move a lead to another stage of the lead pipeline (422 lists every missing required field)',
    permission: 'leads:write',
    body: StageMove,
    response: LeadView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      view(
        await Lead.moveToStage(sales(), {
          tenantId: caller.tenantId,
          id: params.id,
          actor: callerActor(caller),
          to: body.stage,
          expectedVersion: ifMatch ?? body.version,
        }),
      ),
  }),
  'POST /v1/leads/{id}/convert': route({
    summary:
      'Convert a lead into a deal + contact (+ company for a legal entity), in one transaction. ' +
      '409 with `candidates` when existing clients match by e-mail, phone or tax id, unless onDuplicate is "use" or "create"',
    permission: 'leads:write',
    body: ConvertLead,
    response: Conversion,
    status: 201,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const result = await LeadConversion.convert(sales(), {
        tenantId: caller.tenantId,
        id: params.id,
        actor: callerActor(caller),
        onDuplicate: body.onDuplicate,
        dealTitle: body.dealTitle,
        currency: body.currency,
        expectedVersion: ifMatch ?? body.version,
      });
      return {
        deal: Deal.view(result.deal),
        contact: publicView(result.contact),
        ...(result.company ? { company: publicView(result.company) } : {}),
        lead: view(result.lead),
        reused: result.reused,
      };
    },
  }),
  ...salesPipelineRoutes('lead'),
};

export const handler = httpApi(routes, httpDeps);
