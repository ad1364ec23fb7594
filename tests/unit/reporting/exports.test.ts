import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { xlsxOf } from '../../../functions/adapters/spreadsheet/xlsx';
import { dec, sum } from '../../../functions/domain/kernel';
import { Csv, Journal, Reports } from '../../../functions/domain/reporting';
import { generateBooks, reportingPortsOver, tenantId } from '../../fixtures/reporting-fakes';

const books = generateBooks(400, 3);
const period = { from: '2026-01-01', to: '2026-06-30' };

describe('journal', () => {
  it('balances every entry; 477 equals the VAT summary, 700 the bases, 572 the money in minus refunds', async () => {
    const { ports } = reportingPortsOver(books);
    const journal = await Reports.journal(ports, { tenantId, ...period });
    expect(journal.entries.length).toBeGreaterThan(400);
    for (const entry of journal.entries) expect(Journal.balances(entry), `entry ${entry.entry}`).toBe(true);
    const total = (account: string, side: 'debit' | 'credit') =>
      sum(journal.entries.flatMap((e) => e.lines.filter((l) => l.account === account).map((l) => l[side])));
    const vat = await Reports.vat(ports, { tenantId, ...period, basis: 'accrual' });
    expect(total('477', 'credit').toFixed(2)).toBe(vat.totals[0].vatAmount);
    expect(total('700', 'credit').toFixed(2)).toBe(vat.totals[0].base);
    expect(total('4730', 'debit').toFixed(2)).toBe(vat.totals[0].withholdingAmount);
    const received = sum(books.payments.filter((p) => p.date >= period.from && p.date <= period.to).map((p) => p.amount));
    const refunded = sum(books.records.refunds.filter((r) => r.date >= period.from && r.date <= period.to).map((r) => r.amount));
    expect(total('572', 'debit').minus(total('572', 'credit')).toFixed(2)).toBe(received.minus(refunded).toFixed(2));
    // Σ debits = Σ credits over the period
    const debits = sum(journal.entries.flatMap((e) => e.lines.map((l) => l.debit)));
    expect(debits.toFixed(2)).toBe(sum(journal.entries.flatMap((e) => e.lines.map((l) => l.credit))).toFixed(2));
  });

  it('takes the accounts of the settings', async () => {
    const { ports } = reportingPortsOver(books);
    ports.accounts = async () => ({ revenue: '705', receivable: '4300001' });
    const journal = await Reports.journal(ports, { tenantId, from: '2026-01-01', to: '2026-01-31' });
    const accounts = new Set(journal.entries.flatMap((e) => e.lines.map((l) => l.account)));
    expect(accounts.has('705')).toBe(true);
    expect(accounts.has('700')).toBe(false);
    expect(accounts.has('4300001')).toBe(true);
    expect(journal.accounts).toEqual({ receivable: '4300001', revenue: '705', vat: '477', withholding: '4730', bank: '572' });
  });
});

describe('invoices export', () => {
  it('one row per invoice and VAT rate, plain decimals with a dot, ISO dates, totals equal the documents', async () => {
    const { ports } = reportingPortsOver(books);
    const table = await Reports.invoiceExport(ports, { tenantId, ...period });
    expect(table.header).toEqual([
      'series',
      'number',
      'issueDate',
      'operationDate',
      'type',
      'correctedNumber',
      'clientTaxId',
      'clientName',
      'country',
      'base',
      'vatRate',
      'vatAmount',
      'reRate',
      'reAmount',
      'irpfRate',
      'irpfAmount',
      'total',
      'payable',
      'currency',
      'status',
    ]);
    const col = (name: string) => table.header.indexOf(name);
    const docs = books.invoices.filter((i) => i.issueDate! >= period.from && i.issueDate! <= period.to);
    expect(sum(table.rows.map((r) => r[col('payable')] as string)).toFixed(2)).toBe(sum(docs.map((i) => i.totals.total)).toFixed(2));
    expect(sum(table.rows.map((r) => r[col('total')] as string)).toFixed(2)).toBe(sum(docs.map((i) => dec(i.totals.net).plus(i.totals.tax))).toFixed(2));
    for (const r of table.rows) {
      expect(r[col('base')]).toMatch(/^-?\d+\.\d{2}$/);
      expect(r[col('issueDate')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    const csv = Csv.toCsv(table.header, table.rows, { separator: ';' });
    expect(csv).not.toMatch(/€/);
  });

  it('writes an XLSX that unzips cleanly and reads back the same cells (numbers as numbers, text as text)', () => {
    const table = {
      name: 'invoices',
      header: ['number', 'clientName', 'base'],
      rows: [
        ['INV-1', 'Smith & <Sons> "Ltd"', '1210.50'],
        ['INV-2', 'Ñandú, S.L.\nsecond line', '-3.00'],
      ],
      numeric: ['base'],
    };
    const dir = mkdtempSync(join(tmpdir(), 'xlsx-'));
    const file = join(dir, 'test.xlsx');
    writeFileSync(file, xlsxOf(table));
    expect(execFileSync('unzip', ['-t', file]).toString()).toContain('No errors detected');
    const sheet = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml']).toString();
    expect(sheet).toContain('<c r="C2"><v>1210.50</v></c>');
    expect(sheet).toContain('<c r="C3"><v>-3.00</v></c>');
    expect(sheet).toContain('Smith &amp; &lt;Sons&gt; &quot;Ltd&quot;');
    expect(sheet).toContain('Ñandú, S.L.\nsecond line');
    expect(execFileSync('unzip', ['-p', file, '[[]Content_Types].xml']).toString()).toContain('spreadsheetml.sheet.main+xml');
  });
});
