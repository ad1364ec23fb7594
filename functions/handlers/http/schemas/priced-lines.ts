/**
 * The priced lines of deals and quotes and their totals (responses): apart from the deal schemas so that the quotes
 * function does not bundle (and build) every deal and pipeline schema.
 */
import * as z from 'zod';
import { decimalString, optionalText, percent, resourceId, text } from './common';

/** A document line (`Line` of docs/openapi.json); amounts and totals are always computed, never accepted. */
export const Line = z.strictObject({
  productId: resourceId('prd').optional(),
  description: text(1000),
  quantity: decimalString({ maxScale: 6 }),
  unitPrice: decimalString({ maxScale: 6 }),
  taxRate: percent,
  discountPercent: percent.optional(),
  withholdingRate: percent.optional(),
  unit: optionalText(20),
});
export const Lines = z.array(Line).max(200, 'at most 200 lines');

export const ComputedLineView = Line.extend({ netAmount: z.string() });
const RateRow = z.object({ rate: z.string(), base: z.string(), amount: z.string() });
export const TotalsView = z.object({
  net: z.string(),
  tax: z.string(),
  withholding: z.string(),
  total: z.string(),
  taxBreakdown: z.array(RateRow),
  withholdingBreakdown: z.array(RateRow),
});
