import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, requestDocument } from '../fixtures/documents';
import { aClient, issuedInvoice } from '../fixtures/payments';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

/**
 * Invoice types through the HTTP API on the local stack: proforma -> invoice (once), simplified invoices
 * (no client, the tenant's limit) replaced by a full one (F3), and what each PDF says it is (pdfjs).
 */
const stack = useLocalStack();
let api: ApiClient;
let es: ApiClient;

beforeAll(async () => {
  api = apiClient(() => stack().apiUrl, (await makeTenant('Types')).adminKey);
  es = apiClient(() => stack().apiUrl, (await makeTenant('Tipos', { locale: 'es' })).adminKey);
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
});

const line = (unitPrice: string) => [{ description: 'Menu del dia', quantity: '1', unitPrice, taxRate: '10' }];

async function renderedText(client: ApiClient, invoiceId: string): Promise<string> {
  const requested = await requestDocument(client, invoiceId);
  await stack().settle(60_000);
  const doc = (await client.get(`/v1/documents/${requested.id}`)).body;
  expect(doc.status, JSON.stringify(doc)).toBe('ready');
  return (await pdfText(await download(doc.pdfUrl))).replace(/\s+/g, ' ');
}

describe('proforma conversion', () => {
  it('converts an issued proforma once into an F1 invoice with the next invoice number; a second call answers 409 with its id', async () => {
    // Prepare
    const client = await aClient(api);
    const proforma = await api.post('/v1/invoices', { type: 'proforma', companyId: client.id, currency: 'EUR', dueDate: '2030-01-31', lines: line('100.00') });
    const draftConvert = await api.post(`/v1/invoices/${proforma.body.id}/convert`);
    await api.post(`/v1/invoices/${proforma.body.id}/stage`, { stage: 'SENT' });

    // Act
    const converted = await api.post(`/v1/invoices/${proforma.body.id}/convert`);
    const again = await api.post(`/v1/invoices/${proforma.body.id}/convert`);
    const after = (await api.get(`/v1/invoices/${proforma.body.id}`)).body;

    // Assess
    expect(draftConvert.status).toBe(422);
    expect(draftConvert.body.errors[0].field).toBe('id');
    expect(converted.status, JSON.stringify(converted.body)).toBe(201);
    expect(converted.body).toMatchObject({
      type: 'invoice',
      status: 'issued',
      fiscalType: 'F1',
      number: expect.stringMatching(/^INV-/),
      convertedFrom: proforma.body.id,
      totals: { total: '110.00' },
      balanceDue: '110.00',
    });
    expect(after).toMatchObject({ convertedTo: converted.body.id, fiscalType: null });
    expect(again.status).toBe(409);
    expect(again.body.invoiceId).toBe(converted.body.id);
  });

  it('converts only once when two calls race', async () => {
    const client = await aClient(api);
    const proforma = await api.post('/v1/invoices', { type: 'proforma', companyId: client.id, currency: 'EUR', dueDate: '2030-01-31', lines: line('10.00') });
    await api.post(`/v1/invoices/${proforma.body.id}/stage`, { stage: 'SENT' });

    const both = await Promise.all([api.post(`/v1/invoices/${proforma.body.id}/convert`), api.post(`/v1/invoices/${proforma.body.id}/convert`)]);

    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(both.find((r) => r.status === 409)!.body.invoiceId).toBe(both.find((r) => r.status === 201)!.body.id);
  });
});

