/**
 * Bank statement import (POST /v1/payments/imports): read the CSV (bank-csv.ts), answer every row, and in a
 * real run (not `dryRun`) turn the `matched` rows into payments.
 *
 * Matching, in this order, against the tenant's issued invoices in open stages, in the row's currency:
 * 1. an invoice NUMBER found in the row's text as a whole token: the characters around it are not letters or
 *    digits, so "F-1" never matches "F-10" nor "AF-1" (a longer number found at the same place wins);
 *    one invoice -> matched (what exceeds its balance due becomes the client's credit); several -> matched
 *    when the amount is exactly their balances' sum, else suggested;
 * 2. else the PAYER (IBAN, else name, equal to a client's) with EXACTLY ONE open invoice whose balanceDue
 *    equals the amount -> matched (balanceDue is what the client pays: a 106.00 transfer matches the
 *    invoice of 100 + 21 % VAT - 15 % IRPF, never its 121.00 total); several -> suggested;
 * 3. else open invoices whose balanceDue equals the amount, payer unknown -> suggested; else unmatched.
 * Money out (amount <= 0) and unreadable rows are unmatched. Balances are followed row by row, so two rows
 * paying the same invoice are answered as they will be recorded.
 *
 * Idempotent re-import: each row has a FINGERPRINT (sha256 of currency, date, amount, text, payer, IBAN and
 * the row's occurrence among identical rows of the file: two identical transfers on one day stay two).
 * A real run remembers every row's fingerprint (a matched one in the very transaction of its payment,
 * whose externalId is `bank:<fingerprint>`); any row seen before answers `duplicate` and creates nothing.
 */
import { createHash } from 'node:crypto';
import { Conflict, dec, minorUnits, newId, normalizeForSearch, RuleViolation, today, type Command, type FieldError } from '../kernel';
import { readStatement, type StatementMapping, type StatementRow } from './bank-csv';
import { figuresOf, MAX_ALLOCATIONS } from './ledger';
import { nowOf, type BankRowRecord, type PaymentPorts } from './model';
import { record, recordForInvoice } from './payment';
import { InvoicePipeline, type Invoice } from '../invoicing';

export type RowStatus = 'matched' | 'suggested' | 'unmatched' | 'duplicate';

export interface ImportRow {
  row: number;
  date: string | null;
  amount: string | null;
  reference: string;
  payerName: string | null;
  status: RowStatus;
  invoiceIds: string[];
  paymentId?: string;
  reason?: string;
}

export interface ImportResult {
  id: string;
  dryRun: boolean;
  rows: ImportRow[];
  summary: Record<RowStatus, number>;
}

/** What matching knows of a client: the names and IBANs a statement may show. */
export interface PayerInfo {
  clientId: string;
  names: string[];
  ibans: string[];
}

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
const MAX_NUMBER_LENGTH = 64;

/**
 * The invoice numbers of `numbers` (lower-case keys) found in `text` as whole tokens: bounded by a non-letter,
 * non-digit (or the text's ends) on both sides; a match inside a longer match is dropped.
 */
export function numbersInText(text: string, numbers: ReadonlySet<string>): string[] {
  const lower = text.toLowerCase();
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < lower.length; i++) {
    if (isWordChar(lower[i]) && !isWordChar(lower[i - 1])) starts.push(i);
    if (isWordChar(lower[i]) && !isWordChar(lower[i + 1])) ends.push(i + 1);
  }
  const found: { from: number; to: number; key: string }[] = [];
  for (const from of starts) {
    for (const to of ends) {
      if (to <= from || to - from > MAX_NUMBER_LENGTH) continue;
      const key = lower.slice(from, to);
      if (numbers.has(key)) found.push({ from, to, key });
    }
  }
  const kept = found.filter((f) => !found.some((g) => g !== f && g.from <= f.from && g.to >= f.to && g.to - g.from > f.to - f.from));
  return [...new Set(kept.map((f) => f.key))];
}

