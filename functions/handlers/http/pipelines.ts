import { InvoicePipeline, type EffectiveInvoicePipeline } from '../../domain/invoicing';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { invoicePorts } from '../../shared/wiring/invoicing';
import { InvoicePipelineBody, InvoicePipelineView } from './schemas/invoices';

const view = (p: EffectiveInvoicePipeline) => ({
  entity: 'invoice' as const,
  stages: p.pipeline.stages,
  numbering: p.numbering,
  version: p.version,
  updatedAt: p.updatedAt,
});

export const routes = {
  'GET /v1/pipelines/invoice': route({
    summary: "The tenant's invoice pipeline (stages with their required fields) and number formats per series",
    permission: 'pipelines:read',
    response: InvoicePipelineView,
    handler: async ({ caller }) => view(await InvoicePipeline.get(invoicePorts(), { tenantId: caller.tenantId })),
  }),
  'PUT /v1/pipelines/invoice': route({
    summary: 'Replace the invoice pipeline (and optionally the number formats); a stage that invoices are in cannot be removed or change kind',
    permission: 'pipelines:write',
    body: InvoicePipelineBody,
    response: InvoicePipelineView,
    errors: [409, 422],
    handler: async ({ body, caller, ifMatch }) =>
      view(
        await InvoicePipeline.update(invoicePorts(), {
          tenantId: caller.tenantId,
          actor: { type: 'user', id: caller.userId },
          stages: body.stages,
          numbering: body.numbering,
          expectedVersion: ifMatch ?? body.version,
        }),
      ),
  }),
};

export const handler = httpApi(routes, httpDeps);
