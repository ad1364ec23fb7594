/**
 * What recurring schedules will invoice per month (the reports' forecast plugs this in as its RecurringPlan):
 * each active schedule's next periods inside the months asked, at the total of its lines (lines priced only by
 * a product are left out: their price is the product's on the day the invoice is made).
 */
import { dec, formatAmount, priceLines, type LineInput } from '../kernel';
import { dateOf, type RecurringInvoice } from './recurring';

export interface PlannedAmount {
  month: string;
  currency: string;
  amount: string;
}

/** The total one period of the schedule invoices (amountPayable: net + VAT - withholding). */
export function periodTotal(s: Pick<RecurringInvoice, 'lines' | 'currency'>): string {
  const priced = s.lines.filter((l): l is LineInput => l.unitPrice !== undefined && l.taxRate !== undefined && l.description !== undefined);
  if (priced.length === 0) return formatAmount(0, s.currency);
  return priceLines(priced, s.currency).totals.total;
}

/** The planned amounts per (month, currency) of `months` (YYYY-MM, ascending). */
export function plannedByMonth(schedules: RecurringInvoice[], months: string[]): PlannedAmount[] {
  if (months.length === 0) return [];
  const wanted = new Set(months);
  const last = months[months.length - 1];
  const sums = new Map<string, { month: string; currency: string; amount: ReturnType<typeof dec> }>();
  for (const s of schedules) {
    if (s.status !== 'active' || s.nextDate === null) continue;
    const total = periodTotal(s);
    const left = s.count !== undefined && s.count !== null ? s.count - s.made : Number.POSITIVE_INFINITY;
    for (let n = s.nextIndex, k = 0; k < left && k < 400; n++, k++) {
      const date = dateOf(s, n);
      if (date === null || date.slice(0, 7) > last) break;
      const month = date.slice(0, 7);
      if (!wanted.has(month)) continue;
      const key = `${month}/${s.currency}`;
      const row = sums.get(key) ?? { month, currency: s.currency, amount: dec(0) };
      row.amount = row.amount.plus(total);
      sums.set(key, row);
    }
  }
  return [...sums.values()].map((r) => ({ month: r.month, currency: r.currency, amount: formatAmount(r.amount, r.currency) }));
}