describe('simplified invoices', () => {
  it('issues one without a client up to the limit (400.00 by default), refuses one above it, follows the settings', async () => {
    // Prepare: 363.63 + 10 % = 399.99; 363.65 + 10 % = 400.02
    const under = await api.post('/v1/invoices', { type: 'simplified', currency: 'EUR', dueDate: '2030-01-31', lines: line('363.63') });
    const over = await api.post('/v1/invoices', { type: 'simplified', currency: 'EUR', dueDate: '2030-01-31', lines: line('363.65') });

    // Act
    const issued = await api.post(`/v1/invoices/${under.body.id}/stage`, { stage: 'SENT' });
    const refused = await api.post(`/v1/invoices/${over.body.id}/stage`, { stage: 'SENT' });
    const settings = (await api.get('/v1/settings')).body;
    const { tenantName: _n, images: _i, updatedAt: _u, version, ...kept } = settings;
    const defined = Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== null));
    const tooHigh = await api.put('/v1/settings', { ...defined, simplifiedInvoiceLimit: '3000.01', version });
    const raised = await api.put('/v1/settings', { ...defined, simplifiedInvoiceLimit: '3000.00', version });
    const later = await api.post(`/v1/invoices/${over.body.id}/stage`, { stage: 'SENT' });

    // Assess
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ type: 'simplified', fiscalType: 'F2', client: null, number: expect.stringMatching(/^FS-/) });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].field).toBe('totals.total');
    expect(settings.simplifiedInvoiceLimit).toBe('400.00');
    expect(tooHigh.status).toBe(400);
    expect(raised.status, JSON.stringify(raised.body)).toBe(200);
    expect(later.status, JSON.stringify(later.body)).toBe(200);
  });

  it('replaces a simplified invoice by a full one (F3) for a client, once; refuses to replace an ordinary invoice', async () => {
    // Prepare
    const client = await aClient(api);
    const simplified = await api.post('/v1/invoices', { type: 'simplified', currency: 'EUR', dueDate: '2030-01-31', lines: line('50.00') });
    const issued = await api.post(`/v1/invoices/${simplified.body.id}/stage`, { stage: 'SENT' });
    const ordinary = await issuedInvoice(api, client.id);

    // Act
    const replaced = await api.post(`/v1/invoices/${simplified.body.id}/replace`, { companyId: client.id });
    const again = await api.post(`/v1/invoices/${simplified.body.id}/replace`, { companyId: client.id });
    const notSimplified = await api.post(`/v1/invoices/${ordinary.id}/replace`, { companyId: client.id });
    const original = (await api.get(`/v1/invoices/${simplified.body.id}`)).body;

    // Assess
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(201);
    expect(replaced.body).toMatchObject({
      type: 'invoice',
      fiscalType: 'F3',
      status: 'issued',
      client: { id: client.id },
      replaces: [{ invoiceId: simplified.body.id, number: issued.body.number, issueDate: issued.body.issueDate }],
      totals: { total: '55.00' },
    });
    expect(original).toMatchObject({ replacedBy: replaced.body.id, fiscalType: 'F2' });
    expect(again.status).toBe(409);
    expect(again.body.invoiceId).toBe(replaced.body.id);
    expect(notSimplified.status).toBe(422);
    expect(notSimplified.body.errors[0].field).toBe('id');
  });

  it('credits a simplified invoice with an R5 note without a recipient', async () => {
    const simplified = await api.post('/v1/invoices', { type: 'simplified', currency: 'EUR', dueDate: '2030-01-31', lines: line('50.00') });
    await api.post(`/v1/invoices/${simplified.body.id}/stage`, { stage: 'SENT' });

    const note = await api.post(`/v1/invoices/${simplified.body.id}/credit-notes`, { reasonText: 'returned', full: true, settle: 'out_of_band' });
    const issued = await api.post(`/v1/invoices/${note.body.id}/stage`, { stage: 'SENT' });

    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ fiscalType: 'R5', client: null, reason: 'R5' });
  });
});

describe('what each PDF says it is', () => {
  it('prints a credit note as "Factura rectificativa" with the corrected number, date and reason', async () => {
    // Prepare
    const client = await aClient(es);
    const invoice = await issuedInvoice(es, client.id);
    const note = await es.post(`/v1/invoices/${invoice.id}/credit-notes`, {
      reason: 'R1',
      reasonText: 'Precio mal aplicado',
      lines: [{ line: 0, amount: '10.00' }],
    });
    const issued = await es.post(`/v1/invoices/${note.body.id}/stage`, { stage: 'VIEWED' });

    // Act
    const text = await renderedText(es, note.body.id);

    // Assess
    expect(text).toContain('Factura rectificativa');
    expect(text).toContain(issued.body.number);
    expect(text).toMatch(new RegExp(`Rectifica la factura ${invoice.number} del \\d{1,2} \\S+ ${new Date().getUTCFullYear()}`));
    expect(text).toContain('Motivo de la rectificación: R1 — Precio mal aplicado');
    // a credit note's amounts are all negative: the withholding reversed is printed with its own sign only
    expect(text).not.toContain('−-');
  });

  it('prints a proforma as not a tax invoice, and a simplified invoice as such', async () => {
    const client = await aClient(api);
    const proforma = await api.post('/v1/invoices', { type: 'proforma', companyId: client.id, currency: 'EUR', dueDate: '2030-01-31', lines: line('10.00') });
    const simplified = await api.post('/v1/invoices', { type: 'simplified', currency: 'EUR', dueDate: '2030-01-31', lines: line('10.00') });
    await api.post(`/v1/invoices/${simplified.body.id}/stage`, { stage: 'VIEWED' });

    const proformaText = await renderedText(api, proforma.body.id);
    const simplifiedText = await renderedText(api, simplified.body.id);

    expect(proformaText).toContain('Proforma invoice');
    expect(proformaText).toContain('not a tax invoice');
    expect(simplifiedText).toContain('Simplified invoice');
  });
});
