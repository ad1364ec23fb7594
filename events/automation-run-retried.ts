import * as z from 'zod';
import { defineEvent } from './envelope';

export const automationRunRetried = defineEvent(
  'automation.run_retried',
  'A person asked a failed automation run (or a failed message of it) to be tried again; automation resumes it.',
  () => ({
    runId: z.string(),
    subjectType: z.enum(['invoice', 'quote']),
    subjectId: z.string(),
    /** The message whose retry was asked for, when it was one. */
    messageId: z.string().optional(),
  }),
);
