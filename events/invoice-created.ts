import * as z from 'zod';
import { defineEvent } from './envelope';

export const invoiceCreated = defineEvent('invoice.created', 'An invoice was created (from scratch or from a deal, quote or client).', () => ({
  invoiceId: z.string(),
  type: z.enum(['invoice', 'credit_note', 'proforma', 'simplified']),
  stage: z.string(),
  sourceType: z.enum(['deal', 'quote', 'company', 'contact', 'invoice']).optional(),
  sourceId: z.string().optional(),
  version: z.number().int(),
}));
