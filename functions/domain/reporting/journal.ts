/**
 * Journal entries for the accounting program (Spanish chart of accounts, PGC), every entry balanced:
 * - an issued invoice or credit note, on its issue date: debit the client (430) with what it pays, debit the
 *   withholding (4730) with the IRPF withheld, credit sales (700) with the base and output VAT (477) with the
 *   VAT (a credit note: the same entry with negative amounts, as a rectificativa is booked);
 * - a payment, on its date: debit the bank (572), credit the client (430) — applied or not, the money is the
 *   client's (its unapplied part is a credit balance on 430); allocations move nothing between accounts;
 * - a refund, on its date: debit the client (430), credit the bank (572).
 * The accounts come from the tenant's settings (`accounting.accounts`), else the defaults below.
 */
import { dec, formatAmount, sum } from '../kernel';
import type { Payment, Refund } from '../payments';
import { type ReportInvoice, inReports } from './model';

export interface JournalAccounts {
  receivable: string;
  revenue: string;
  vat: string;
  withholding: string;
  bank: string;
}

export const DEFAULT_ACCOUNTS: JournalAccounts = { receivable: '430', revenue: '700', vat: '477', withholding: '4730', bank: '572' };

export interface JournalLine {
  account: string;
  debit: string;
  credit: string;
}

export interface JournalEntry {
  entry: number;
  date: string;
  kind: 'invoice' | 'credit_note' | 'payment' | 'refund';
  reference: string;
  description: string;
  currency: string;
  lines: JournalLine[];
}

export interface Journal {
  from: string;
  to: string;
  accounts: JournalAccounts;
  entries: JournalEntry[];
}

const inside = (date: string, p: { from: string; to: string }) => date >= p.from && date <= p.to;

export function journal(input: {
  from: string;
  to: string;
  accounts?: Partial<JournalAccounts>;
  invoices: ReportInvoice[];
  payments: Payment.Info[];
  refunds: Refund[];
}): Journal {
  const accounts = { ...DEFAULT_ACCOUNTS, ...input.accounts };
  const raw: Omit<JournalEntry, 'entry'>[] = [];
  const line = (account: string, debit: string, credit: string, currency: string): JournalLine => ({
    account,
    debit: formatAmount(debit, currency),
    credit: formatAmount(credit, currency),
  });
  for (const i of input.invoices.filter((x) => inReports(x) && inside(x.issueDate!, input))) {
    const { net, tax, withholding, total } = i.totals;
    const lines = [line(accounts.receivable, total, '0', i.currency)];
    if (!dec(withholding).isZero()) lines.push(line(accounts.withholding, withholding, '0', i.currency));
    lines.push(line(accounts.revenue, '0', net, i.currency));
    if (!dec(tax).isZero()) lines.push(line(accounts.vat, '0', tax, i.currency));
    raw.push({
      date: i.issueDate!,
      kind: i.type === 'credit_note' ? 'credit_note' : 'invoice',
      reference: i.number ?? i.id,
      description: `${i.type === 'credit_note' ? 'Credit note' : 'Invoice'} ${i.number ?? ''} ${i.client?.name ?? ''}`.trim(),
      currency: i.currency,
      lines,
    });
  }
  for (const p of input.payments.filter((x) => inside(x.date, input))) {
    raw.push({
      date: p.date,
      kind: 'payment',
      reference: p.id,
      description: `Payment ${p.reference ?? p.id}`,
      currency: p.currency,
      lines: [line(accounts.bank, p.amount, '0', p.currency), line(accounts.receivable, '0', p.amount, p.currency)],
    });
  }
  for (const r of input.refunds.filter((x) => inside(x.date, input))) {
    raw.push({
      date: r.date,
      kind: 'refund',
      reference: r.id,
      description: `Refund of ${r.paymentId}`,
      currency: r.currency,
      lines: [line(accounts.receivable, r.amount, '0', r.currency), line(accounts.bank, '0', r.amount, r.currency)],
    });
  }
  raw.sort((a, b) => a.date.localeCompare(b.date) || a.reference.localeCompare(b.reference));
  return { from: input.from, to: input.to, accounts, entries: raw.map((e, i) => ({ entry: i + 1, ...e })) };
}

/** True when the entry's debits equal its credits. */
export function balances(entry: JournalEntry): boolean {
  return sum(entry.lines.map((l) => l.debit)).eq(sum(entry.lines.map((l) => l.credit)));
}

/** One row per line of an entry. */
export function journalTable(j: Journal): { name: string; header: string[]; rows: (string | number)[][]; numeric: string[] } {
  return {
    name: 'journal',
    header: ['entry', 'date', 'account', 'debit', 'credit', 'currency', 'kind', 'reference', 'description'],
    rows: j.entries.flatMap((e) => e.lines.map((l) => [e.entry, e.date, l.account, l.debit, l.credit, e.currency, e.kind, e.reference, e.description])),
    numeric: ['entry', 'debit', 'credit'],
  };
}
