import * as z from 'zod';
import { defineEvent } from './envelope';

export const messageFailed = defineEvent('message.failed', 'An e-mail or SMS to a client could not be sent; a user can retry it.', () => ({
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  channel: z.enum(['email', 'sms']),
  to: z.string(),
  /** The message's id (msg_...): GET /v1/messages/{id}, POST /v1/messages/{id}/retry. */
  messageId: z.string(),
  reason: z.string(),
  runId: z.string().optional(),
}));
