import * as z from 'zod';
import { defineEvent } from './envelope';

export const messageSent = defineEvent('message.sent', 'An e-mail or SMS went out to a client.', () => ({
  subjectType: z.enum(['invoice', 'quote']),
  subjectId: z.string(),
  channel: z.enum(['email', 'sms']),
  to: z.string(),
  messageId: z.string(),
}));
