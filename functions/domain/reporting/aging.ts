/**
 * Aged receivables as of a day, past days included, rebuilt from the records (never today's cached balances):
 * - an invoice issued by `asOf` owes amountPayable - the allocations to it dated by `asOf` that no reversal
 *   dated by `asOf` undid (money received later does not count, a reversal made later does not either);
 * - buckets by days past due (asOf - dueDate): an invoice due today, or with no due date, is `current`; then
 *   1-30, 31-60, ... as the limits say (default 30,60,90,120), and over the last limit;
 * - unapplied credit, apart (per client and currency): the payments received by `asOf` minus what was allocated
 *   from them (by `asOf`, not reversed by then) and refunded by then; plus the credit of credit notes issued by
 *   then not yet applied. The net is the open total minus that credit.
 */
import { Decimal, InvalidInput, dec, formatAmount, sum } from '../kernel';
import type { LedgerRecords, Payment } from '../payments';
import { type ReportInvoice, inReports } from './model';
import { daysBetween } from './period';

export const DEFAULT_BUCKETS = [30, 60, 90, 120];

/** The bucket limits of `?buckets=30,60,90,120`: increasing whole days, 1 to 3650, at most 10. */
export function bucketLimits(text: string | undefined): number[] {
  if (text === undefined || text === '') return DEFAULT_BUCKETS;
  const parts = text.split(',').map((p) => p.trim());
  const numbers = parts.map((p) => (/^\d{1,4}$/.test(p) ? Number(p) : Number.NaN));
  const ok = numbers.length <= 10 && numbers.every((n, i) => Number.isInteger(n) && n >= 1 && n <= 3650 && (i === 0 || n > numbers[i - 1]));
  if (!ok)
    throw new InvalidInput('unknown buckets', [
      { field: 'buckets', message: 'must be increasing whole days between 1 and 3650, comma separated (at most 10), e.g. 30,60,90,120' },
    ]);
  return numbers;
}

/** The bucket names of the limits: current, 1-30, 31-60, ..., over_120. */
export function bucketNames(limits: number[]): string[] {
  return ['current', ...limits.map((l, i) => `${i === 0 ? 1 : limits[i - 1] + 1}-${l}`), `over_${limits[limits.length - 1]}`];
}

export function bucketOf(daysPastDue: number, limits: number[]): number {
  if (daysPastDue <= 0) return 0;
  const i = limits.findIndex((l) => daysPastDue <= l);
  return i === -1 ? limits.length + 1 : i + 1;
}

export interface AgingLine {
  clientId: string;
  clientName: string | null;
  currency: string;
  buckets: Record<string, string>;
  /** The open balance, all buckets. */
  total: string;
  unappliedCredit: string;
  /** total - unappliedCredit. */
  net: string;
}

export interface AgingInvoice {
  invoiceId: string;
  number: string | null;
  clientId: string;
  currency: string;
  issueDate: string;
  dueDate: string | null;
  daysPastDue: number;
  bucket: string;
  balanceDue: string;
}

export interface AgingReport {
  asOf: string;
  buckets: string[];
  clients: AgingLine[];
  totals: Omit<AgingLine, 'clientId' | 'clientName'>[];
  invoices: AgingInvoice[];
}

/** What was applied to each invoice as of `asOf` (active allocations), and drawn from each credit source. */
export function appliedAsOf(records: LedgerRecords, asOf: string) {
  const reversed = new Set(records.reversals.filter((r) => r.date <= asOf).map((r) => r.allocationId));
  const active = records.allocations.filter((a) => a.date <= asOf && !reversed.has(a.id));
  const toInvoice = new Map<string, Decimal>();
  const fromSource = new Map<string, Decimal>();
  for (const a of active) {
    toInvoice.set(a.invoiceId, (toInvoice.get(a.invoiceId) ?? new Decimal(0)).plus(a.amount));
    fromSource.set(a.source.id, (fromSource.get(a.source.id) ?? new Decimal(0)).plus(a.amount));
  }
  const refunded = new Map<string, Decimal>();
  for (const r of records.refunds.filter((x) => x.date <= asOf)) refunded.set(r.paymentId, (refunded.get(r.paymentId) ?? new Decimal(0)).plus(r.amount));
  return { toInvoice, fromSource, refunded };
}

/** An invoice's balance as of `asOf` from the records (never below 0). */
export function balanceAsOf(invoice: ReportInvoice, applied: Map<string, Decimal>): Decimal {
  return Decimal.max(dec(invoice.totals.total).minus(applied.get(invoice.id) ?? 0), 0);
}

/**
 * The report. `invoices`: those issued by `asOf` (others are ignored); `records`: the ledger records dated by
 * `asOf` (later ones are ignored); `payments`: received by `asOf`.
 */
