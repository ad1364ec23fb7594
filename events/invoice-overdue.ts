import * as z from 'zod';
import { defineEvent } from './envelope';

export const invoiceOverdue = defineEvent(
  'invoice.overdue',
  "An issued invoice went past its due date (the tenant's time zone) with money owed: once per overdue episode.",
  () => ({
    invoiceId: z.string(),
    number: z.string().nullable().optional(),
    dueDate: z.string(),
    balanceDue: z.string(),
    currency: z.string(),
    /** 1 for the first time it is late; a payment then a reopening makes the next late spell episode 2. */
    episode: z.number().int().min(1),
    asOf: z.string(),
  }),
);
