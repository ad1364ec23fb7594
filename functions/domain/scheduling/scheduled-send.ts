/**
 * Scheduled sends: "send this invoice at that instant". The send is recorded (`ssd_`) and fired by the sweep
 * (every minute in AWS and in `npm start`; `npm run jobs` fires the ones due by its clock).
 *
 * Exactly once: firing claims the record (scheduled -> sending, conditioned on its version), sends through
 * delivery keyed by the record (a retry after a crash sends nothing twice: a stale `sending` claim is retried
 * under the same cause), then marks it sent. A send of an invoice that was cancelled or paid meanwhile does
 * nothing, and says so in the invoice's timeline.
 */
import type { Invoice } from '../invoicing';
import { Conflict, derivedId, newId, NotFound, RuleViolation, timelineEntry, type Actor, type TimelineEntry } from '../kernel';

export type SendStatus = 'scheduled' | 'sending' | 'sent' | 'cancelled' | 'skipped';

export interface ScheduledSend {
  tenantId: string;
  id: string;
  invoiceId: string;
  sendAt: string;
  channel: 'email' | 'sms';
  to?: string;
  subject?: string;
  message?: string;
  templateId?: string;
  status: SendStatus;
  reason?: string;
  runId?: string;
  claimedAt?: string;
  sentAt?: string;
  createdBy: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ScheduledSendStore {
  create(send: ScheduledSend): Promise<void>;
  get(tenantId: string, id: string): Promise<ScheduledSend | null>;
  listForInvoice(tenantId: string, invoiceId: string): Promise<ScheduledSend[]>;
  /** Writes if the stored version is still `expectedVersion`; false when not. */
  save(next: ScheduledSend, expectedVersion: number): Promise<boolean>;
  /** Sends scheduled (or being sent) at or before the instant, of every tenant, oldest first. */
  due(atOrBefore: string): Promise<ScheduledSend[]>;
}

export interface ScheduledSendPorts {
  sends: ScheduledSendStore;
  invoices: { get(tenantId: string, id: string): Promise<Invoice.Info | null> };
  /** Sends now through delivery, keyed by `causeId`. */
  deliver: (input: { send: ScheduledSend; to: string; causeId: string }) => Promise<{ id: string; status: string }>;
  timeline: (entry: TimelineEntry) => Promise<void>;
  now: () => Date;
}

export const CLAIM_TIMEOUT_MS = 10 * 60_000;
/** At most this far ahead (a year). */
export const MAX_AHEAD_MS = 366 * 86_400_000;

/** Why an invoice cannot be sent (now or at its time), or null. */
export function unsendable(invoice: Invoice.Info): string | null {
  if (invoice.status === 'void') return 'the invoice was cancelled';
  if (invoice.status === 'paid') return 'the invoice is paid';
  if (invoice.status === 'draft' || !invoice.number) return 'the invoice is not issued';
  return null;
}

export async function schedule(
  ports: Pick<ScheduledSendPorts, 'sends' | 'invoices' | 'now'>,
  cmd: {
    tenantId: string;
    actor: Actor;
    invoiceId: string;
    sendAt: string;
    channel: 'email' | 'sms';
    to?: string;
    subject?: string;
    message?: string;
    templateId?: string;
  },
): Promise<ScheduledSend> {
  const now = ports.now();
  const at = new Date(cmd.sendAt);
  if (Number.isNaN(at.getTime())) throw new RuleViolation('sendAt is not an instant', [{ field: 'sendAt', message: 'must be an ISO 8601 instant' }]);
  if (at.getTime() <= now.getTime()) throw new RuleViolation('sendAt is in the past', [{ field: 'sendAt', message: 'must be in the future' }]);
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS) throw new RuleViolation('sendAt is too far ahead', [{ field: 'sendAt', message: 'at most a year ahead' }]);
  const invoice = await ports.invoices.get(cmd.tenantId, cmd.invoiceId);
  if (!invoice) throw new NotFound('invoice');
  const reason = unsendable(invoice);
  if (reason) throw new RuleViolation(`cannot schedule a send: ${reason}`, [{ field: 'stage', message: reason }]);
  const iso = now.toISOString();
  const send: ScheduledSend = {
    tenantId: cmd.tenantId,
    id: newId('scheduledSend'),
    invoiceId: cmd.invoiceId,
    sendAt: at.toISOString(),
    channel: cmd.channel,
    ...(cmd.to ? { to: cmd.to } : {}),
    ...(cmd.subject ? { subject: cmd.subject } : {}),
    ...(cmd.message ? { message: cmd.message } : {}),
    ...(cmd.templateId ? { templateId: cmd.templateId } : {}),
    status: 'scheduled',
    createdBy: cmd.actor.id,
    version: 1,
    createdAt: iso,
    updatedAt: iso,
  };
  await ports.sends.create(send);
  return send;
}

