import * as z from 'zod';
import { defineEvent } from './envelope';

/** Unapplied money of a payment (client credit) was applied to an invoice later. */
export const paymentAllocated = defineEvent('payment.allocated', "A payment's unapplied money was allocated to an invoice.", () => ({
  paymentId: z.string(),
  allocationId: z.string(),
  invoiceId: z.string(),
  amount: z.string(),
  currency: z.string(),
}));
