import * as z from 'zod';
import { defineEvent } from './envelope';

/**
 * A payment was recorded: money received from a client, allocated to invoices (`allocations`) and/or kept as
 * the client's unapplied credit. `invoiceId` is the first invoice it was allocated to (absent when none).
 */
export const paymentRecorded = defineEvent('payment.recorded', 'A payment was recorded (allocated to invoices and/or kept as client credit).', () => ({
  invoiceId: z.string().optional(),
  paymentId: z.string(),
  amount: z.string(),
  currency: z.string(),
  clientId: z.string().optional(),
  date: z.string().optional(),
  method: z.string().optional(),
  allocations: z.array(z.object({ allocationId: z.string(), invoiceId: z.string(), amount: z.string() })).optional(),
  unapplied: z.string().optional(),
}));
