import { SalesPipeline, type SalesEntity } from '../../domain/sales';
import { route, type Routes } from '../../shared/http/route';
import { sales } from '../../shared/wiring/sales';
import { SalesPipelineBody, SalesPipelineView } from './schemas/deals';

/** GET and PUT /v1/pipelines/{lead|deal}: the tenant's lead or deal pipeline, in the leads' or the deals' function. */
export function salesPipelineRoutes(kind: SalesEntity): Routes {
  return {
    [`GET /v1/pipelines/${kind}`]: route({
      summary: `The tenant's ${kind} pipeline (stages with their required fields); version 0 is the default`,
      permission: 'pipelines:read',
      response: SalesPipelineView,
      handler: async ({ caller }) => SalesPipeline.view(await SalesPipeline.get(sales(), { tenantId: caller.tenantId, kind })),
    }),
    [`PUT /v1/pipelines/${kind}`]: route({
      summary: `Replace the ${kind} pipeline (422 when invalid; 409 when a stage that ${kind}s are in would go or change kind)`,
      permission: 'pipelines:write',
      body: SalesPipelineBody,
      response: SalesPipelineView,
      errors: [409, 422],
      handler: async ({ body, caller, ifMatch }) =>
        SalesPipeline.view(
          await SalesPipeline.update(sales(), {
            tenantId: caller.tenantId,
            actor: { type: 'user', id: caller.userId },
            kind,
            stages: body.stages,
            expectedVersion: ifMatch ?? body.version,
          }),
        ),
    }),
  };
}
