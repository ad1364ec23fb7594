import * as z from 'zod';
import { defineEvent } from './envelope';

export const quoteAccepted = defineEvent('quote.accepted', 'A client accepted and signed a quote on its public page.', () => ({
  quoteId: z.string(),
  signerName: z.string(),
  documentSha256: z.string().optional(),
  number: z.string().optional(),
  dealId: z.string().optional(),
}));
