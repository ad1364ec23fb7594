import * as z from 'zod';
import { defineEvent } from './envelope';

/** One allocation was reversed (a bank return, a wrong match): its money is unapplied again, the invoice owes it. */
export const paymentAllocationReversed = defineEvent('payment.allocation_reversed', 'One allocation of a payment to an invoice was reversed.', () => ({
  paymentId: z.string(),
  allocationId: z.string(),
  invoiceId: z.string(),
  amount: z.string(),
  currency: z.string(),
  reason: z.string(),
}));
