import * as z from 'zod';
import { page } from './common';

/** The timeline of an invoice, quote or deal (responses). */
export const TimelineEntryView = z.object({
  id: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  kind: z.string(),
  at: z.string(),
  actor: z.object({ type: z.enum(['user', 'automation', 'client', 'system']), id: z.string() }),
  data: z.record(z.string(), z.unknown()),
});
export const TimelinePage = page(TimelineEntryView);
