/**
 * What every ledger verb shares: input checks, the invoice side of an allocation or a reversal, and the
 * retry loop around one transaction.
 *
 * Figures move by DELTAS from the cached figures of the items read with a consistent read (the payment, the
 * invoice), never from a re-read of records through an index (an index is eventually consistent and could
 * miss the allocation committed a moment ago). Every transaction keeps "cached = derived from the records"
 * true, conditioned on the versions read; figures.ts derives them from the records alone and the tests compare.
 */
import { InvoicePipeline, Issuing, Settlement, type Invoice, type InvoiceChange } from '../invoicing';
import {
  addDays,
  Conflict,
  dec,
  formatAmount,
  minorUnits,
  RuleViolation,
  timelineEntry,
  today,
  type Actor,
  type DecimalInput,
  type FieldError,
  type Pipeline,
} from '../kernel';
import { nowOf, type Allocation, type LedgerCommit, type Payment, type PaymentPorts, type Reversal } from './model';

const MAX_AMOUNT = dec('1e15');
/** Allocations one payment may be recorded with (one transaction holds at most 100 items). */
export const MAX_ALLOCATIONS = 10;

/** Problems of an amount of money in `currency`: positive, no more decimals than the currency has, below 1e15. */
export function amountProblems(amount: string, currency: string, field: string): FieldError[] {
  let value;
  try {
    value = dec(amount);
  } catch {
    return [{ field, message: 'must be a decimal string, e.g. "12.50"' }];
  }
  const errors: FieldError[] = [];
  if (value.lte(0)) errors.push({ field, message: 'must be greater than 0' });
  const digits = minorUnits(currency);
  if (value.decimalPlaces() > digits) errors.push({ field, message: `at most ${digits} decimals in ${currency}` });
  if (value.abs().gte(MAX_AMOUNT)) errors.push({ field, message: 'must be below 1e15' });
  return errors;
}

/** A money date may be today (UTC) or tomorrow at the latest (time zones ahead of UTC), never later. */
export function dateProblems(date: string, now: Date, field = 'date'): FieldError[] {
  const latest = addDays(today(now), 1);
  return date > latest ? [{ field, message: `cannot be later than ${latest} (today + 1 day, UTC)` }] : [];
}

export function refuse(message: string, errors: FieldError[], extra: Record<string, unknown> = {}): never {
  throw new RuleViolation(message, errors, extra);
}

/** Why `invoice` cannot take money of this client and currency (field-level), else nothing. */
export function invoiceProblems(invoice: Invoice.Info, expected: { clientId: string; currency: string }, field: string): FieldError[] {
  const reason = Settlement.unpayableReason(invoice);
  if (reason) return [{ field, message: reason }];
  if (invoice.client?.id !== expected.clientId) return [{ field, message: `the invoice belongs to another client than ${expected.clientId}` }];
  if (invoice.currency !== expected.currency) return [{ field, message: `the invoice is in ${invoice.currency}, not ${expected.currency}` }];
  return [];
}

/** The invoice's current figures (cached, or those of an invoice without money yet). */
export function figuresOf(invoice: Invoice.Info) {
  return invoice.settlement ?? Settlement.settlementOf(invoice, { paid: 0, credited: 0, lastAllocationAt: null });
}

export const money = (value: DecimalInput, currency: string) => formatAmount(value, currency);

/** The payment with `delta` more allocated (negative: less) and `refund` more refunded. */
export function paymentAfter(payment: Payment, change: { allocated?: DecimalInput; refunded?: DecimalInput }, now: Date): Payment {
  const allocated = dec(payment.allocated).plus(change.allocated ?? 0);
  const refunded = dec(payment.refunded).plus(change.refunded ?? 0);
  const unapplied = dec(payment.amount).minus(allocated).minus(refunded);
  if (unapplied.isNegative() || allocated.isNegative()) throw new Error(`payment ${payment.id} would be over-applied`);
  return {
    ...payment,
    allocated: money(allocated, payment.currency),
    refunded: money(refunded, payment.currency),
    unapplied: money(unapplied, payment.currency),
    version: payment.version + 1,
    updatedAt: now.toISOString(),
  };
}

export interface InvoiceEffect {
  pipeline: Pipeline;
  now: Date;
  actor: Actor;
}

