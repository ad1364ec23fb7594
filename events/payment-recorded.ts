import * as z from 'zod';
import { defineEvent } from './envelope';

export const paymentRecorded = defineEvent('payment.recorded', 'A payment was recorded against an invoice.', {
  invoiceId: z.string(),
  paymentId: z.string(),
  amount: z.string(),
  currency: z.string(),
});
