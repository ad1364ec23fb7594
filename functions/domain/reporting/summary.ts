/**
 * The status summary of the invoices issued in a period: count and amount (amountPayable) per stage (as the
 * invoices are now) and per payment status as of the period's last day (rebuilt from the ledger records, like
 * aging), and the DSO: receivables at the end of the period (aging's open total as of `to`) / the period's
 * sales (invoices and credit notes issued in it) x the days of the period.
 */
import { Decimal, formatAmount, sum } from '../kernel';
import type { LedgerRecords } from '../payments';
import { appliedAsOf, balanceAsOf } from './aging';
import { type ReportInvoice, inReports } from './model';
import { daysBetween } from './period';

export interface StatusSummary {
  from: string;
  to: string;
  byStage: { currency: string; stage: string; count: number; amount: string }[];
  byPaymentStatus: { currency: string; paymentStatus: 'unpaid' | 'partially_paid' | 'paid'; count: number; amount: string; balanceDue: string }[];
  dso: { currency: string; receivables: string; sales: string; days: number; dso: string | null }[];
}

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** `invoices`: every document issued by `to` (those of the period are picked here); `records`: dated by `to`. */
export function statusSummary(input: { from: string; to: string; invoices: ReportInvoice[]; records: LedgerRecords }): StatusSummary {
  const { from, to } = input;
  const docs = input.invoices.filter((i) => inReports(i) && i.issueDate! <= to);
  const inPeriod = docs.filter((i) => i.issueDate! >= from);
  const invoices = inPeriod.filter((i) => i.type === 'invoice');
  const applied = appliedAsOf(input.records, to).toInvoice;

  const byStage = [...group(invoices, (i) => `${i.currency}|${i.stage}`).entries()].map(([key, list]) => {
    const [currency, stage] = key.split('|');
    return { currency, stage, count: list.length, amount: formatAmount(sum(list.map((i) => i.totals.total)), currency) };
  });

  const statusOf = (i: ReportInvoice) => {
    const due = balanceAsOf(i, applied);
    return due.isZero() ? 'paid' : due.lt(i.totals.total) ? 'partially_paid' : 'unpaid';
  };
  const order = ['unpaid', 'partially_paid', 'paid'] as const;
  const byPaymentStatus = [...group(invoices, (i) => i.currency).entries()].flatMap(([currency, list]) =>
    order.flatMap((paymentStatus) => {
      const matching = list.filter((i) => statusOf(i) === paymentStatus);
      if (matching.length === 0) return [];
      return [
        {
          currency,
          paymentStatus,
          count: matching.length,
          amount: formatAmount(sum(matching.map((i) => i.totals.total)), currency),
          balanceDue: formatAmount(sum(matching.map((i) => balanceAsOf(i, applied))), currency),
        },
      ];
    }),
  );

  const days = daysBetween(from, to) + 1;
  const currencies = [...new Set(docs.map((i) => i.currency))].sort();
  const dso = currencies.map((currency) => {
    const receivables = sum(docs.filter((i) => i.currency === currency && i.type === 'invoice').map((i) => balanceAsOf(i, applied)));
    const sales = sum(inPeriod.filter((i) => i.currency === currency).map((i) => i.totals.total));
    return {
      currency,
      receivables: formatAmount(receivables, currency),
      sales: formatAmount(sales, currency),
      days,
      dso: sales.gt(0) ? receivables.div(sales).times(days).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1) : null,
    };
  });
  return { from, to, byStage, byPaymentStatus, dso };
}
