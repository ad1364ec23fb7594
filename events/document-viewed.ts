import * as z from 'zod';
import { defineEvent } from './envelope';

export const documentViewed = defineEvent('document.viewed', 'A client opened a public link or the e-mail open pixel was fetched.', () => ({
  documentId: z.string().optional(),
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  via: z.enum(['link', 'email_open']),
}));
