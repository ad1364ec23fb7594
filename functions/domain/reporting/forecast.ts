/**
 * The billing and collections forecast per month, from the current month (by the clock) for `months` months:
 * - open invoices by due date (their balance as of today, rebuilt from the records); those already overdue
 *   count in the first month (and are also shown apart as `overdue`); no due date: the first month;
 * - open deals weighted by their stage's probability: the stage's own `probability` (percent) when the
 *   pipeline gives one, else by position among the open stages (k-th of n: k / (n + 1)); in the month of
 *   the deal's `expectedCloseDate` when it has one, else the first month;
 * - recurring schedules through the RecurringPlan port (planned amounts per month, from the
 *   scheduling area's RecurringForecast; wired in shared/wiring/reporting.ts).
 */ import { Decimal, InvalidInput, dec, formatAmount, type Pipeline } from '../kernel';
import type { LedgerRecords } from '../payments';
import { appliedAsOf, balanceAsOf } from './aging';
import { type ReportInvoice, inReports } from './model';

export interface PlannedAmount {
  month: string;
  currency: string;
  amount: string;
}

/** Recurring schedules (the scheduling area's plan): the amounts they will invoice per month. */
export interface RecurringPlan {
  plannedByMonth(tenantId: string, months: string[]): Promise<PlannedAmount[]>;
}

/** No schedules yet: plans nothing. */
export const noRecurringPlan: RecurringPlan = { plannedByMonth: async () => [] };

export interface OpenDeal {
  id: string;
  stage: string;
  amount: string;
  currency: string;
  expectedCloseDate?: string;
}

export interface ForecastMonth {
  month: string;
  currency: string;
  recurring: string;
  openInvoices: string;
  weightedDeals: string;
  /** Expected billing: what will be invoiced this month (recurring + weighted deals). */
  billing: string;
  /** Expected collections: what open invoices bring in by their due date. */
  collections: string;
  total: string;
}

export interface Forecast {
  asOf: string;
  months: string[];
  rows: ForecastMonth[];
  overdue: { currency: string; amount: string }[];
  stageProbabilities: Record<string, number>;
}

export const MAX_MONTHS = 12;

export function monthCount(value: string | number | undefined): number {
  if (value === undefined || value === '') return 6;
  const n = typeof value === 'number' ? value : /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_MONTHS) {
    throw new InvalidInput('months is not valid', [{ field: 'months', message: `must be a whole number from 1 to ${MAX_MONTHS}` }]);
  }
  return n;
}

export function monthsFrom(day: string, count: number): string[] {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, i) => {
    const yy = y + Math.floor((m + i) / 12);
    return `${yy}-${String(((m + i) % 12) + 1).padStart(2, '0')}`;
  });
}

/** Probability in percent of each open stage of the deal pipeline. */
export function stageProbabilities(pipeline: Pipeline): Record<string, number> {
  const open = pipeline.stages.filter((s) => s.kind === 'open');
  return Object.fromEntries(
    open.map((s, i) => {
      const given = (s as { probability?: number }).probability;
      return [s.id, typeof given === 'number' ? given : Math.round(((i + 1) / (open.length + 1)) * 100)];
    }),
  );
}

export function forecast(input: {
  asOf: string;
  months: number;
  invoices: ReportInvoice[];
  records: LedgerRecords;
  deals: OpenDeal[];
  dealPipeline: Pipeline;
  recurring: PlannedAmount[];
}): Forecast {
  const months = monthsFrom(input.asOf, input.months);
  const first = months[0];
  const cells = new Map<string, { recurring: Decimal; openInvoices: Decimal; weightedDeals: Decimal }>();
  const cell = (month: string, currency: string) => {
    const key = `${month}|${currency}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { recurring: new Decimal(0), openInvoices: new Decimal(0), weightedDeals: new Decimal(0) }));
    return c;
  };
  const monthOf = (day: string | null | undefined) => {
    const m = day ? day.slice(0, 7) : first;
    return m < first ? first : m;
  };
  const applied = appliedAsOf(input.records, input.asOf).toInvoice;
  const overdue = new Map<string, Decimal>();
  for (const invoice of input.invoices.filter((i) => inReports(i) && i.type !== 'credit_note' && i.issueDate! <= input.asOf)) {
    const balance = balanceAsOf(invoice, applied);
    if (balance.isZero()) continue;
    const month = monthOf(invoice.dueDate);
    if (!months.includes(month)) continue;
    const c = cell(month, invoice.currency);
    c.openInvoices = c.openInvoices.plus(balance);
    if (invoice.dueDate && invoice.dueDate < input.asOf) overdue.set(invoice.currency, (overdue.get(invoice.currency) ?? new Decimal(0)).plus(balance));
  }
  const probabilities = stageProbabilities(input.dealPipeline);
  for (const deal of input.deals) {
    const p = probabilities[deal.stage];
    if (p === undefined) continue;
    const month = monthOf(deal.expectedCloseDate);
    if (!months.includes(month)) continue;
    const c = cell(month, deal.currency);
    c.weightedDeals = c.weightedDeals.plus(dec(deal.amount).times(p).div(100));
  }
  for (const planned of input.recurring) {
    if (!months.includes(planned.month)) continue;
    const c = cell(planned.month, planned.currency);
    c.recurring = c.recurring.plus(planned.amount);
  }
  const rows = [...cells.entries()]
    .map(([key, c]) => {
      const [month, currency] = key.split('|');
      return {
        month,
        currency,
        recurring: formatAmount(c.recurring, currency),
        openInvoices: formatAmount(c.openInvoices, currency),
        weightedDeals: formatAmount(c.weightedDeals, currency),
        billing: formatAmount(c.recurring.plus(c.weightedDeals), currency),
        collections: formatAmount(c.openInvoices, currency),
        total: formatAmount(c.recurring.plus(c.openInvoices).plus(c.weightedDeals), currency),
      };
    })
    .sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency));
  return {
    asOf: input.asOf,
    months,
    rows,
    overdue: [...overdue.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount: formatAmount(amount, currency) })),
    stageProbabilities: probabilities,
  };
}
