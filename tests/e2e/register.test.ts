import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Register } from '../../functions/domain/register';
import { aCompany } from '../fixtures/builders';
import { download, requestDocument } from '../fixtures/documents';
import { brokenRules, readBack } from '../fixtures/einvoice-checks';
import { pdfQrTexts } from '../fixtures/pdf-images';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/** E-invoices and the register of issued invoices through the HTTP API, as a client calls them. */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;
let companyId: string;
const aLine = (overrides: Record<string, unknown> = {}) => ({ description: 'Consulting', quantity: '2', unitPrice: '100.00', taxRate: '21', ...overrides });

async function issued(overrides: Record<string, unknown> = {}) {
  const created = await api.post('/v1/invoices', { companyId, currency: 'EUR', lines: [aLine()], dueDate: '2030-01-31', ...overrides });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const moved = await api.post(`/v1/invoices/${created.body.id}/stage`, { stage: 'SENT' });
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  return moved.body;
}

beforeAll(async () => {
  tenant = await makeTenant('Registro');
  api = apiClient(url, tenant.adminKey);
  const company = await api.post('/v1/companies', aCompany({ name: 'Cliente Uno', legalName: 'Cliente Uno S.L.', taxId: 'B87654323' }));
  expect(company.status).toBe(201);
  companyId = company.body.id;
  // the register on (the settings' route is tested below)
  const { tenants } = await import('../../functions/shared/wiring/tenancy');
  const stored = (await tenants().getTenant(tenant.tenantId))!;
  await tenants().saveTenantSettings(tenant.tenantId, { ...stored.settings, verifactu: { enabled: true, issuerTaxId: 'B12345674' } }, stored.version);
});

describe('register settings', () => {
  it('refuses the register without a valid Spanish tax id (422 naming the field), and keeps it across a PUT without it', async () => {
    const current = (await api.get('/v1/settings')).body;
    const { tenantName: _n, images: _i, quoteLinkGraceDays: _q, updatedAt: _u, verifactu: _v, version: _w, ...base } = current;
    const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));

    const bad = await api.put('/v1/settings', { ...strip(base), verifactu: { enabled: true, issuerTaxId: 'B12345678' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'verifactu.issuerTaxId' })]));

    const good = await api.put('/v1/settings', { ...strip(base), verifactu: { enabled: true, issuerTaxId: 'b-12345674' } });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(good.body.verifactu).toEqual({ enabled: true, issuerTaxId: 'B12345674' });

    const again = await api.put('/v1/settings', { ...strip(base), paymentTerms: '30 days' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.verifactu).toEqual({ enabled: true, issuerTaxId: 'B12345674' });
  });
});

