/** What the API shows of a payment: the record, its cached figures, its allocations (reversed or not) and refunds. */
import type { LedgerRecords, Payment } from './model';

export function paymentView(payment: Payment, records: LedgerRecords) {
  const reversals = new Map(records.reversals.map((r) => [r.allocationId, r]));
  const { tenantId: _tenant, ...rest } = payment;
  return {
    ...rest,
    allocations: [...records.allocations]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((a) => {
        const reversal = reversals.get(a.id);
        return {
          id: a.id,
          invoiceId: a.invoiceId,
          amount: a.amount,
          date: a.date,
          fromCredit: a.fromCredit,
          createdAt: a.createdAt,
          reversedAt: reversal?.createdAt ?? null,
          reversal: reversal ? { id: reversal.id, date: reversal.date, reason: reversal.reason } : null,
        };
      }),
    refunds: [...records.refunds]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((r) => ({ id: r.id, amount: r.amount, date: r.date, reference: r.reference, createdAt: r.createdAt })),
  };
}

export type PaymentView = ReturnType<typeof paymentView>;
