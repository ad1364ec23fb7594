import * as z from 'zod';
import { defineEvent } from './envelope';

export const invoiceStageChanged = defineEvent('invoice.stage_changed', 'An invoice moved from one pipeline stage to another.', () => ({
  invoiceId: z.string(),
  from: z.string(),
  to: z.string(),
  version: z.number().int(),
  actorId: z.string().optional(),
  /** Who moved it: a user, an automation rule, the client (a view), or the system. */
  actorType: z.enum(['user', 'automation', 'client', 'system']).optional(),
}));
