import * as z from 'zod';
import { defineEvent } from './envelope';

export const documentRequested = defineEvent('document.requested', 'A document record was created pending; the renderer should produce its PDF.', () => ({
  documentId: z.string(),
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  templateId: z.string(),
  cause: z.object({ runId: z.string(), actionIndex: z.number().int() }).optional(),
}));
