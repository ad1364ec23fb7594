import type { z } from 'zod';
import { automationRunRetried } from './automation-run-retried';
import { documentCreated } from './document-created';
import { documentFailed } from './document-failed';
import { documentRequested } from './document-requested';
import { documentViewed } from './document-viewed';
import { invoiceCreated } from './invoice-created';
import { invoiceOverdue } from './invoice-overdue';
import { invoicePaid } from './invoice-paid';
import { invoiceReopened } from './invoice-reopened';
import { invoiceStageChanged } from './invoice-stage-changed';
import { messageFailed } from './message-failed';
import { messageSent } from './message-sent';
import { paymentAllocated } from './payment-allocated';
import { paymentAllocationReversed } from './payment-allocation-reversed';
import { paymentRecorded } from './payment-recorded';
import { paymentRefunded } from './payment-refunded';
import { quoteAccepted } from './quote-accepted';
import { leadConverted } from './lead-converted';
import { quoteSent } from './quote-sent';
import { webhookReplayRequested } from './webhook-replay-requested';

/** Every event the service publishes, by detail-type. Publisher, consumers and infra read this. */
export const events = {
  invoiceCreated,
  invoiceStageChanged,
  invoicePaid,
  invoiceOverdue,
  invoiceReopened,
  paymentRecorded,
  paymentAllocated,
  paymentAllocationReversed,
  paymentRefunded,
  documentRequested,
  documentCreated,
  documentFailed,
  documentViewed,
  messageSent,
  messageFailed,
  automationRunRetried,
  quoteAccepted,
  leadConverted,
  quoteSent,
  webhookReplayRequested,
} as const;

type Events = typeof events;
export type EventName = Events[keyof Events]['detailType'];
export type EventDetail<K extends keyof Events> = z.infer<Events[K]['schema']>;

export const eventsByDetailType: Record<string, Events[keyof Events]> = Object.fromEntries(Object.values(events).map((e) => [e.detailType, e]));

export { EVENT_SOURCE } from './envelope';
