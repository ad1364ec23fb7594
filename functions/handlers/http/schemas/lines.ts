import * as z from 'zod';
import { decimalString, optionalText, percent, resourceId, text } from './common';

/** A line of an invoice or a recurring invoice's template (docs/openapi.json): a product, or a description with its price and VAT. */
const REQUIRED_WITHOUT_PRODUCT = ['description', 'unitPrice', 'taxRate'] as const;

export const LineBody = z
  .strictObject({
    productId: resourceId('prd').optional(),
    description: text(1000).optional(),
    quantity: decimalString({ maxScale: 6, signed: true }),
    unitPrice: decimalString({ maxScale: 6 }).optional(),
    taxRate: percent.optional(),
    discountPercent: percent.optional(),
    withholdingRate: percent.optional(),
    unit: optionalText(20),
  })
  .superRefine((line, ctx) => {
    if (line.productId) return;
    for (const key of REQUIRED_WITHOUT_PRODUCT) {
      if (line[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'required without a productId' });
    }
  });
