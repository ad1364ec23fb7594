import * as z from 'zod';
import { defineEvent } from './envelope';

/**
 * A paid invoice owes money again (an allocation was reversed: a bank return, a wrong match) and went back
 * to the stage it had before it was paid. No `invoice.stage_changed` accompanies it: the automation of the
 * stage it returns to does not run again.
 */
export const invoiceReopened = defineEvent('invoice.reopened', 'A paid invoice owes money again and went back to the stage it had before.', () => ({
  invoiceId: z.string(),
  from: z.string(),
  to: z.string(),
  version: z.number().int(),
  balanceDue: z.string(),
  currency: z.string(),
  actorId: z.string().optional(),
  actorType: z.enum(['user', 'automation', 'client', 'system']).optional(),
}));