export function aging(input: { asOf: string; limits?: number[]; invoices: ReportInvoice[]; records: LedgerRecords; payments: Payment.Info[] }): AgingReport {
  const { asOf } = input;
  const limits = input.limits ?? DEFAULT_BUCKETS;
  const names = bucketNames(limits);
  const applied = appliedAsOf(input.records, asOf);
  const lines = new Map<string, { clientId: string; clientName: string | null; currency: string; buckets: Decimal[]; credit: Decimal }>();
  const lineOf = (clientId: string, currency: string, clientName: string | null) => {
    const key = `${clientId}|${currency}`;
    let line = lines.get(key);
    if (!line) {
      line = { clientId, clientName, currency, buckets: names.map(() => new Decimal(0)), credit: new Decimal(0) };
      lines.set(key, line);
    }
    if (!line.clientName && clientName) line.clientName = clientName;
    return line;
  };
  const issued = input.invoices.filter((i) => inReports(i) && i.issueDate! <= asOf);
  const invoices: AgingInvoice[] = [];
  for (const invoice of issued) {
    const clientId = invoice.client?.id ?? '';
    const name = invoice.client?.name ?? null;
    if (invoice.type === 'credit_note') {
      const credit = Decimal.max(
        dec(invoice.totals.total)
          .abs()
          .minus(applied.fromSource.get(invoice.id) ?? 0),
        0,
      );
      if (!credit.isZero()) lineOf(clientId, invoice.currency, name).credit = lineOf(clientId, invoice.currency, name).credit.plus(credit);
      continue;
    }
    const balance = balanceAsOf(invoice, applied.toInvoice);
    if (balance.isZero()) continue;
    const days = invoice.dueDate ? daysBetween(invoice.dueDate, asOf) : 0;
    const b = bucketOf(days, limits);
    const line = lineOf(clientId, invoice.currency, name);
    line.buckets[b] = line.buckets[b].plus(balance);
    invoices.push({
      invoiceId: invoice.id,
      number: invoice.number,
      clientId,
      currency: invoice.currency,
      issueDate: invoice.issueDate!,
      dueDate: invoice.dueDate,
      daysPastDue: Math.max(days, 0),
      bucket: names[b],
      balanceDue: formatAmount(balance, invoice.currency),
    });
  }
  for (const p of input.payments.filter((x) => x.date <= asOf)) {
    const unapplied = dec(p.amount)
      .minus(applied.fromSource.get(p.id) ?? 0)
      .minus(applied.refunded.get(p.id) ?? 0);
    if (unapplied.gt(0)) {
      const line = lineOf(p.clientId, p.currency, null);
      line.credit = line.credit.plus(unapplied);
    }
  }
  const clients: AgingLine[] = [...lines.values()]
    .map((l) => {
      const total = sum(l.buckets);
      return {
        clientId: l.clientId,
        clientName: l.clientName,
        currency: l.currency,
        buckets: Object.fromEntries(names.map((n, i) => [n, formatAmount(l.buckets[i], l.currency)])),
        total: formatAmount(total, l.currency),
        unappliedCredit: formatAmount(l.credit, l.currency),
        net: formatAmount(total.minus(l.credit), l.currency),
      };
    })
    .sort((a, b) => a.currency.localeCompare(b.currency) || (a.clientName ?? '').localeCompare(b.clientName ?? '') || a.clientId.localeCompare(b.clientId));
  const currencies = [...new Set(clients.map((c) => c.currency))];
  const totals = currencies.map((currency) => {
    const list = clients.filter((c) => c.currency === currency);
    const total = sum(list.map((c) => c.total));
    const credit = sum(list.map((c) => c.unappliedCredit));
    return {
      currency,
      buckets: Object.fromEntries(names.map((n) => [n, formatAmount(sum(list.map((c) => c.buckets[n])), currency)])),
      total: formatAmount(total, currency),
      unappliedCredit: formatAmount(credit, currency),
      net: formatAmount(total.minus(credit), currency),
    };
  });
  invoices.sort((a, b) => (a.dueDate ?? a.issueDate).localeCompare(b.dueDate ?? b.issueDate) || a.invoiceId.localeCompare(b.invoiceId));
  return { asOf, buckets: names, clients, totals, invoices };
}

/** A line's figures in column order: currency, each bucket, total, unapplied credit, net (the table's and the page's). */
export function agingCells(report: Pick<AgingReport, 'buckets'>, l: Omit<AgingLine, 'clientId' | 'clientName'>): string[] {
  return [l.currency, ...report.buckets.map((b) => l.buckets[b]), l.total, l.unappliedCredit, l.net];
}

/** The report as a table: one row per client and currency, then one total row per currency. */
export function agingTable(report: AgingReport): { name: string; header: string[]; rows: (string | null)[][] } {
  const header = ['clientId', 'clientName', 'currency', ...report.buckets, 'total', 'unappliedCredit', 'net'];
  const row = (id: string | null, name: string | null, l: Omit<AgingLine, 'clientId' | 'clientName'>) => [id, name, ...agingCells(report, l)];
  return { name: 'aging', header, rows: [...report.clients.map((c) => row(c.clientId, c.clientName, c)), ...report.totals.map((t) => row('TOTAL', null, t))] };
}
