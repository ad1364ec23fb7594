import * as z from 'zod';
import { ListQuery, Meta, currencyCode, optionalText, resourceId, text } from './common';
import { ComputedLineView, Lines, TotalsView } from './priced-lines';

export { ComputedLineView, Line, Lines, TotalsView } from './priced-lines';

export const stageId = z.string().trim().min(1).max(32);
const userId = z.string().max(64);

/** `POST /v1/<things>/{id}/stage`: the stage to enter; `version` (or If-Match) guards against stale writes. */
export const StageMove = z.strictObject({ stage: stageId, version: z.number().int().min(1).optional() });

export const DealCreate = z.strictObject({
  title: text(200),
  companyId: resourceId('cmp').optional(),
  contactId: resourceId('con').optional(),
  lines: Lines.optional(),
  currency: currencyCode.optional(),
  responsibleUserId: userId.optional(),
  stage: stageId.optional(),
  contractNumber: optionalText(64),
});

export const DealPatch = z.strictObject({
  title: text(200).optional(),
  companyId: resourceId('cmp').nullable().optional(),
  contactId: resourceId('con').nullable().optional(),
  lines: Lines.optional(),
  currency: currencyCode.optional(),
  responsibleUserId: userId.nullable().optional(),
  contractNumber: z.string().trim().min(1).max(64).nullable().optional(),
  version: z.number().int().min(1).optional(),
});

export const Deal = z.object({
  title: z.string(),
  companyId: z.string().optional(),
  contactId: z.string().optional(),
  lines: z.array(ComputedLineView),
  totals: TotalsView,
  amount: z.string(),
  currency: z.string(),
  stage: z.string(),
  status: z.enum(['open', 'won', 'lost']),
  responsibleUserId: z.string().optional(),
  contractNumber: z.string().optional(),
  leadId: z.string().optional(),
  closedAt: z.string().optional(),
  invoiceId: z.string().optional().describe('The invoice that billed the deal in full (a recapitulative invoice): it cannot be invoiced again'),
  ...Meta,
});

export const DealListQuery = z.strictObject({
  ...ListQuery.shape,
  stage: stageId.optional(),
  companyId: resourceId('cmp').optional(),
  contactId: resourceId('con').optional(),
});

const PipelineStage = z.strictObject({
  id: z.string().max(32),
  name: z.string().max(100),
  kind: z.enum(['open', 'success', 'failure']),
  requiredFields: z.array(z.string().max(200)).max(30).default([]),
});

/** `PUT /v1/pipelines/lead|deal`: the whole pipeline (rules such as "one success stage" are checked by the domain, 422). */
export const SalesPipelineBody = z.strictObject({
  stages: z.array(PipelineStage).min(1).max(50),
  version: z.number().int().min(0).optional(),
});

export const SalesPipelineView = z.object({
  entity: z.enum(['lead', 'deal']),
  stages: z.array(PipelineStage),
  /** 0 while the tenant uses the default pipeline. */
  version: z.number().int(),
  updatedAt: z.string().optional(),
});
