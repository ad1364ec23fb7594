/**
 * `Payment.settle`: brings the ledger to what another system says about one payment, by its externalId
 * (the verb StripeWebhook's `ledger.settle` calls, with a payment intent's Settlement):
 * - the payment is recorded ONCE (externalId), for the invoice named (what exceeds its balance, or all of it
 *   when the invoice takes no payments any more, stays the client's credit);
 * - the money given back (`reversed`: refunds + lost disputes) is brought UP to the total said, never down:
 *   refunds come out of unapplied money; when there is not enough, allocations are reversed newest first
 *   (each a reversal record: the invoice owes that money again) and what is not refunded is allocated back
 *   to the invoice as far as it owes money.
 * Every step is one transaction of the verbs it uses, and the whole is convergent: the same settlement again,
 * or after a crash between two steps, finds what is done and does the rest (Stripe retries until it succeeds).
 */
import { Conflict, dec, RuleViolation, today, type Command, type DecimalInput } from '../kernel';
import { reverse } from './allocation';
import { activeAllocations } from './figures';
import { figuresOf } from './ledger';
import { nowOf, type PaymentPorts } from './model';
import { allocate, get, record, recordForInvoice, refund } from './payment';
import type { PaymentView } from './view';

export interface ExternalSettlement {
  payment: {
    externalId: string;
    invoiceId: string | null;
    amount: string;
    currency: string;
    date: string;
    method: 'card';
    reference: string | null;
  } | null;
  /** Money given back so far, in total (a decimal string in the payment's currency). */
  reversed: string;
}

async function recordOnce(ports: PaymentPorts, cmd: Command, p: NonNullable<ExternalSettlement['payment']>): Promise<string> {
  const existing = await ports.ledger.paymentIdByExternalId(cmd.tenantId, p.externalId);
  if (existing) return existing;
  if (!p.invoiceId) throw new RuleViolation('a payment without its invoice has no known client', [{ field: 'invoiceId', message: 'required to record' }]);
  const invoice = await ports.invoices.get(cmd.tenantId, p.invoiceId);
  if (!invoice?.client) throw new RuleViolation('the invoice of the payment is unknown', [{ field: 'invoiceId', message: 'no such invoice' }]);
  const common = { ...cmd, amount: p.amount, date: p.date, method: p.method, reference: p.reference, externalId: p.externalId, origin: 'stripe' as const };
  try {
    const takes = invoice.currency === p.currency && (await canTake(ports, cmd.tenantId, p.invoiceId));
    const payment = takes
      ? await recordForInvoice(ports, { ...common, id: p.invoiceId })
      : await record(ports, { ...common, clientId: invoice.client.id, currency: p.currency });
    return payment.id;
  } catch (error) {
    const existingId = error instanceof Conflict ? (error.extra as { existingId?: string }).existingId : undefined;
    if (existingId) return existingId; // recorded by a concurrent delivery of the same event
    throw error;
  }
}

async function canTake(ports: PaymentPorts, tenantId: string, invoiceId: string): Promise<boolean> {
  const invoice = await ports.invoices.get(tenantId, invoiceId);
  return Boolean(invoice && (invoice.status === 'issued' || invoice.status === 'paid') && invoice.type === 'invoice');
}

export async function settle(ports: PaymentPorts, cmd: Command & { settlement: ExternalSettlement }): Promise<PaymentView | null> {
  const p = cmd.settlement.payment;
  if (!p) return null; // a refund that overtook its payment waits for it
  const id = await recordOnce(ports, cmd, p);
  let current = await get(ports, { tenantId: cmd.tenantId, id });
  const target = dec(cmd.settlement.reversed);
  for (let guard = 0; dec(current.refunded).lt(target) && guard < 20; guard++) {
    const need = target.minus(current.refunded);
    if (dec(current.unapplied).gt(0)) {
      const amount = minOf(need, current.unapplied);
      current = await refund(ports, { ...cmd, id, amount, date: today(nowOf(ports)), reference: `${p.externalId} reversed` });
      continue;
    }
    const records = await ports.ledger.recordsOfSource(cmd.tenantId, { type: 'payment', id });
    const newest = activeAllocations(records.allocations, records.reversals).at(-1);
    if (!newest) break;
    current = await reverse(ports, { ...cmd, id, allocationId: newest.id, reason: 'card refund or dispute' });
  }
  // what is neither refunded nor allocated goes back to the invoice, as far as it owes money
  if (p.invoiceId && dec(current.unapplied).gt(0)) {
    const invoice = await ports.invoices.get(cmd.tenantId, p.invoiceId);
    const due =
      invoice && invoice.currency === current.currency && (await canTake(ports, cmd.tenantId, invoice.id)) ? dec(figuresOf(invoice).balanceDue) : dec(0);
    if (due.gt(0)) current = await allocate(ports, { ...cmd, id, invoiceId: p.invoiceId, amount: minOf(due, current.unapplied) });
  }
  return current;
}

function minOf(a: DecimalInput, b: DecimalInput): string {
  return dec(a).lt(dec(b)) ? dec(a).toString() : dec(b).toString();
}
