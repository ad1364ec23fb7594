import { beforeAll, describe, expect, it } from 'vitest';
import { aClient, issuedInvoice } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Bank statement import through the HTTP API: a Spanish statement with the traps (";" separator, decimal
 * commas, a quoted field with the separator inside, money out), whole-token invoice numbers ("F-1" never
 * matches "F-10"), the IRPF payable amount (106.00, not the 121.00 total), a dry run, and the same file twice.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;
const ddmmyyyy = (daysAgo: number) => {
  const d = new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
};

const line = (unitPrice: string, withholdingRate?: string) => [
  { description: 'Servicios', quantity: '1', unitPrice, taxRate: '21', ...(withholdingRate ? { withholdingRate } : {}) },
];

let acme: { id: string };
const byNumber = new Map<string, string>();

beforeAll(async () => {
  tenant = await makeTenant('Bank import');
  api = apiClient(url, tenant.adminKey);
  // numbers F-1, F-2, ..., F-10 (no padding: F-1 is a prefix of F-10)
  const pipeline = (await api.get('/v1/pipelines/invoice')).body;
  const saved = await api.put('/v1/pipelines/invoice', { stages: pipeline.stages, numbering: { invoice: 'F-{0}' }, version: pipeline.version });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  acme = await aClient(api, { name: 'Acme Iberia' });
  const other = await aClient(api, { name: 'Otra Empresa', taxId: 'B00000000', email: 'otra@example.com', bankAccount: { iban: 'ES7620770024003102575766' } });
  const plans: [string, string, string | undefined][] = [
    [acme.id, '100.00', '15'], // F-1: payable 106.00, tax-inclusive total 121.00
    ...Array.from({ length: 7 }, (): [string, string, string | undefined] => [acme.id, '10.00', undefined]), // F-2..F-8: 12.10
    [other.id, '100.00', undefined], // F-9: 121.00
    [other.id, '200.00', undefined], // F-10: 242.00
  ];
  for (const [clientId, price, irpf] of plans) {
    const invoice = await issuedInvoice(api, clientId, { lines: line(price, irpf) });
    byNumber.set(invoice.number, invoice.id);
  }
  expect([...byNumber.keys()]).toEqual(['F-1', 'F-2', 'F-3', 'F-4', 'F-5', 'F-6', 'F-7', 'F-8', 'F-9', 'F-10']);
});

const statement = () =>
  [
    '\uFEFFFecha;Concepto;Ordenante;IBAN;Importe',
    `${ddmmyyyy(3)};Pago factura F-10;Otra Empresa;;50,00`,
    `${ddmmyyyy(2)};Transferencia recibida;ACME IBERIA;ES91 2100 0418 4502 0005 1332;106,00`,
    `${ddmmyyyy(2)};"Pago; ref F-3";Acme Iberia;;12,10`,
    `${ddmmyyyy(1)};Recibo luz;Iberdrola;;-45,30`,
    `${ddmmyyyy(1)};Ingreso;Desconocido;;121,00`,
    `${ddmmyyyy(1)};Bizum;;;7,77`,
  ].join('\r\n');

describe('bank statement import', () => {
  it('answers every row in a dry run and creates nothing', async () => {
    // Act
    const res = await api.post('/v1/payments/imports?dryRun=true', statement(), { 'content-type': 'text/csv' });

    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.rows.map((r: { status: string; invoiceIds: string[] }) => [r.status, r.invoiceIds])).toEqual([
      ['matched', [byNumber.get('F-10')]],
      ['matched', [byNumber.get('F-1')]],
      ['matched', [byNumber.get('F-3')]],
      ['unmatched', []],
      ['suggested', [byNumber.get('F-9')]],
      ['unmatched', []],
    ]);
    expect(res.body.rows[1]).toMatchObject({ amount: '106.00', reference: 'Transferencia recibida', payerName: 'ACME IBERIA' });
    expect(res.body.rows[2].reference).toBe('Pago; ref F-3');
    expect(res.body.summary).toEqual({ matched: 3, suggested: 1, unmatched: 2, duplicate: 0 });
    expect((await api.get(`/v1/invoices/${byNumber.get('F-1')}`)).body.balanceDue).toBe('106.00');
    expect((await api.get(`/v1/payments?clientId=${acme.id}`)).body.data).toEqual([]);
  });

  it('records the matched rows as payments, then answers the same file again as duplicates and creates nothing', async () => {
    // Act
    const first = await api.post('/v1/payments/imports', statement(), { 'content-type': 'text/csv', 'idempotency-key': 'statement-march' });
    const replay = await api.post('/v1/payments/imports', statement(), { 'content-type': 'text/csv', 'idempotency-key': 'statement-march' });
    const f1 = (await api.get(`/v1/invoices/${byNumber.get('F-1')}`)).body;
    const f10 = (await api.get(`/v1/invoices/${byNumber.get('F-10')}`)).body;
    const payments = (await api.get('/v1/payments?limit=100')).body.data;
    const second = await api.post('/v1/payments/imports', { csv: statement() });

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.summary).toEqual({ matched: 3, suggested: 1, unmatched: 2, duplicate: 0 });
    const matched = first.body.rows.filter((r: { status: string }) => r.status === 'matched');
    expect(matched.every((r: { paymentId?: string }) => r.paymentId?.startsWith('pay_'))).toBe(true);
    expect(f1).toMatchObject({ amountPaid: '106.00', balanceDue: '0.00', stage: 'PAID', taxInclusiveTotal: '121.00' });
    expect(f10).toMatchObject({ amountPaid: '50.00', balanceDue: '192.00' });
    expect(payments).toHaveLength(3);
    expect(payments.every((p: { method: string; origin: string }) => p.method === 'bank_transfer' && p.origin === 'bank_statement')).toBe(true);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(second.status).toBe(200);
    expect(second.body.summary).toEqual({ matched: 0, suggested: 0, unmatched: 0, duplicate: 6 });
    expect(
      second.body.rows
        .filter((r: { paymentId?: string }) => r.paymentId)
        .map((r: { paymentId: string }) => r.paymentId)
        .sort(),
    ).toEqual(matched.map((r: { paymentId: string }) => r.paymentId).sort());
    expect((await api.get('/v1/payments?limit=100')).body.data).toHaveLength(3);
  });

  it('reads comma-separated statements with debit/credit columns and quoted thousands; names unreadable headers', async () => {
    const csv = [
      'Date,Description,Debit,Credit',
      `${new Date().toISOString().slice(0, 10)},"Invoice F-4, thanks",,12.10`,
      `${new Date().toISOString().slice(0, 10)},Rent,"1,234.56",`,
    ].join('\n');

    const res = await api.post('/v1/payments/imports', { csv, dryRun: true });
    const bad = await api.post('/v1/payments/imports', { csv: 'Foo;Bar\n1;2', dryRun: true });
    const viewer = await apiClient(url, tenant.keys.manager).post('/v1/payments/imports', { csv, dryRun: true });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rows.map((r: { status: string; amount: string }) => [r.status, r.amount])).toEqual([
      ['matched', '12.10'],
      ['unmatched', '-1234.56'],
    ]);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['csv', 'csv']);
    expect(viewer.status).toBe(403);
  });
});
