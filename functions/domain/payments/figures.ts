/**
 * Every derived figure of the ledger, from the immutable records alone (pure). The verbs cache the results
 * on the payment and invoice items; `rebuild` recomputes them from the records so that a test (and an
 * audit) can compare.
 */
import { Settlement, type Invoice, type InvoiceSettlement } from '../invoicing';
import { dec, formatAmount, sum, type Decimal } from '../kernel';
import type { Allocation, LedgerRecords, Payment, Reversal } from './model';

/** The allocations not reversed. */
export function activeAllocations(allocations: Allocation[], reversals: Reversal[]): Allocation[] {
  const reversed = new Set(reversals.map((r) => r.allocationId));
  return allocations.filter((a) => !reversed.has(a.id));
}

/** A payment's allocated, refunded and unapplied money, from its records. */
export function paymentFigures(payment: Pick<Payment, 'amount' | 'currency'>, records: LedgerRecords): Pick<Payment, 'allocated' | 'refunded' | 'unapplied'> {
  const allocated = sum(activeAllocations(records.allocations, records.reversals).map((a) => a.amount));
  const refunded = sum(records.refunds.map((r) => r.amount));
  const unapplied = dec(payment.amount).minus(allocated).minus(refunded);
  if (unapplied.isNegative()) throw new Error(`payment over-applied: ${payment.amount} < ${allocated} + ${refunded}`);
  return {
    allocated: formatAmount(allocated, payment.currency),
    refunded: formatAmount(refunded, payment.currency),
    unapplied: formatAmount(unapplied, payment.currency),
  };
}

/** An invoice's money figures, from the allocations to it and their reversals. */
export function invoiceFigures(invoice: Invoice.Info, records: Pick<LedgerRecords, 'allocations' | 'reversals'>): InvoiceSettlement {
  const active = activeAllocations(
    records.allocations.filter((a) => a.invoiceId === invoice.id),
    records.reversals,
  );
  const paid = sum(active.filter((a) => a.source.type === 'payment').map((a) => a.amount));
  const credited = sum(active.filter((a) => a.source.type === 'credit_note').map((a) => a.amount));
  const lastAllocationAt = active.reduce<string | null>((max, a) => (max === null || a.createdAt > max ? a.createdAt : max), null);
  return Settlement.settlementOf(invoice, { paid, credited, lastAllocationAt });
}

export interface ClientBalanceRow {
  currency: string;
  /** Σ amountPayable of the client's issued invoices (not cancelled). */
  invoiced: string;
  paid: string;
  credited: string;
  balanceDue: string;
  /** The part of balanceDue past its due date (due today is not overdue). */
  overdue: string;
  /** Money of the client's payments not applied to any invoice nor refunded (+ later credit-note credit). */
  unappliedCredit: string;
  /** Credit applied to invoices later ("saldo utilizado"): active allocations with fromCredit. */
  creditUsed: string;
}

/**
 * A client's balance per currency (sorted by currency), from its invoices' figures, its payments' unapplied
 * money and its allocations. `today` (YYYY-MM-DD) decides what is overdue.
 */
export function clientBalance(
  input: { invoices: Invoice.Info[]; payments: Pick<Payment, 'currency' | 'unapplied'>[]; records: Pick<LedgerRecords, 'allocations' | 'reversals'> },
  today: string,
): ClientBalanceRow[] {
  const rows = new Map<string, Record<Exclude<keyof ClientBalanceRow, 'currency'>, Decimal>>();
  const row = (currency: string) => {
    let r = rows.get(currency);
    if (!r) {
      const zero = dec(0);
      r = { invoiced: zero, paid: zero, credited: zero, balanceDue: zero, overdue: zero, unappliedCredit: zero, creditUsed: zero };
      rows.set(currency, r);
    }
    return r;
  };
  for (const invoice of input.invoices) {
    // an issued credit note's credit left over (settle: credit) is the client's credit, like a payment's unapplied money
    if (invoice.type === 'credit_note' && invoice.status !== 'draft' && invoice.credit) {
      const r = row(invoice.currency);
      r.unappliedCredit = r.unappliedCredit.plus(invoice.credit.unapplied);
      continue;
    }
    if (invoice.type !== 'invoice' || invoice.status === 'draft' || invoice.status === 'void') continue;
    const figures = Settlement.settlementView(invoice);
    const r = row(invoice.currency);
    r.invoiced = r.invoiced.plus(figures.amountPayable ?? 0);
    r.paid = r.paid.plus(figures.amountPaid ?? 0);
    r.credited = r.credited.plus(figures.amountCredited ?? 0);
    r.balanceDue = r.balanceDue.plus(figures.balanceDue ?? 0);
    if (invoice.dueDate && invoice.dueDate < today) r.overdue = r.overdue.plus(figures.balanceDue ?? 0);
  }
  for (const payment of input.payments) {
    const r = row(payment.currency);
    r.unappliedCredit = r.unappliedCredit.plus(payment.unapplied);
  }
  for (const allocation of activeAllocations(input.records.allocations, input.records.reversals)) {
    if (!allocation.fromCredit) continue;
    const r = row(allocation.currency);
    r.creditUsed = r.creditUsed.plus(allocation.amount);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, r]) => ({
      currency,
      ...(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, formatAmount(v, currency)])) as Omit<ClientBalanceRow, 'currency'>),
    }));
}

/**
 * Every cached figure of a client's payments and invoices recomputed from the records alone (the audit the
 * ledger promises): what `figures` say each item should hold.
 */
export function rebuild(input: { invoices: Invoice.Info[]; payments: Payment[]; records: LedgerRecords }) {
  const { records } = input;
  return {
    payments: new Map(
      input.payments.map((p) => [
        p.id,
        paymentFigures(p, {
          allocations: records.allocations.filter((a) => a.source.type === 'payment' && a.source.id === p.id),
          reversals: records.reversals.filter((r) => r.source.type === 'payment' && r.source.id === p.id),
          refunds: records.refunds.filter((r) => r.paymentId === p.id),
        }),
      ]),
    ),
    invoices: new Map(input.invoices.map((i) => [i.id, invoiceFigures(i, records)])),
  };
}