export async function list(ports: Pick<ScheduledSendPorts, 'sends' | 'invoices'>, query: { tenantId: string; invoiceId: string }) {
  if (!(await ports.invoices.get(query.tenantId, query.invoiceId))) throw new NotFound('invoice');
  return ports.sends.listForInvoice(query.tenantId, query.invoiceId);
}

export async function cancel(
  ports: Pick<ScheduledSendPorts, 'sends' | 'now'>,
  cmd: { tenantId: string; invoiceId: string; id: string },
): Promise<ScheduledSend> {
  const current = await ports.sends.get(cmd.tenantId, cmd.id);
  if (!current || current.invoiceId !== cmd.invoiceId) throw new NotFound('scheduled send');
  if (current.status === 'cancelled') return current;
  if (current.status !== 'scheduled')
    throw new Conflict(`the send is ${current.status}: it can no longer be cancelled`, [{ field: 'status', message: current.status }]);
  const next: ScheduledSend = { ...current, status: 'cancelled', version: current.version + 1, updatedAt: ports.now().toISOString() };
  if (!(await ports.sends.save(next, current.version)))
    throw new Conflict('the send is being sent: it can no longer be cancelled', [{ field: 'status', message: 'sending' }]);
  return next;
}

export const sendCause = (send: Pick<ScheduledSend, 'tenantId' | 'id'>) => derivedId('event', send.tenantId, send.id, 'scheduled-send');

/** Fires one due send (once); returns what became of it. */
export async function fire(ports: ScheduledSendPorts, due: ScheduledSend): Promise<SendStatus | 'busy'> {
  const now = ports.now();
  if (due.status === 'sending' && now.getTime() - Date.parse(due.claimedAt ?? due.updatedAt) < CLAIM_TIMEOUT_MS) return 'busy';
  if (due.status !== 'scheduled' && due.status !== 'sending') return due.status;
  const claimed: ScheduledSend = { ...due, status: 'sending', claimedAt: now.toISOString(), version: due.version + 1, updatedAt: now.toISOString() };
  if (!(await ports.sends.save(claimed, due.version))) return 'busy';
  const invoice = await ports.invoices.get(due.tenantId, due.invoiceId);
  const reason = invoice ? unsendable(invoice) : 'the invoice no longer exists';
  const to = invoice && (due.to ?? (due.channel === 'email' ? invoice.client?.email : invoice.client?.phone));
  const skip = reason ?? (to ? null : `the client has no ${due.channel === 'email' ? 'e-mail address' : 'phone number'}`);
  if (skip) {
    const skipped: ScheduledSend = { ...claimed, status: 'skipped', reason: skip, version: claimed.version + 1, updatedAt: now.toISOString() };
    await ports.sends.save(skipped, claimed.version);
    if (invoice) {
      await ports.timeline(
        timelineEntry({
          tenantId: due.tenantId,
          subjectType: 'invoice',
          subjectId: due.invoiceId,
          kind: 'scheduled_send_skipped',
          actor: { type: 'system', id: 'scheduled-send' },
          at: now,
          data: { scheduledSendId: due.id, sendAt: due.sendAt, reason: skip },
        }),
      );
    }
    return 'skipped';
  }
  const run = await ports.deliver({ send: due, to: to!, causeId: sendCause(due) });
  const sent: ScheduledSend = {
    ...claimed,
    status: 'sent',
    runId: run.id,
    sentAt: now.toISOString(),
    version: claimed.version + 1,
    updatedAt: now.toISOString(),
  };
  await ports.sends.save(sent, claimed.version);
  return 'sent';
}

/** Fires every send due by the clock. */
export async function fireDue(ports: ScheduledSendPorts): Promise<{ sent: string[]; skipped: string[]; busy: string[] }> {
  const out = { sent: [] as string[], skipped: [] as string[], busy: [] as string[] };
  for (const due of await ports.sends.due(ports.now().toISOString())) {
    const result = await fire(ports, due);
    if (result === 'sent') out.sent.push(due.id);
    else if (result === 'skipped') out.skipped.push(due.id);
    else if (result === 'busy') out.busy.push(due.id);
  }
  return out;
}

export function view(s: ScheduledSend) {
  const { tenantId: _t, claimedAt: _c, ...rest } = s;
  return rest;
}
