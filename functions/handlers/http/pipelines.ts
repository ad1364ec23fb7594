import { InvoicePipeline, type EffectiveInvoicePipeline } from '../../domain/invoicing';
import { RuleViolation, type FieldError } from '../../domain/kernel';
import { Register } from '../../domain/register';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { invoicePorts } from '../../shared/wiring/invoicing';
import { registerIssuer } from '../../shared/wiring/tenancy';
import { InvoicePipelineBody, InvoicePipelineView } from './schemas/pipelines';

/**
 * With the register on, the numbers of every registered series must be valid NumSerieFactura (printable
 * ASCII, none of " ' < > =, at most 60 characters): a format that could break them is refused when saved.
 */
async function checkRegisterNumbering(tenantId: string, numbering: Record<string, string> | undefined) {
  if (!numbering || !(await registerIssuer(tenantId))) return;
  const errors: FieldError[] = [];
  for (const [series, format] of Object.entries(numbering)) {
    if (series === 'proforma' || typeof format !== 'string') continue;
    let problem: string | null;
    try {
      problem = Register.numberFormatProblem(format, series);
    } catch {
      continue; // not a valid format at all: the update says why
    }
    if (problem) errors.push({ field: `numbering.${series}`, message: problem });
  }
  if (errors.length > 0) throw new RuleViolation('the number formats do not fit the invoice register', errors);
}

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
    handler: async ({ body, caller, ifMatch }) => {
      await checkRegisterNumbering(caller.tenantId, body.numbering as Record<string, string> | undefined);
      return view(
        await InvoicePipeline.update(invoicePorts(), {
          tenantId: caller.tenantId,
          actor: { type: 'user', id: caller.userId },
          stages: body.stages,
          numbering: body.numbering,
          expectedVersion: ifMatch ?? body.version,
        }),
      );
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