/** The invoice write of one allocation to it (figures, maybe the move to PAID) with its timeline entry. */
export function allocationChange(invoice: Invoice.Info, allocation: Allocation, effect: InvoiceEffect, entry: Record<string, unknown>): InvoiceChange {
  const current = figuresOf(invoice);
  const fromPayment = allocation.source.type === 'payment';
  const figures = Settlement.settlementOf(invoice, {
    paid: dec(current.amountPaid).plus(fromPayment ? allocation.amount : 0),
    credited: dec(current.amountCredited).plus(fromPayment ? 0 : allocation.amount),
    lastAllocationAt: allocation.createdAt,
  });
  const recorded = timelineEntry({
    tenantId: invoice.tenantId,
    subjectType: 'invoice',
    subjectId: invoice.id,
    kind: allocation.fromCredit ? 'payment_allocated' : 'payment_recorded',
    actor: effect.actor,
    at: effect.now,
    data: { ...entry, allocationId: allocation.id, amount: allocation.amount, currency: allocation.currency, balanceDue: figures.balanceDue },
  });
  // written first: the timeline orders entries of one instant by id (the payment, then the move it causes)
  const change = Settlement.settle(invoice, figures, effect);
  return { ...change, timeline: [recorded, ...change.timeline] };
}

/** The invoice write of one reversal (figures, maybe the reopening) with its timeline entry. */
export function reversalChange(invoice: Invoice.Info, reversal: Reversal, lastActiveAt: string | null, effect: InvoiceEffect): InvoiceChange {
  const current = figuresOf(invoice);
  const fromPayment = reversal.source.type === 'payment';
  const figures = Settlement.settlementOf(invoice, {
    paid: dec(current.amountPaid).minus(fromPayment ? reversal.amount : 0),
    credited: dec(current.amountCredited).minus(fromPayment ? 0 : reversal.amount),
    lastAllocationAt: lastActiveAt,
  });
  const entry = timelineEntry({
    tenantId: invoice.tenantId,
    subjectType: 'invoice',
    subjectId: invoice.id,
    kind: 'allocation_reversed',
    actor: effect.actor,
    at: effect.now,
    data: {
      [reversal.source.type === 'payment' ? 'paymentId' : 'creditNoteId']: reversal.source.id,
      allocationId: reversal.allocationId,
      amount: reversal.amount,
      currency: reversal.currency,
      reason: reversal.reason,
      date: reversal.date,
      balanceDue: figures.balanceDue,
    },
  });
  const change = Settlement.settle(invoice, figures, effect);
  return { ...change, timeline: [entry, ...change.timeline] };
}

/** The context of invoice writes for one verb: the pipeline read once (on first use), the clock read on each attempt. */
export function invoiceEffects(ports: PaymentPorts, tenantId: string, actor: Actor): () => Promise<InvoiceEffect> {
  let pipeline: Pipeline | undefined;
  return async () => {
    pipeline ??= (await InvoicePipeline.get(ports, { tenantId })).pipeline;
    return { pipeline, now: nowOf(ports), actor };
  };
}

export const emptyCommit = (): LedgerCommit => ({ payments: [], invoices: [], allocations: [], reversals: [], refunds: [], timeline: [], events: [] });

/** Plans of one verb that lost a race (re-read and planned again), before it answers 409 busy. */
export const LEDGER_MAX_ATTEMPTS = 60;

/**
 * Runs `attempt` (read, check, plan) and commits what it plans (queued behind the process's other verbs on
 * the same `keys`), again on 'stale' or 'contention' (after a
 * jittered backoff) until it commits, refuses (throws), or runs out of attempts (409, nothing written).
 */
export async function retrying<T>(
  ports: PaymentPorts,
  what: string,
  keys: string[],
  attempt: () => Promise<{ commit: LedgerCommit; result: () => T | Promise<T> }>,
): Promise<T> {
  return ports.lock ? ports.lock(keys, () => attempts(ports, what, attempt)) : attempts(ports, what, attempt);
}

async function attempts<T>(ports: PaymentPorts, what: string, attempt: () => Promise<{ commit: LedgerCommit; result: () => T | Promise<T> }>): Promise<T> {
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = ports.random ?? Math.random;
  for (let n = 1; ; n++) {
    const { commit, result } = await attempt();
    const outcome = await ports.ledger.commit(commit);
    if (outcome.outcome === 'ok') return await result();
    if (outcome.outcome === 'duplicate_external_id') {
      throw new Conflict(
        'a payment with this externalId exists already',
        [{ field: 'externalId', message: `already used by ${outcome.existingId ?? 'another payment'}` }],
        { existingId: outcome.existingId },
      );
    }
    if (outcome.outcome === 'duplicate_row') throw new Conflict('the statement row was imported already', [{ field: 'csv', message: 'duplicate row' }]);
    if (n >= LEDGER_MAX_ATTEMPTS) {
      throw new Conflict(`${what} kept colliding with concurrent writes; retry`, [{ field: 'version', message: 'busy' }]);
    }
    await sleep(Issuing.jitteredBackoff(n, random, 5, 250));
  }
}
