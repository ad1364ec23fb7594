import * as z from 'zod';
import { defineEvent } from './envelope';

export const documentFailed = defineEvent('document.failed', 'A document could not be rendered.', () => ({
  documentId: z.string(),
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  reason: z.string(),
  cause: z.object({ runId: z.string(), actionIndex: z.number().int() }).optional(),
}));
