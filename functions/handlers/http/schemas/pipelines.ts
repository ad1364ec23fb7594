import * as z from 'zod';

/** The HTTP contract of the invoice pipeline (docs/openapi.json): its stages and numbering formats. Bodies are strict. */

const StageBody = z.strictObject({
  id: z.string().max(64),
  name: z.string().max(200),
  kind: z.string().max(20),
  requiredFields: z.array(z.string().max(200)).max(50),
});

/** Types are checked here (400); the rules of a pipeline by validatePipeline (422, with paths). */
export const InvoicePipelineBody = z.strictObject({
  stages: z.array(StageBody).max(100),
  numbering: z.record(z.string().max(32), z.string().max(200)).optional(),
  version: z.number().int().min(0).optional(),
});

export const InvoicePipelineView = z.object({
  entity: z.literal('invoice'),
  stages: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['open', 'success', 'failure']), requiredFields: z.array(z.string()) })),
  numbering: z.object({ invoice: z.string(), credit_note: z.string(), proforma: z.string(), simplified: z.string() }),
  version: z.number().int(),
  updatedAt: z.string().nullable(),
});