describe('the register through the API', () => {
  it("shows an issued invoice's record, with its QR URL, recomputable huella and the chain's list and verification", async () => {
    const first = await issued();
    const second = await issued({ lines: [aLine({ withholdingRate: '15' })] });

    const record = await api.get(`/v1/invoices/${second.id}/register`);
    expect(record.status, JSON.stringify(record.body)).toBe(200);
    const { record: fields, huella, previousHuella, qrUrl } = record.body;
    expect(fields).toMatchObject({
      IDEmisorFactura: 'B12345674',
      NumSerieFactura: second.number,
      TipoFactura: 'F1',
      CuotaTotal: '42.00',
      // ImporteTotal: base + VAT, NOT less IRPF
      ImporteTotal: '242.00',
      TipoHuella: '01',
      Huella: huella,
    });
    expect(fields.FechaExpedicionFactura).toMatch(/^\d{2}-\d{2}-\d{4}$/);
    expect(fields.FechaHoraHusoGenRegistro).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/);
    expect(huella).toBe(Register.huella(Register.altaText(fields, previousHuella, fields.FechaHoraHusoGenRegistro)));
    const firstRecord = (await api.get(`/v1/invoices/${first.id}/register`)).body;
    expect(previousHuella).toBe(firstRecord.huella);
    expect(qrUrl).toBe(
      `https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=B12345674&numserie=${encodeURIComponent(second.number)}&fecha=${fields.FechaExpedicionFactura}&importe=242.00`,
    );

    const list = await api.get('/v1/register');
    expect(list.status).toBe(200);
    expect(list.body.data.map((r: { invoiceId: string }) => r.invoiceId)).toEqual([first.id, second.id]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await api.get(`/v1/register?from=2000-01-01&to=2000-12-31`)).body.data).toEqual([]);
    expect((await api.get(`/v1/register?from=${today.slice(0, 8)}01`)).body.data).toHaveLength(2);

    const cancel = await api.post(`/v1/invoices/${first.id}/stage`, { stage: 'CANCELLED' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const after = (await api.get('/v1/register')).body.data;
    expect(after.map((r: { kind: string }) => r.kind)).toEqual(['alta', 'alta', 'anulacion']);

    const verify = await api.get('/v1/register/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual({ ok: true, records: 3 });
  });

  it('answers 404 for the register record of a draft, and for an unknown invoice', async () => {
    const draft = await api.post('/v1/invoices', { companyId, currency: 'EUR', lines: [aLine()] });
    expect((await api.get(`/v1/invoices/${draft.body.id}/register`)).status).toBe(404);
    expect((await api.get('/v1/invoices/inv_01jnotthere000000000000000/register')).status).toBe(404);
  });
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
});

describe('the PDF of a registered invoice', () => {
  it("shows «QR tributario:», the QR code carrying exactly the record's URL, and the VERI*FACTU legend", async () => {
    const invoice = await issued();
    const { qrUrl } = (await api.get(`/v1/invoices/${invoice.id}/register`)).body;

    const requested = await requestDocument(api, invoice.id);
    await stack().settle(60_000);
    const doc = (await api.get(`/v1/documents/${requested.id}`)).body;

    expect(doc.status, JSON.stringify(doc)).toBe('ready');
    const pdf = await download(doc.pdfUrl);
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    expect(text).toContain('QR tributario:');
    expect(text).toContain('VERI*FACTU');
    expect(text).toContain('Factura verificable en la sede electrónica de la AEAT');
    expect(await pdfQrTexts(pdf)).toEqual([qrUrl]);
  });
});

describe('Factur-X documents', () => {
  it("renders format facturx: a PDF/A-3 carrying the invoice's CII as factur-x.xml, stored like a PDF", async () => {
    const invoice = await issued();

    const res = await api.post(`/v1/invoices/${invoice.id}/documents`, { format: 'facturx' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', format: 'facturx' });
    await stack().settle(60_000);
    const doc = (await api.get(`/v1/documents/${res.body.id}`)).body;

    expect(doc, JSON.stringify(doc)).toMatchObject({ status: 'ready', format: 'facturx' });
    const pdf = await download(doc.pdfUrl);
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const loaded = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false }).promise;
    const attachments = (await loaded.getAttachments()) as Record<string, { content: Uint8Array }>;
    const xml = new TextDecoder().decode(attachments['factur-x.xml']!.content);
    const cii = readBack(xml);
    expect(cii.syntax).toBe('cii');
    expect(brokenRules(cii)).toEqual([]);
    expect(xml).toContain(invoice.number);
    expect((await loaded.getMetadata()).metadata!.getRaw()).toMatch(/<pdfaid:part>3<\/pdfaid:part>/);
    await loaded.destroy();
  });

  it('refuses a Factur-X document of a draft (409); a plain PDF of it is fine', async () => {
    const draft = await api.post('/v1/invoices', { companyId, currency: 'EUR', lines: [aLine()] });
    expect((await api.post(`/v1/invoices/${draft.body.id}/documents`, { format: 'facturx' })).status).toBe(409);
    const plain = await api.post(`/v1/invoices/${draft.body.id}/documents`, { format: 'pdf' });
    expect(plain.status).toBe(202);
    expect(plain.body.format).toBe('pdf');
  });
});

describe('e-invoices', () => {
  it('serves UBL (Invoice) and CII of an issued invoice, with XML content type, satisfying the EN 16931 sums', async () => {
    const invoice = await issued({ lines: [aLine(), aLine({ description: 'Books', taxRate: '4', quantity: '3', unitPrice: '12.35', discountPercent: '10' })] });

    const ubl = await api.get(`/v1/invoices/${invoice.id}/einvoice?syntax=ubl`);
    const cii = await api.get(`/v1/invoices/${invoice.id}/einvoice?syntax=cii`);

    for (const res of [ubl, cii]) {
      expect(res.status, String(res.body)).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
      const doc = readBack(res.body as string);
      expect(brokenRules(doc)).toEqual([]);
      expect(doc.totals.taxExclusive).toBe(invoice.totals.net);
    }
    expect(readBack(ubl.body as string).root).toBe('Invoice');
    expect(readBack(cii.body as string).syntax).toBe('cii');
    expect(ubl.body as string).toContain(`<cbc:ID>${invoice.number}</cbc:ID>`);
  });

  it('serves a credit note as a UBL CreditNote', async () => {
    const note = await issued({ type: 'credit_note', lines: [aLine({ quantity: '-1' })] });
    const ubl = await api.get(`/v1/invoices/${note.id}/einvoice`);
    expect(ubl.status, String(ubl.body)).toBe(200);
    expect(readBack(ubl.body as string).root).toBe('CreditNote');
    const record = (await api.get(`/v1/invoices/${note.id}/register`)).body;
    expect(record.record).toMatchObject({ TipoFactura: expect.stringMatching(/^R[1-5]$/), ImporteTotal: '-121.00' });
  });

  it('answers 409 for a draft and a proforma, 400 for an unknown syntax', async () => {
    const draft = await api.post('/v1/invoices', { companyId, currency: 'EUR', lines: [aLine()] });
    expect((await api.get(`/v1/invoices/${draft.body.id}/einvoice?syntax=ubl`)).status).toBe(409);
    const proforma = await issued({ type: 'proforma' });
    expect((await api.get(`/v1/invoices/${proforma.id}/einvoice`)).status).toBe(409);
    const invoice = await issued();
    const unknown = await api.get(`/v1/invoices/${invoice.id}/einvoice?syntax=pdf`);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('syntax');
    // a proforma never enters the register
    expect((await api.get(`/v1/invoices/${proforma.id}/register`)).status).toBe(404);
  });
});
