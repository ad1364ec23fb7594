import * as z from 'zod';
import { defineEvent } from './envelope';

/** Unapplied money of a payment was given back to the client. */
export const paymentRefunded = defineEvent('payment.refunded', "Part of a payment's unapplied money was refunded to the client.", () => ({
  paymentId: z.string(),
  refundId: z.string(),
  amount: z.string(),
  currency: z.string(),
  date: z.string(),
}));
