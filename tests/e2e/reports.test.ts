import { beforeAll, describe, expect, it } from 'vitest';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Reports and exports through the HTTP API on the local stack: the sales ledger (JSON, CSV), the VAT summary,
 * aging, the status summary, the forecast, the exports (invoices, journal), refusals and roles.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;
let accountant: ApiClient;
let viewer: ApiClient;
let manager: ApiClient;
const today = todayUtc();
const period = `from=${today}&to=${today}`;

beforeAll(async () => {
  tenant = await makeTenant('Reports');
  api = apiClient(url, tenant.adminKey);
  accountant = apiClient(url, tenant.keys.accountant);
  viewer = apiClient(url, tenant.keys.viewer);
  manager = apiClient(url, tenant.keys.manager);
  const client = await aClient(api);
  const mixed = await issuedInvoice(api, client.id, {
    lines: [
      { description: 'Consulting', quantity: '1', unitPrice: '100.00', taxRate: '21', withholdingRate: '15' },
      { description: 'Books', quantity: '2', unitPrice: '10.00', taxRate: '4' },
    ],
  });
  await issuedInvoice(api, client.id, { dueDate: today });
  const paid = await accountant.post(`/v1/invoices/${mixed.id}/payments`, { amount: '50.00', date: today, method: 'bank_transfer' });
  expect(paid.status, JSON.stringify(paid.body)).toBe(201);
});

describe('reports', () => {
  it('sales ledger: one row per document and VAT rate, totals equal the documents; VAT summary equals it per rate', async () => {
    const ledger = await viewer.get(`/v1/reports/sales-ledger?${period}`);
    expect(ledger.status, JSON.stringify(ledger.body)).toBe(200);
    expect(ledger.body.rows).toHaveLength(3);
    expect(ledger.body.rows.map((r: { vatRate: string }) => r.vatRate)).toEqual(expect.arrayContaining(['21', '4', '21']));
    expect(ledger.body.rows[0]).toMatchObject({ fiscalType: 'F1', country: expect.any(String), clientTaxId: expect.any(String) });
    // 100 + 20 base, 21 + 0.80 VAT, 15 IRPF, and the second invoice 100 / 21 / 15
    expect(ledger.body.totals).toEqual([{ currency: 'EUR', documents: 2, base: '220.00', vatAmount: '42.80', withholdingAmount: '30.00', total: '232.80' }]);
    const vat = await viewer.get(`/v1/reports/vat?${period}&basis=accrual`);
    expect(vat.status).toBe(200);
    expect(vat.body.rates).toEqual([
      { currency: 'EUR', vatRate: '21', base: '200.00', vatAmount: '42.00', withholdingAmount: '30.00' },
      { currency: 'EUR', vatRate: '4', base: '20.00', vatAmount: '0.80', withholdingAmount: '0.00' },
    ]);
    const cash = await viewer.get(`/v1/reports/vat?${period}&basis=cash`);
    expect(cash.status).toBe(200);
    expect(cash.body.basis).toBe('cash');
    expect(Number(cash.body.totals[0].vatAmount)).toBeGreaterThan(0);
  });

  it('sales ledger as CSV: AEAT column order, RFC 4180, ; and BOM on request', async () => {
    const res = await fetch(`${url()}/v1/reports/sales-ledger?${period}&format=csv&separator=;&bom=true`, {
      headers: { authorization: `Bearer ${tenant.keys.viewer}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('Autoliquidación Ejercicio;Autoliquidación Periodo;')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(5);
  });

  it('aging, summary and forecast answer; bad input names the field', async () => {
    const aging = await viewer.get(`/v1/reports/aging?asOf=${today}`);
    expect(aging.status, JSON.stringify(aging.body)).toBe(200);
    // 126.80 + 106.00 - 50.00 open; the one due today is current
    expect(aging.body.totals[0]).toMatchObject({ total: '182.80', unappliedCredit: '0.00', net: '182.80' });
    expect(aging.body.totals[0].buckets.current).toBe('182.80');
    const summary = await viewer.get(`/v1/reports/summary?${period}`);
    expect(summary.status).toBe(200);
    expect(summary.body.byPaymentStatus.map((s: { paymentStatus: string }) => s.paymentStatus)).toEqual(['unpaid', 'partially_paid']);
    const forecast = await viewer.get('/v1/reports/forecast?months=3');
    expect(forecast.status).toBe(200);
    expect(forecast.body.months).toHaveLength(3);

    const badMonths = await viewer.get('/v1/reports/forecast?months=13');
    expect(badMonths).toMatchObject({ status: 400, body: { errors: [{ field: 'months' }] } });
    const backwards = await viewer.get('/v1/reports/sales-ledger?from=2026-02-01&to=2026-01-01');
    expect(backwards.status).toBeGreaterThanOrEqual(400);
    expect(backwards.body.errors[0].field).toBe('from');
    const long = await viewer.get('/v1/reports/vat?from=2010-01-01&to=2020-01-01');
    expect(long.body.errors[0].field).toBe('to');
    const buckets = await viewer.get('/v1/reports/aging?buckets=60,30');
    expect(buckets.body.errors[0].field).toBe('buckets');
  });

  it('exports: accountants and admins only; invoices CSV and a balanced journal', async () => {
    expect((await viewer.get(`/v1/exports/invoices?${period}`)).status).toBe(403);
    expect((await manager.get(`/v1/exports/journal?${period}`)).status).toBe(403);
    const csv = await accountant.get<string>(`/v1/exports/invoices?${period}`);
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n')[0]).toBe(
      'series,number,issueDate,operationDate,type,correctedNumber,clientTaxId,clientName,country,base,vatRate,vatAmount,reRate,reAmount,irpfRate,irpfAmount,total,payable,currency,status',
    );
    const journal = await accountant.get(`/v1/exports/journal?${period}&format=json`);
    expect(journal.status).toBe(200);
    for (const entry of journal.body.entries) {
      const debit = entry.lines.reduce((s: number, l: { debit: string }) => s + Number(l.debit) * 100, 0);
      const credit = entry.lines.reduce((s: number, l: { credit: string }) => s + Number(l.credit) * 100, 0);
      expect(Math.round(debit)).toBe(Math.round(credit));
    }
    expect(journal.body.entries.map((e: { kind: string }) => e.kind).sort()).toEqual(['invoice', 'invoice', 'payment']);
    const xlsx = await fetch(`${url()}/v1/exports/invoices?${period}&format=xlsx`, { headers: { authorization: `Bearer ${tenant.keys.accountant}` } });
    expect(xlsx.status).toBe(200);
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]); // PK: a ZIP container
  });
});
