import * as z from 'zod';
import { defineEvent } from './envelope';

export const invoicePaid = defineEvent('invoice.paid', 'An invoice was fully paid.', () => ({
  invoiceId: z.string(),
  total: z.string(),
  currency: z.string(),
}));
