import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../fixtures/outbox';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * The contract (API.md "Reports and exports", "E-invoices and the register", "Hosted invoice page, payment by
 * the client, webhooks", "Delivery you can see") called exactly as a client would: paths, query names and
 * defaults, response nesting, status codes, content types. What other e2e files already cover in depth is
 * only touched here where a client-visible default or shape was not asserted anywhere else.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;
let companyId: string;
const today = todayUtc();
const period = `from=${today}&to=${today}`;

const raw = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${url()}${path}`, { headers: { authorization: `Bearer ${tenant.adminKey}`, ...headers }, redirect: 'manual' });

beforeAll(async () => {
  tenant = await makeTenant('Contract B');
  api = apiClient(url, tenant.adminKey);
  companyId = (await aClient(api)).id;
  await issuedInvoice(api, companyId);
});

describe('reports and exports', () => {
  it('sales ledger: JSON rows carry the named columns; CSV and XLSX downloads with their content types', async () => {
    const ledger = await api.get(`/v1/reports/sales-ledger?${period}`);
    expect(ledger.status, JSON.stringify(ledger.body)).toBe(200);
    expect(ledger.body.rows[0]).toMatchObject({
      series: expect.any(String),
      number: expect.any(String),
      issueDate: today,
      operationDate: expect.any(String),
      fiscalType: 'F1',
      correctedNumber: null,
      clientTaxId: expect.any(String),
      clientName: expect.any(String),
      country: expect.any(String),
      base: '100.00',
      vatRate: '21',
      vatAmount: '21.00',
      withholdingRate: '15',
      withholdingAmount: '15.00',
      total: '106.00',
    });
    const csv = await raw(`/v1/reports/sales-ledger?${period}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const xlsx = await raw(`/v1/reports/sales-ledger?${period}&format=xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]);
  });

  it('vat defaults to accrual; aging defaults to today and 30,60,90,120 and downloads as CSV; forecast defaults to 6 months; summary has DSO', async () => {
    const vat = await api.get(`/v1/reports/vat?${period}`);
    expect(vat.status).toBe(200);
    expect(vat.body.basis).toBe('accrual');
    const aging = await api.get('/v1/reports/aging');
    expect(aging.status, JSON.stringify(aging.body)).toBe(200);
    expect(aging.body.asOf).toBe(today);
    expect(aging.body.buckets).toHaveLength(6); // current, 1-30, 31-60, 61-90, 91-120, 120+
    const agingCsv = await raw(`/v1/reports/aging?asOf=${today}&buckets=30,60,90,120&format=csv`);
    expect(agingCsv.status).toBe(200);
    expect(agingCsv.headers.get('content-type')).toMatch(/^text\/csv/);
    await issuedInvoice(api, companyId, { dueDate: today }); // an open invoice this month: a forecast row
    const forecast = await api.get('/v1/reports/forecast');
    expect(forecast.status).toBe(200);
    expect(forecast.body.months).toHaveLength(6);
    expect(forecast.body.rows[0]).toMatchObject({ billing: expect.any(String), collections: expect.any(String), total: expect.any(String) });
    const summary = await api.get(`/v1/reports/summary?${period}`);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ byStage: expect.any(Array), byPaymentStatus: expect.any(Array), dso: expect.any(Array) });
    expect(summary.body.byStage[0]).toMatchObject({ stage: expect.any(String), count: expect.any(Number), amount: expect.any(String) });
  });

  it('exports: invoices CSV by default, the journal without a format; a job is 202 { id, status }, idempotent, then { status, url }', async () => {
    const invoices = await raw(`/v1/exports/invoices?${period}`);
    expect(invoices.status).toBe(200);
    expect(invoices.headers.get('content-type')).toMatch(/^text\/csv/);
    const journal = await raw(`/v1/exports/journal?${period}`);
    expect(journal.status).toBe(200);
    expect(journal.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await journal.text()).toContain('430');

    const body = { report: 'invoices', params: { from: today, to: today }, format: 'xlsx' };
    const key = { 'idempotency-key': `contract-b-${Date.now()}` };
    const created = await api.post('/v1/exports', body, key);
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body).toMatchObject({ id: expect.any(String), status: expect.any(String) });
    const again = await api.post('/v1/exports', body, key);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(created.body.id);
    const other = await api.post('/v1/exports', { ...body, format: 'csv' }, key);
    expect(other.status).toBe(422);
    const done = await eventually(async () => {
      const job = await api.get(`/v1/exports/${created.body.id}`);
      return job.body.status === 'done' ? job.body : undefined;
    }, 'the export job');
    expect(done.url).toMatch(/^http/);
  });
});

describe('e-invoices and the register', () => {
  it('UBL by default with an XML content type; 409 as problem+json for a draft', async () => {
    const invoice = await issuedInvoice(api, companyId);
    const ubl = await raw(`/v1/invoices/${invoice.id}/einvoice`);
    expect(ubl.status).toBe(200);
    expect(ubl.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(await ubl.text()).toContain('urn:oasis:names:specification:ubl:schema:xsd:Invoice-2');
    const cii = await raw(`/v1/invoices/${invoice.id}/einvoice?syntax=cii`);
    expect(await cii.text()).toContain('CrossIndustryInvoice');
    const draft = await api.post('/v1/invoices', {
      companyId,
      currency: 'EUR',
      lines: [{ description: 'X', quantity: '1', unitPrice: '1.00', taxRate: '21' }],
    });
    const refused = await raw(`/v1/invoices/${draft.body.id}/einvoice?syntax=ubl`);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('documents take format pdf and facturx; a Factur-X document becomes ready', async () => {
    const invoice = await issuedInvoice(api, companyId);
    const pdf = await api.post(`/v1/invoices/${invoice.id}/documents`, { format: 'pdf' });
    expect(pdf.status, JSON.stringify(pdf.body)).toBe(202);
    const fx = await api.post(`/v1/invoices/${invoice.id}/documents`, { format: 'facturx' });
    expect(fx.status, JSON.stringify(fx.body)).toBe(202);
    expect(fx.body).toMatchObject({ id: expect.stringMatching(/^doc_/), status: 'pending' });
    const bad = await api.post(`/v1/invoices/${invoice.id}/documents`, { format: 'docx' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('format');
  });

  it('a tenant without the register lists nothing and verifies an empty chain', async () => {
    const list = await api.get(`/v1/register?${period}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ data: [], nextCursor: null });
    const verify = await api.get('/v1/register/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, records: 0 });
  });

  it('automation send_email takes attach: ["document", "ubl"]', async () => {
    const rule = await api.post('/v1/automation/rules', {
      entity: 'invoice',
      stage: 'SENT',
      actions: [{ type: 'create_document' }, { type: 'send_email', subject: 'Invoice', body: 'Attached.', attach: ['document', 'ubl'] }],
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    expect(rule.body.actions[1].attach).toEqual(['document', 'ubl']);
    expect((await api.del(`/v1/automation/rules/${rule.body.id}`)).status).toBeLessThan(300);
  });
});

