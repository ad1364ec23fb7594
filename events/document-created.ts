import * as z from 'zod';
import { defineEvent } from './envelope';

export const documentCreated = defineEvent('document.created', 'A document PDF was rendered and stored.', () => ({
  documentId: z.string(),
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  cause: z.object({ runId: z.string(), actionIndex: z.number().int() }).optional(),
}));
