import * as z from 'zod';
import { defineEvent } from './envelope';

export const quoteSent = defineEvent('quote.sent', 'A quote was sent to its client (first send assigns its number; later ones are resends).', () => ({
  quoteId: z.string(),
  number: z.string(),
  version: z.number().int(),
  resend: z.boolean(),
  to: z.string().optional(),
}));