describe('hosted page and webhooks', () => {
  it('the page from a browser is HTML with /pdf and /xml downloads; other clients get the 302', async () => {
    const invoice = await issuedInvoice(api, companyId);
    const doc = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
    const ready = await eventually(async () => {
      const d = (await api.get(`/v1/documents/${doc.id}`)).body;
      return d.status === 'ready' ? d : undefined;
    }, 'the render');
    const page = await fetch(ready.publicUrl, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const token = new URL(ready.publicUrl).pathname.split('/')[2];
    expect(html).toContain(`/p/${token}/pdf`);
    expect(html).toContain(`/p/${token}/xml`);
    const plain = await fetch(ready.publicUrl, { redirect: 'manual' });
    expect(plain.status).toBe(302);
    const xml = await fetch(`${ready.publicUrl}/xml`, { redirect: 'manual' });
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toMatch(/xml/);
    const pdf = await fetch(`${ready.publicUrl}/pdf`, { redirect: 'manual' });
    expect([200, 302]).toContain(pdf.status);
  });

  it('POST /v1/webhooks is 201 { id, secret }; deliveries are a { data, nextCursor } list; unknown events name the field', async () => {
    const created = await api.post('/v1/webhooks', { url: 'https://example.com/hooks', events: ['invoice.paid'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), secret: expect.any(String) });
    const deliveries = await api.get(`/v1/webhooks/${created.body.id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body).toMatchObject({ data: expect.any(Array), nextCursor: null });
    const bad = await api.post('/v1/webhooks', { url: 'https://example.com/hooks', events: ['invoice.nope'] });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(bad.body.errors[0].field).toMatch(/^events/);
  });
});

describe('delivery you can see', () => {
  it('messages and automation runs are { data, nextCursor } lists filtered by the named parameters', async () => {
    for (const path of [
      '/v1/messages?status=sent',
      '/v1/messages?status=failed&channel=email',
      `/v1/messages?subjectId=${companyId}`,
      '/v1/automation/runs?status=done',
      '/v1/automation/runs?status=failed',
      '/v1/automation/runs?status=running',
      `/v1/automation/runs?subjectId=${companyId}`,
    ]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(200);
      expect(res.body).toMatchObject({ data: expect.any(Array) });
      expect(res.body).toHaveProperty('nextCursor');
    }
    expect((await api.post('/v1/messages/msg_00000000000000000000000000/retry', {})).status).toBe(404);
    expect((await api.post('/v1/automation/runs/run_00000000000000000000000000/retry', {})).status).toBe(404);
  });
});

describe('a failed automation step', () => {
  it('fails the run visibly: the run with its failed step, a timeline entry and document.failed', async () => {
    const template = await api.post('/v1/templates', {
      name: 'Breaks on one client',
      kind: 'invoice',
      source: '<h1>{{number}}</h1>\n{{#if (eq client.name "Broken Client")}}\n  {{client.nickname}}\n{{/if}}',
    });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const rule = await api.post('/v1/automation/rules', {
      entity: 'invoice',
      stage: 'SENT',
      actions: [{ type: 'create_document', templateId: template.body.id }],
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const broken = await aClient(api, { name: 'Broken Client' });
    const invoice = await issuedInvoice(api, broken.id, { stage: 'SENT' });

    const runs = await eventually(async () => {
      const res = await api.get(`/v1/automation/runs?status=failed&subjectId=${invoice.id}`);
      return res.body.data.length ? res.body.data : undefined;
    }, 'the failed run');
    expect(runs[0]).toMatchObject({ status: 'failed', subjectId: invoice.id, steps: expect.any(Array) });
    expect(runs[0].steps.map((s: { status: string }) => s.status)).toContain('failed');
    const timeline = await eventually(async () => {
      const entries = (await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string }[];
      return entries.some((e) => e.kind === 'document_failed') ? entries : undefined;
    }, 'the timeline entry');
    expect(timeline.map((e) => e.kind)).toContain('document_failed');
    await stack().settle();
    expect(stack().bus.received.some((e) => e['detail-type'] === 'document.failed' && e.detail.subjectId === invoice.id)).toBe(true);
    expect((await api.del(`/v1/automation/rules/${rule.body.id}`)).status).toBeLessThan(300);
  });
});

describe('the register switched on through the settings, as a client does it', () => {
  it('PUT /v1/settings with verifactu turns it on: the next issue is registered, listed and verified', async () => {
    const own = await makeTenant('Contract B register');
    const client = apiClient(url, own.adminKey);
    // PUT replaces the settings: a client sends back what GET showed, with verifactu
    const current = (await client.get('/v1/settings')).body;
    const { tenantName: _n, images: _i, quoteLinkGraceDays: _q, updatedAt: _u, verifactu: _v, version: _w, payments: _p, ...base } = current;
    const kept = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== null));
    const put = await client.put('/v1/settings', { ...kept, verifactu: { enabled: true, issuerTaxId: 'B12345674' } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.verifactu).toEqual({ enabled: true, issuerTaxId: 'B12345674' });
    const company = await aClient(client, { taxId: 'B87654323' });
    const invoice = await issuedInvoice(client, company.id);
    const record = await client.get(`/v1/invoices/${invoice.id}/register`);
    expect(record.status, JSON.stringify(record.body)).toBe(200);
    expect(record.body).toMatchObject({
      record: { IDEmisorFactura: 'B12345674', NumSerieFactura: invoice.number },
      huella: expect.stringMatching(/^[0-9A-F]{64}$/),
      previousHuella: '',
      qrUrl: expect.stringMatching(/^https:/),
    });
    const list = await client.get(`/v1/register?${period}`);
    expect(list.body.data).toHaveLength(1);
    expect((await client.get('/v1/register/verify')).body).toEqual({ ok: true, records: 1 });
  });
});

describe('webhooks and exports: what a client sends', () => {
  it('PATCH without a version applies; the same Idempotency-Key answers the same subscription', async () => {
    const key = { 'idempotency-key': `contract-b-whk-${Date.now()}` };
    const body = { url: 'https://example.com/erp', events: ['invoice.paid', 'payment.recorded'], description: 'ERP' };
    const created = await api.post('/v1/webhooks', body, key);
    expect(created.status).toBe(201);
    const again = await api.post('/v1/webhooks', body, key);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(created.body.id);
    expect(again.body.secret).toBe(created.body.secret);
    const otherBody = await api.post('/v1/webhooks', { ...body, events: ['invoice.paid'] }, key);
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.errors[0].field).toBe('Idempotency-Key');
    expect((await api.get('/v1/webhooks')).body.data.filter((w: { url: string }) => w.url === body.url)).toHaveLength(1);
    const patched = await api.patch(`/v1/webhooks/${created.body.id}`, { description: 'ERP sync' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ description: 'ERP sync', events: body.events });
    expect((await api.del(`/v1/webhooks/${created.body.id}`)).status).toBe(204);
  });

  it('two concurrent requests with the same Idempotency-Key make one subscription, both answered with it', async () => {
    const key = { 'idempotency-key': `contract-b-race-${Date.now()}` };
    const body = { url: 'https://example.com/race', events: ['invoice.paid'] };
    const [a, b] = await Promise.all([api.post('/v1/webhooks', body, key), api.post('/v1/webhooks', body, key)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body.secret).toBe(b.body.secret);
    expect((await api.get('/v1/webhooks?limit=100')).body.data.filter((w: { url: string }) => w.url === body.url)).toHaveLength(1);
  });

  it('an export job takes its params as JSON numbers too (forecast months)', async () => {
    const created = await api.post('/v1/exports', { report: 'forecast', params: { months: 3 }, format: 'json' });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const done = await eventually(async () => {
      const job = await api.get(`/v1/exports/${created.body.id}`);
      return job.body.status !== 'pending' ? job.body : undefined;
    }, 'the export job');
    expect(done).toMatchObject({ status: 'done', url: expect.stringMatching(/^http/) });
  });
});
