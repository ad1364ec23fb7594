/**
 * Reversing ONE allocation (DELETE /v1/payments/{id}/allocations/{allocationId}): a bank return, a chargeback,
 * a wrong match. A reversal is a record of its own (date, reason), at most one per allocation; the
 * allocation keeps its amount, the other allocations of the payment are untouched. Its money is unapplied
 * again (the client's credit) and the invoice owes it again: a paid invoice is reopened (invoicing's
 * Settlement.settle puts it back in the stage it had before and emits invoice.reopened).
 */
import { Conflict, NotFound, newId, outboxEvent, staleVersion, today, type ItemCommand } from '../kernel';
import { activeAllocations } from './figures';
import { dateProblems, emptyCommit, invoiceEffects, paymentAfter, refuse, retrying, reversalChange } from './ledger';
import type { PaymentPorts, Reversal } from './model';
import { paymentView, type PaymentView } from './view';

export interface ReverseCommand extends ItemCommand {
  allocationId: string;
  /** Why (default "reversed"): "bank_return", "chargeback", "wrong_match", free text. */
  reason?: string;
  /** The day the money went back (default today, UTC). */
  date?: string;
}

export async function reverse(ports: PaymentPorts, cmd: ReverseCommand): Promise<PaymentView> {
  const reversalId = newId('reversal');
  const effects = invoiceEffects(ports, cmd.tenantId, cmd.actor);
  return retrying(ports, 'the reversal', [cmd.id], async () => {
    const payment = await ports.ledger.getPayment(cmd.tenantId, cmd.id);
    if (!payment) throw new NotFound('payment');
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== payment.version) throw staleVersion(cmd.expectedVersion, payment.version);
    const source = { type: 'payment' as const, id: payment.id };
    const records = await ports.ledger.recordsOfSource(cmd.tenantId, source);
    const allocation = records.allocations.find((a) => a.id === cmd.allocationId);
    if (!allocation) throw new NotFound('allocation');
    const existing = records.reversals.find((r) => r.allocationId === allocation.id);
    if (existing) {
      throw new Conflict('the allocation is reversed already', [{ field: 'allocationId', message: `reversed on ${existing.date} (${existing.reason})` }], {
        reversalId: existing.id,
      });
    }
    const effect = await effects();
    const { now } = effect;
    const date = cmd.date ?? today(now);
    const errors = dateProblems(date, now);
    if (date < allocation.date) errors.push({ field: 'date', message: `cannot be before the allocation's date ${allocation.date}` });
    if (errors.length > 0) refuse('the reversal is not valid', errors);
    const invoice = await ports.invoices.get(cmd.tenantId, allocation.invoiceId);
    if (!invoice) throw new Error(`invoice ${allocation.invoiceId} of allocation ${allocation.id} is missing`);
    const reversal: Reversal = {
      tenantId: cmd.tenantId,
      id: reversalId,
      allocationId: allocation.id,
      source,
      invoiceId: allocation.invoiceId,
      clientId: allocation.clientId,
      currency: allocation.currency,
      amount: allocation.amount,
      date,
      reason: cmd.reason ?? 'reversed',
      createdAt: now.toISOString(),
      createdBy: cmd.actor.id,
    };
    // the newest allocation still active on the invoice after this one goes (paidAt if it stays paid)
    const ofInvoice = await ports.ledger.recordsOfInvoice(cmd.tenantId, invoice.id);
    const remaining = activeAllocations(ofInvoice.allocations, [...ofInvoice.reversals, reversal]);
    const lastActiveAt = remaining.reduce<string | null>((max, a) => (max === null || a.createdAt > max ? a.createdAt : max), null);
    const after = paymentAfter(payment, { allocated: `-${allocation.amount}` }, now);
    const commit = emptyCommit();
    commit.payments.push({ before: payment, after });
    commit.reversals.push(reversal);
    commit.invoices.push(reversalChange(invoice, reversal, lastActiveAt, effect));
    commit.events.push(
      outboxEvent(
        'paymentAllocationReversed',
        cmd.tenantId,
        {
          paymentId: payment.id,
          allocationId: allocation.id,
          invoiceId: invoice.id,
          amount: allocation.amount,
          currency: allocation.currency,
          reason: reversal.reason,
        },
        now,
      ),
    );
    return { commit, result: () => paymentView(after, { ...records, reversals: [...records.reversals, reversal] }) };
  });
}