/** A row's fingerprint; `occurrence` counts identical rows before it in the same file. */
export function fingerprint(row: StatementRow, currency: string, occurrence: number): string {
  const parts = [
    currency,
    row.date ?? '',
    row.amount ? dec(row.amount).toString() : '',
    normalizeForSearch(row.reference),
    normalizeForSearch(row.payerName ?? ''),
    row.iban ?? '',
  ];
  return createHash('sha256')
    .update([...parts, String(occurrence)].join('\u0000'))
    .digest('hex');
}

/** The fingerprints of a file's rows, in order (identical rows numbered by occurrence). */
export function rowFingerprints(rows: StatementRow[], currency: string): string[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const rowCurrency = row.currency ?? currency;
    const first = fingerprint(row, rowCurrency, 0);
    const occurrence = seen.get(first) ?? 0;
    seen.set(first, occurrence + 1);
    return occurrence === 0 ? first : fingerprint(row, rowCurrency, occurrence);
  });
}

export interface PlannedRow extends ImportRow {
  fingerprint: string;
  currency: string;
  /** For matched rows: how to record it. */
  plan?: { kind: 'invoice'; invoiceId: string } | { kind: 'allocations'; clientId: string; allocations: { invoiceId: string; amount: string }[] };
}

/**
 * Answers every row (pure): duplicates by fingerprint, then the matching rules above, following the
 * balances as rows are matched. `known` are the fingerprints of rows imported before.
 */
export function matchRows(input: {
  rows: StatementRow[];
  currency: string;
  invoices: Invoice.Info[];
  payers: PayerInfo[];
  known: ReadonlySet<string>;
  today: string;
}): PlannedRow[] {
  const byNumber = new Map<string, Invoice.Info[]>();
  for (const invoice of input.invoices) {
    if (!invoice.number) continue;
    const key = invoice.number.trim().toLowerCase();
    byNumber.set(key, [...(byNumber.get(key) ?? []), invoice]);
  }
  const numbers = new Set(byNumber.keys());
  const balance = new Map(input.invoices.map((i) => [i.id, dec(figuresOf(i).balanceDue)]));
  const byIban = new Map<string, string>();
  const byName = new Map<string, string[]>();
  for (const p of input.payers) {
    for (const iban of p.ibans) byIban.set(iban.replace(/\s+/g, '').toUpperCase(), p.clientId);
    for (const name of p.names) byName.set(normalizeForSearch(name), [...(byName.get(normalizeForSearch(name)) ?? []), p.clientId]);
  }
  const prints = rowFingerprints(input.rows, input.currency);
  return input.rows.map((row, index): PlannedRow => {
    const currency = row.currency ?? input.currency;
    const print = prints[index];
    const out: PlannedRow = {
      row: row.row,
      date: row.date,
      amount: row.amount === null ? null : dec(row.amount).toFixed(Math.max(minorUnits(currency), dec(row.amount).decimalPlaces())),
      reference: row.reference,
      payerName: row.payerName,
      status: 'unmatched',
      invoiceIds: [],
      fingerprint: print,
      currency,
    };
    if (input.known.has(print)) return { ...out, status: 'duplicate', reason: 'imported before' };
    if (row.problem || row.amount === null || row.date === null) return { ...out, reason: row.problem };
    const amount = dec(row.amount);
    if (amount.lte(0)) return { ...out, reason: 'money out (not a payment received)' };
    if (row.date > input.today) return { ...out, reason: 'dated in the future' };
    const open = (i: Invoice.Info) => i.currency === currency && (balance.get(i.id) ?? dec(0)).gt(0);
    const take = (ids: { id: string; amount: ReturnType<typeof dec> }[]) => {
      for (const t of ids) balance.set(t.id, balance.get(t.id)!.minus(t.amount));
    };

    // 1. invoice numbers as whole tokens
    const named = numbersInText(row.reference, numbers)
      .flatMap((key) => byNumber.get(key) ?? [])
      .filter(open);
    if (named.length === 1) {
      const [invoice] = named;
      const due = balance.get(invoice.id)!;
      take([{ id: invoice.id, amount: amount.lt(due) ? amount : due }]);
      return { ...out, status: 'matched', invoiceIds: [invoice.id], plan: { kind: 'invoice', invoiceId: invoice.id } };
    }
    if (named.length > 1) {
      const ids = named.map((i) => i.id);
      const total = named.reduce((acc, i) => acc.plus(balance.get(i.id)!), dec(0));
      const oneClient = new Set(named.map((i) => i.client?.id)).size === 1;
      if (total.eq(amount) && oneClient && named.length <= MAX_ALLOCATIONS) {
        const allocations = named.map((i) => ({ invoiceId: i.id, amount: balance.get(i.id)!.toString() }));
        take(named.map((i) => ({ id: i.id, amount: balance.get(i.id)! })));
        return { ...out, status: 'matched', invoiceIds: ids, plan: { kind: 'allocations', clientId: named[0].client!.id, allocations } };
      }
      return { ...out, status: 'suggested', invoiceIds: ids, reason: 'several invoice numbers; the amount is not their balances sum' };
    }

    // 2. the payer's one open invoice of that balance
    const exact = input.invoices.filter((i) => open(i) && balance.get(i.id)!.eq(amount));
    const payer = (row.iban && byIban.get(row.iban)) || (row.payerName ? byName.get(normalizeForSearch(row.payerName)) : undefined);
    const payerIds = new Set(Array.isArray(payer) ? payer : payer ? [payer] : []);
    if (payerIds.size > 0) {
      const ofPayer = exact.filter((i) => i.client && payerIds.has(i.client.id));
      if (ofPayer.length === 1) {
        take([{ id: ofPayer[0].id, amount }]);
        return { ...out, status: 'matched', invoiceIds: [ofPayer[0].id], plan: { kind: 'invoice', invoiceId: ofPayer[0].id } };
      }
      if (ofPayer.length > 1)
        return { ...out, status: 'suggested', invoiceIds: ofPayer.map((i) => i.id), reason: 'several open invoices of the payer with this balance' };
    }
    // 3. a suggestion by amount alone
    if (exact.length > 0)
      return { ...out, status: 'suggested', invoiceIds: exact.map((i) => i.id), reason: 'an open balance of this amount, payer not identified' };
    return { ...out, reason: 'no invoice number, no open balance of the payer with this amount' };
  });
}

