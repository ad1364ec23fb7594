import { describe, expect, it } from 'vitest';
import { Decimal, InvalidInput, computeInvoice, dec, sum } from '../../../functions/domain/kernel';
import { Csv, Reports, SalesLedger, Tables, Vat } from '../../../functions/domain/reporting';
import { generateBooks, reportingPortsOver, tenantId } from '../../fixtures/reporting-fakes';

const books = generateBooks(400);
const whole = { from: '2026-01-01', to: '2026-12-31' };
const inReport = books.invoices.filter((i) => i.issueDate! >= whole.from && i.issueDate! <= whole.to);

async function failure(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('sales ledger', () => {
  it('an invoice with lines at 21 % and 10 % gives two rows whose bases add up to its base', () => {
    const [one] = books.invoices;
    const { lines, totals } = computeInvoice(
      [
        { description: 'a', quantity: '3', unitPrice: '33.33', taxRate: '21', withholdingRate: '15' },
        { description: 'b', quantity: '1', unitPrice: '10.01', taxRate: '10' },
        { description: 'c', quantity: '1', unitPrice: '0.05', taxRate: '21', withholdingRate: '15' },
      ],
      'EUR',
    );
    const rows = SalesLedger.rowsOf({ ...one, lines, totals, type: 'invoice' });
    expect(rows.map((r) => r.vatRate)).toEqual(['21', '10']);
    expect(sum(rows.map((r) => r.base)).toFixed(2)).toBe(totals.net);
    expect(sum(rows.map((r) => r.vatAmount)).toFixed(2)).toBe(totals.tax);
    expect(sum(rows.map((r) => r.withholdingAmount)).toFixed(2)).toBe(totals.withholding);
    expect(rows[0]).toMatchObject({ withholdingRate: '15', fiscalType: 'F1', correctedNumber: null });
    expect(rows[1]).toMatchObject({ withholdingRate: '0', withholdingAmount: '0.00' });
    expect(sum(rows.map((r) => r.total)).toFixed(2)).toBe(totals.total);
  });

  it('reconciles with the issued documents over 400 generated ones (credit notes, IRPF, mixed rates)', async () => {
    const { ports } = reportingPortsOver(books);
    const ledger = await Reports.salesLedger(ports, { tenantId, ...whole });
    expect(new Set(ledger.rows.map((r) => r.invoiceId)).size).toBe(inReport.length);
    expect(ledger.rows.length).toBe(sum(inReport.map((i) => i.totals.taxBreakdown.length)).toNumber());
    const [eur] = ledger.totals;
    expect(eur.base).toBe(sum(inReport.map((i) => i.totals.net)).toFixed(2));
    expect(eur.vatAmount).toBe(sum(inReport.map((i) => i.totals.tax)).toFixed(2));
    expect(eur.withholdingAmount).toBe(sum(inReport.map((i) => i.totals.withholding)).toFixed(2));
    expect(eur.total).toBe(sum(inReport.map((i) => i.totals.total)).toFixed(2));
    // each document's rows are its breakdown
    for (const invoice of inReport) {
      const rows = ledger.rows.filter((r) => r.invoiceId === invoice.id);
      expect(sum(rows.map((r) => r.base)).toFixed(2)).toBe(invoice.totals.net);
      expect(sum(rows.map((r) => r.total)).toFixed(2)).toBe(invoice.totals.total);
    }
    expect(ledger.rows.some((r) => r.fiscalType === 'R1' && dec(r.base).isNegative())).toBe(true);
  });

  it('takes only the period, in issue order, and leaves drafts, proformas and cancelled documents out', async () => {
    const extra = [
      { ...books.invoices[0], id: 'inv_draft', status: 'draft' as const, issueDate: null, number: null },
      { ...books.invoices[0], id: 'inv_proforma', type: 'proforma' as const },
      { ...books.invoices[0], id: 'inv_void', status: 'void' as const },
    ];
    const { ports } = reportingPortsOver({ ...books, invoices: [...books.invoices, ...extra] });
    const march = await Reports.salesLedger(ports, { tenantId, from: '2026-03-01', to: '2026-03-31' });
    expect(march.rows.every((r) => r.issueDate >= '2026-03-01' && r.issueDate <= '2026-03-31')).toBe(true);
    expect(march.rows.map((r) => r.issueDate)).toEqual([...march.rows.map((r) => r.issueDate)].sort());
    const expected = books.invoices.filter((i) => i.issueDate! >= '2026-03-01' && i.issueDate! <= '2026-03-31');
    expect(new Set(march.rows.map((r) => r.invoiceId))).toEqual(new Set(expected.map((i) => i.id)));
  });

  it('reads the corrections fields when present: fiscal type and corrected number', () => {
    const cn = books.invoices.find((i) => i.type === 'credit_note')!;
    const [row] = SalesLedger.rowsOf({ ...cn, fiscalType: 'R4', corrects: [{ invoiceId: 'inv_x', number: 'INV-2026-000001', issueDate: '2026-01-10' }] });
    expect(row).toMatchObject({ fiscalType: 'R4', correctedNumber: 'INV-2026-000001' });
  });

  it('refuses bad periods naming the field: from after to, over 5 years, missing', async () => {
    const { ports } = reportingPortsOver(books);
    const after = await failure(() => Reports.salesLedger(ports, { tenantId, from: '2026-02-01', to: '2026-01-01' }));
    expect(after).toBeInstanceOf(InvalidInput);
    expect(after.errors[0].field).toBe('from');
    const long = await failure(() => Reports.salesLedger(ports, { tenantId, from: '2020-01-01', to: '2025-01-02' }));
    expect(long.errors[0].field).toBe('to');
    await expect(Reports.salesLedger(ports, { tenantId, from: '2020-01-01', to: '2025-01-01' })).resolves.toBeDefined();
    const missing = await failure(() => Reports.vat(ports, { tenantId, to: '2025-01-01' }));
    expect(missing.errors[0].field).toBe('from');
  });

  it('writes the AEAT column order as RFC 4180 CSV (quotes, separators, newlines, ; and BOM options)', async () => {
    const { ports } = reportingPortsOver(books);
    const ledger = await Reports.salesLedger(ports, { tenantId, from: '2026-01-01', to: '2026-01-31' });
    const table = Tables.salesLedgerTable(ledger);
    expect(table.header.slice(0, 6)).toEqual([
      'Autoliquidación Ejercicio',
      'Autoliquidación Periodo',
      'Actividad Código',
      'Actividad Tipo',
      'Actividad Grupo o Epígrafe del IAE',
      'Tipo de Factura',
    ]);
    expect(table.rows.every((r) => r.length === table.header.length)).toBe(true);
    const csv = Csv.toCsv(table.header, table.rows);
    expect(csv.split('\r\n').length).toBe(table.rows.length + 2);
    expect(csv).toContain('"Client 1, S.L."');
    expect(Csv.toCsv(['a', 'b'], [['x;y', 'say "hi"\nbye']], { separator: ';', bom: true })).toBe('\uFEFFa;b\r\n"x;y";"say ""hi""\nbye"\r\n');
    expect(Csv.toCsv(['a'], [['1,5']])).toBe('a\r\n"1,5"\r\n');
  });
});

describe('VAT summary', () => {
  it('by accrual equals the sales ledger per rate', async () => {
    const { ports } = reportingPortsOver(books);
    const ledger = await Reports.salesLedger(ports, { tenantId, ...whole });
    const vat = await Reports.vat(ports, { tenantId, ...whole, basis: 'accrual' });
    for (const rate of vat.rates) {
      const rows = ledger.rows.filter((r) => r.vatRate === rate.vatRate);
      expect(rate.base).toBe(sum(rows.map((r) => r.base)).toFixed(2));
      expect(rate.vatAmount).toBe(sum(rows.map((r) => r.vatAmount)).toFixed(2));
      expect(rate.withholdingAmount).toBe(sum(rows.map((r) => r.withholdingAmount)).toFixed(2));
    }
    expect(vat.rates.map((r) => r.vatRate)).toEqual(['21', '10', '4', '0']);
    expect(vat.totals[0].vatAmount).toBe(ledger.totals[0].vatAmount);
  });

  it('by cash counts money received in the period, VAT prorated to what was paid, reversals subtracted', async () => {
    const { ports } = reportingPortsOver(books);
    const period = { from: '2026-03-01', to: '2026-05-31' };
    const cash = await Reports.vat(ports, { tenantId, ...period, basis: 'cash' });
    // rebuilt by hand from the records: every payment allocation and reversal dated in the period
    let expected = new Decimal(0);
    const signed = [...books.records.allocations.map((a) => ({ ...a, sign: 1 })), ...books.records.reversals.map((r) => ({ ...r, sign: -1 }))].filter(
      (x) => x.date >= period.from && x.date <= period.to,
    );
    for (const x of signed) {
      const invoice = books.invoices.find((i) => i.id === x.invoiceId)!;
      expected = expected.plus(dec(invoice.totals.tax).times(x.amount).div(invoice.totals.total).times(x.sign));
    }
    expect(dec(cash.totals[0].vatAmount).minus(expected).abs().toNumber()).toBeLessThanOrEqual(0.02);
    expect(cash.basis).toBe('cash');
  });

  it('by cash, a fully paid invoice counts its whole VAT in the month of the payment, half a payment half of it', () => {
    const invoice = books.invoices.find((i) => i.type === 'invoice' && i.totals.taxBreakdown.length === 2)!;
    const alloc = (amount: string, date: string) => ({
      tenantId,
      id: `alc_${date}`,
      source: { type: 'payment' as const, id: 'pay_1' },
      invoiceId: invoice.id,
      clientId: 'c',
      currency: 'EUR',
      amount,
      date,
      fromCredit: false,
      createdAt: '',
      createdBy: '',
    });
    const half = dec(invoice.totals.total).div(2).toFixed(2);
    const rest = dec(invoice.totals.total).minus(half).toFixed(2);
    const records = { allocations: [alloc(half, '2026-08-10'), alloc(rest, '2026-09-10')], reversals: [], refunds: [] };
    const byId = new Map([[invoice.id, invoice]]);
    const aug = Vat.cashVat(records, byId, { from: '2026-08-01', to: '2026-08-31' });
    const both = Vat.cashVat(records, byId, { from: '2026-08-01', to: '2026-09-30' });
    expect(both.totals[0].vatAmount).toBe(invoice.totals.tax);
    expect(both.totals[0].base).toBe(invoice.totals.net);
    expect(dec(aug.totals[0].vatAmount).minus(dec(invoice.totals.tax).div(2)).abs().toNumber()).toBeLessThanOrEqual(0.01);
  });
});
