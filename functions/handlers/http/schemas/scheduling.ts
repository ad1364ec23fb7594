import * as z from 'zod';
import { INTERVALS, RECURRING_STATUSES, SEND_MODES } from '../../../domain/scheduling';
import { LineBody } from './lines';
import { Meta, currencyCode, decimalString, isoDate, optionalText, percent, resourceId } from './common';

/** The HTTP contract of recurring invoices (docs/openapi.json). Bodies are strict; rules (dates, counts) answer 422. */

const terms = {
  companyId: resourceId('cmp').optional(),
  contactId: resourceId('con').optional(),
  currency: currencyCode,
  lines: z.array(LineBody).min(1, 'at least one line').max(500, 'at most 500 lines'),
  notes: optionalText(2000),
  interval: z.enum(INTERVALS).describe('week, month or year'),
  intervalCount: z.number().int().optional().describe('Every N intervals (default 1; at least 1)'),
  startDate: isoDate.describe('The first period (the anchor: a monthly schedule keeps its day, clamped to the month end)'),
  endDate: isoDate.optional().describe('No period after this date'),
  count: z.number().int().optional().describe('At most this many invoices in all'),
  dueInDays: z.number().int().describe("Each invoice's due date: its period plus this many days"),
  issue: z.boolean().describe('Issue each invoice (a number, moved to SENT) or leave it a draft'),
  send: z.enum(SEND_MODES).optional().describe('email: the issued invoice goes out through the SENT stage (default when issue); none'),
};

export const RecurringCreate = z.strictObject(terms);

export const RecurringPatchBody = z.strictObject({
  companyId: terms.companyId,
  contactId: terms.contactId,
  currency: terms.currency.optional(),
  lines: terms.lines.optional(),
  notes: z.string().max(2000).nullable().optional(),
  interval: terms.interval.optional(),
  intervalCount: z.number().int().optional(),
  startDate: isoDate.optional(),
  endDate: isoDate.nullable().optional(),
  count: z.number().int().nullable().optional(),
  dueInDays: z.number().int().optional(),
  issue: z.boolean().optional(),
  send: z.enum(SEND_MODES).optional(),
  version: z.number().int().min(1).optional(),
});

export const RecurringView = z.object({
  companyId: z.string().optional(),
  contactId: z.string().optional(),
  currency: z.string(),
  lines: z.array(z.record(z.string(), z.unknown())),
  notes: z.string().optional(),
  interval: z.enum(INTERVALS),
  intervalCount: z.number(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  count: z.number().nullable(),
  dueInDays: z.number(),
  issue: z.boolean(),
  send: z.enum(SEND_MODES),
  status: z.enum(RECURRING_STATUSES),
  nextDate: z.string().nullable().describe('The next period to make (null once completed)'),
  nextIndex: z.number(),
  made: z.number().describe('Invoices made so far'),
  lastPeriod: z.string().optional(),
  lastInvoiceId: z.string().optional(),
  pausedAt: z.string().optional(),
  ...Meta,
});

export const PreviewQuery = z.strictObject({
  count: z.coerce.number().int().min(1).max(120).default(12).describe('How many next dates (1 to 120)'),
});

export const PreviewView = z.object({ dates: z.array(z.string()), data: z.array(z.object({ period: z.string(), dueDate: z.string() })) });

export const DunningStepBody = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, - or _')
    .describe('Your name for the step (unique in the policy): each (invoice, step) is sent at most once'),
  offsetDays: z.number().int().describe('Days relative to the due date: -3 is three days before, 7 a week after'),
  channel: z.enum(['email', 'sms']),
  subject: optionalText(200).describe('E-mail subject (default: the invoice e-mail subject)'),
  text: z.string().max(2000, 'at most 2000 characters').optional().describe('The message (required for SMS)'),
});

export const DunningBody = z.strictObject({
  enabled: z.boolean(),
  steps: z.array(DunningStepBody).describe('At most 10 steps'),
  lateFee: z
    .strictObject({
      fixed: decimalString({ maxScale: 2 }).optional().describe('A fixed amount per overdue invoice, charged once (Ley 3/2004: "40.00")'),
      annualInterestRate: percent.optional().describe('Yearly interest on the balance for the days late, e.g. "10.15" (ECB + 8 points)'),
    })
    .optional()
    .describe('Charged once per overdue invoice, as a new draft invoice citing it (lateFeeFor), at the first reminder after the due date'),
  version: z.number().int().min(0).optional(),
});

export const DunningView = z.object({
  enabled: z.boolean(),
  steps: z.array(
    z.object({ id: z.string(), offsetDays: z.number(), channel: z.enum(['email', 'sms']), subject: z.string().optional(), text: z.string().optional() }),
  ),
  lateFee: z.object({ fixed: z.string().optional(), annualInterestRate: z.string().optional() }).nullable(),
  version: z.number(),
  updatedAt: z.string(),
});

export const ScheduledSendView = z.object({
  id: z.string(),
  invoiceId: z.string(),
  sendAt: z.string().describe('The instant it is sent (ISO 8601 UTC)'),
  channel: z.enum(['email', 'sms']),
  to: z.string().optional(),
  subject: z.string().optional(),
  message: z.string().optional(),
  templateId: z.string().optional(),
  status: z.enum(['scheduled', 'sending', 'sent', 'cancelled', 'skipped']),
  reason: z.string().optional().describe('Why it was skipped (the invoice was cancelled or paid meanwhile, ...)'),
  runId: z.string().optional(),
  sentAt: z.string().optional(),
  createdBy: z.string(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