export interface ImportCommand extends Command {
  csv: string;
  dryRun?: boolean;
  currency?: string;
  mapping?: StatementMapping;
  /** The statement's currency when neither the body nor the file says (the tenant's default). */
  defaultCurrency: string;
}

const ROW_CONCURRENCY = 8;
/** Rows one import takes (one request of at most 29 s; a longer statement is imported in parts). */
export const MAX_ROWS = 10_000;

/** What the payers of the open invoices are known by (names from the invoices, IBANs from the client records). */
async function payersOf(ports: PaymentPorts, tenantId: string, invoices: Invoice.Info[]): Promise<PayerInfo[]> {
  const clients = new Map<string, PayerInfo>();
  for (const i of invoices) {
    if (!i.client) continue;
    const info = clients.get(i.client.id) ?? { clientId: i.client.id, names: [], ibans: [] };
    for (const name of [i.client.name, i.client.legalName]) if (name && !info.names.includes(name)) info.names.push(name);
    clients.set(i.client.id, info);
  }
  await Promise.all(
    [...clients.values()].map(async (info) => {
      const record = info.clientId.startsWith('cmp_')
        ? await ports.clients.company(tenantId, info.clientId)
        : await ports.clients.contact(tenantId, info.clientId);
      const iban = (record?.bankAccount as { iban?: string } | undefined)?.iban;
      if (iban) info.ibans.push(iban);
    }),
  );
  return [...clients.values()];
}

