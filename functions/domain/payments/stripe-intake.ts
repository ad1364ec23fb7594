/**
 * From Stripe's webhook events to what our payments ledger must hold, whatever order they come in.
 *
 * Stripe delivers at least once and in no set order (a refund may overtake the payment). So an event is
 * not turned into a ledger command directly: it is read as a fact about one payment intent (`pi_...`,
 * our payment's `externalId`), facts are merged into one PaymentFacts record per payment intent, and the
 * ledger is then brought to match that record (`settlement`). The merge is commutative, associative and
 * idempotent (first success instant = min, refunded total = max, lost disputes = union by dispute id),
 * so any number of copies of the events, in any order, give the same record and the same settlement.
 *
 * Events read:
 * - `checkout.session.completed` with `payment_status: "paid"`, `checkout.session.async_payment_succeeded`
 *   and `payment_intent.succeeded`: the payment succeeded (amount, currency, invoice from our metadata);
 *   a completed session still `unpaid` (SEPA debit and other delayed methods) waits for the async event;
 * - `charge.refunded`: `amount_refunded` is the running total of refunds of the charge;
 * - `charge.dispute.closed` with `status: "lost"`: the disputed amount went back to the card holder.
 * Anything else, and any object whose metadata names another tenant, is ignored.
 */

import { dec, sum } from '../kernel';
import { fromStripeAmount, stripeMinorUnits } from './stripe-amounts';

/** What we read of a Stripe event (the library's Event type is far wider; this is all the mapping needs). */
export interface StripeEventLike {
  id: string;
  type: string;
  /** Seconds since the epoch. */
  created: number;
  livemode: boolean;
  data: { object: Record<string, unknown> };
}

export type StripeFact =
  | { kind: 'payment_succeeded'; externalId: string; invoiceId: string | null; amount: string; currency: string; at: string; sessionId?: string }
  | { kind: 'refunded'; externalId: string; refundedTotal: string; currency: string }
  | { kind: 'dispute_lost'; externalId: string; disputeId: string; amount: string; currency: string }
  | { kind: 'ignored'; reason: string };

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const idOf = (v: unknown): string | null => str(v) ?? str((v as { id?: unknown } | null)?.id);
const metadataOf = (o: Record<string, unknown>) => (o.metadata && typeof o.metadata === 'object' ? (o.metadata as Record<string, unknown>) : {});
const ignored = (reason: string): StripeFact => ({ kind: 'ignored', reason });

/** The fact an event states, for the tenant whose endpoint received it. */
export function factOf(event: StripeEventLike, tenantId: string): StripeFact {
  const o = event.data.object;
  const meta = metadataOf(o);
  const at = new Date(event.created * 1000).toISOString();
  const ours = () => str(meta.tenantId) === tenantId;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      if (!ours()) return ignored('not a session of this tenant');
      if (o.payment_status !== 'paid') return ignored(`session payment_status ${String(o.payment_status)}`);
      const externalId = idOf(o.payment_intent);
      const amount = num(o.amount_total);
      const currency = str(o.currency);
      if (!externalId || amount === null || !currency) return ignored('session without payment intent, amount or currency');
      const invoiceId = str(meta.invoiceId) ?? str(o.client_reference_id);
      return {
        kind: 'payment_succeeded',
        externalId,
        invoiceId,
        amount: fromStripeAmount(amount, currency),
        currency: currency.toUpperCase(),
        at,
        sessionId: str(o.id) ?? undefined,
      };
    }
    case 'payment_intent.succeeded': {
      if (!ours()) return ignored('not a payment intent of this tenant');
      const externalId = str(o.id);
      const amount = num(o.amount_received);
      const currency = str(o.currency);
      if (!externalId || amount === null || !currency) return ignored('payment intent without id, amount or currency');
      return {
        kind: 'payment_succeeded',
        externalId,
        invoiceId: str(meta.invoiceId),
        amount: fromStripeAmount(amount, currency),
        currency: currency.toUpperCase(),
        at,
      };
    }
    case 'charge.refunded': {
      const externalId = idOf(o.payment_intent);
      const refunded = num(o.amount_refunded);
      const currency = str(o.currency);
      if (!externalId || refunded === null || !currency) return ignored('charge without payment intent, refunded amount or currency');
      if (str(meta.tenantId) && !ours()) return ignored('not a charge of this tenant');
      return { kind: 'refunded', externalId, refundedTotal: fromStripeAmount(refunded, currency), currency: currency.toUpperCase() };
    }
    case 'charge.dispute.closed': {
      if (o.status !== 'lost') return ignored(`dispute ${String(o.status)}`);
      const externalId = idOf(o.payment_intent);
      const disputeId = str(o.id);
      const amount = num(o.amount);
      const currency = str(o.currency);
      if (!externalId || !disputeId || amount === null || !currency) return ignored('dispute without payment intent, id, amount or currency');
      return { kind: 'dispute_lost', externalId, disputeId, amount: fromStripeAmount(amount, currency), currency: currency.toUpperCase() };
    }
    default:
      return ignored(`event type ${event.type} is not read`);
  }
}