/** Runs an import: answers every row; without dryRun records the matched rows and remembers every row. */
export async function run(ports: PaymentPorts, cmd: ImportCommand): Promise<ImportResult> {
  const { rows, errors } = readStatement(cmd.csv, cmd.mapping);
  if (errors.length > 0) throw new RuleViolation('the statement cannot be read', errors);
  if (rows.length === 0) throw new RuleViolation('the statement has no rows', [{ field: 'csv', message: 'no data rows under the header' }]);
  if (rows.length > MAX_ROWS) {
    throw new RuleViolation('the statement has too many rows for one request', [
      { field: 'csv', message: `at most ${MAX_ROWS} rows per import: split the statement` },
    ]);
  }
  const now = nowOf(ports);
  const currency = cmd.currency ?? cmd.defaultCurrency;
  const pipeline = (await InvoicePipeline.get(ports, { tenantId: cmd.tenantId })).pipeline;
  const openStages = pipeline.stages.filter((s) => s.kind === 'open').map((s) => s.id);
  const invoices = ports.openInvoices ? await ports.openInvoices.openInvoices(cmd.tenantId, openStages) : [];
  const payers = await payersOf(ports, cmd.tenantId, invoices);
  const known = await ports.ledger.knownRows(cmd.tenantId, rowFingerprints(rows, currency));
  const planned = matchRows({ rows, currency, invoices, payers, known: new Set(known.keys()), today: today(now) }).map((r) =>
    r.status === 'duplicate' && known.get(r.fingerprint)?.paymentId ? { ...r, paymentId: known.get(r.fingerprint)!.paymentId } : r,
  );
  const id = newId('bankImport');
  if (!cmd.dryRun) {
    const queue = planned.filter((r) => r.status === 'matched');
    const work = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await recordRow(ports, cmd, id, next, now);
    };
    await Promise.all(Array.from({ length: ROW_CONCURRENCY }, work));
    await ports.ledger.rememberRows(
      planned
        .filter((r) => r.status === 'unmatched' || r.status === 'suggested')
        .map((r) => rowRecord(cmd.tenantId, id, r, r.status as BankRowRecord['status'], now)),
    );
  }
  const result: ImportRow[] = planned.map(({ fingerprint: _f, currency: _c, plan: _p, ...row }) => row);
  const summary = { matched: 0, suggested: 0, unmatched: 0, duplicate: 0 };
  for (const r of result) summary[r.status]++;
  if (!cmd.dryRun)
    await ports.ledger.saveImport({ tenantId: cmd.tenantId, id, createdAt: now.toISOString(), createdBy: cmd.actor.id, rows: rows.length, summary });
  return { id, dryRun: Boolean(cmd.dryRun), rows: result, summary };
}

function rowRecord(tenantId: string, importId: string, row: PlannedRow, status: BankRowRecord['status'], now: Date): BankRowRecord {
  return { tenantId, fingerprint: row.fingerprint, importId, row: row.row, status, createdAt: now.toISOString() };
}

/** Records one matched row as a payment (with its fingerprint, in the same transaction); a refusal leaves it suggested. */
async function recordRow(ports: PaymentPorts, cmd: ImportCommand, importId: string, row: PlannedRow, now: Date): Promise<void> {
  const common = {
    tenantId: cmd.tenantId,
    actor: cmd.actor,
    amount: dec(row.amount!).toString(),
    date: row.date!,
    method: 'bank_transfer' as const,
    reference: row.reference.slice(0, 500) || null,
    externalId: `bank:${row.fingerprint}`,
    origin: 'bank_statement' as const,
    bankRows: [rowRecord(cmd.tenantId, importId, row, 'matched', now)],
  };
  try {
    const payment =
      row.plan?.kind === 'allocations'
        ? await record(ports, { ...common, clientId: row.plan.clientId, currency: row.currency, allocations: row.plan.allocations })
        : await recordForInvoice(ports, { ...common, id: (row.plan as { invoiceId: string }).invoiceId });
    row.paymentId = payment.id;
  } catch (error) {
    if (error instanceof Conflict) {
      const existing = (error.extra as { existingId?: string }).existingId;
      row.status = 'duplicate';
      row.reason = 'imported meanwhile';
      if (existing) row.paymentId = existing;
      return;
    }
    if (error instanceof RuleViolation) {
      row.status = 'suggested';
      row.reason = (error.errors as FieldError[]).map((e) => e.message).join('; ') || error.message;
      await ports.ledger.rememberRows([rowRecord(cmd.tenantId, importId, row, 'suggested', now)]);
      return;
    }
    throw error;
  }
}

export { readStatement as parse } from './bank-csv';
export { matchRows as match };