/** Everything known about one payment intent, merged from any number of facts in any order. */
export interface PaymentFacts {
  externalId: string;
  currency: string;
  /** Set once a success fact came; null while only refunds or disputes are known. */
  payment: { invoiceId: string | null; amount: string; at: string; sessionId?: string } | null;
  /** Running total refunded (the largest seen). */
  refundedTotal: string;
  /** Lost disputes by dispute id. */
  disputesLost: Record<string, string>;
}

export function emptyFacts(externalId: string, currency: string): PaymentFacts {
  return { externalId, currency, payment: null, refundedTotal: '0', disputesLost: {} };
}

/** Of two optional ids, the one present, or the smaller of both. */
const pick = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);

type MergeableFact = Exclude<StripeFact, { kind: 'ignored' }>;

/** The record with one more fact in it. Order and repetition of facts do not change the outcome. */
export function mergeFact(facts: PaymentFacts | null, fact: MergeableFact): PaymentFacts {
  const base = facts ?? emptyFacts(fact.externalId, fact.currency);
  if (base.externalId !== fact.externalId) throw new Error(`fact of ${fact.externalId} merged into ${base.externalId}`);
  switch (fact.kind) {
    case 'payment_succeeded': {
      const seen = base.payment;
      // Two success facts of one payment intent agree; should they not, every field is still chosen by a
      // rule that ignores arrival order (earliest instant, largest amount, a named id over none, then the smaller).
      const payment = {
        invoiceId: pick(seen?.invoiceId ?? null, fact.invoiceId),
        amount: seen && dec(seen.amount).gt(fact.amount) ? seen.amount : fact.amount,
        at: seen && seen.at < fact.at ? seen.at : fact.at,
        ...(pick(seen?.sessionId ?? null, fact.sessionId ?? null) ? { sessionId: pick(seen?.sessionId ?? null, fact.sessionId ?? null)! } : {}),
      };
      return { ...base, payment };
    }
    case 'refunded':
      return { ...base, refundedTotal: dec(fact.refundedTotal).gt(base.refundedTotal) ? fact.refundedTotal : base.refundedTotal };
    case 'dispute_lost':
      return { ...base, disputesLost: { ...base.disputesLost, [fact.disputeId]: fact.amount } };
  }
}

/**
 * What the ledger must hold for this payment intent: the payment (method card, externalId = the payment
 * intent) once a success is known, and how much of it is reversed (refunds plus lost disputes, never
 * more than the payment). Null payment: nothing to record yet (a refund that overtook its payment waits).
 */
export function settlement(facts: PaymentFacts): {
  payment: { externalId: string; invoiceId: string | null; amount: string; currency: string; date: string; method: 'card'; reference: string | null } | null;
  reversed: string;
} {
  if (!facts.payment) return { payment: null, reversed: dec(0).toFixed(stripeMinorUnits(facts.currency)) };
  const lost = sum(Object.values(facts.disputesLost));
  const reversed = lost.add(facts.refundedTotal);
  const capped = reversed.gt(facts.payment.amount) ? dec(facts.payment.amount) : reversed;
  return {
    payment: {
      externalId: facts.externalId,
      invoiceId: facts.payment.invoiceId,
      amount: facts.payment.amount,
      currency: facts.currency,
      date: facts.payment.at.slice(0, 10),
      method: 'card',
      reference: facts.payment.sessionId ?? null,
    },
    reversed: capped.toFixed(stripeMinorUnits(facts.currency)),
  };
}
