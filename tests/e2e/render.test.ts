/**
 * The render-document function on the local stack with real Chromium: a document requested over the API
 * is rendered through the bus into s3rver and completed once; a redelivered request renders nothing; a
 * template that breaks on the data, a sandbox escape or a deleted template fail the document with a
 * reason and a `document.failed` event; the tenant's settings (seller, logo) reach the PDF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anInvoice, aPng, download, manyLines, pdfImageCount, requestDocument } from '../fixtures/documents';
import { pdfPageTexts, pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
let api: ApiClient;

beforeAll(async () => {
  const tenant = await makeTenant('Render Co');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
});

async function settledDocument(id: string) {
  await stack().settle(60_000);
  const res = await api.get(`/v1/documents/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

const eventsFor = (detailType: string, documentId: string) =>
  stack().bus.received.filter((e) => e['detail-type'] === detailType && e.detail.documentId === documentId);

describe('rendering a requested document', () => {
  it("becomes ready: the PDF behind its presigned URL shows the client's legal name and the total, and matches its sha256", async () => {
    // Prepare
    const { invoice } = await anInvoice(api);

    // Act
    const requested = await requestDocument(api, invoice.id);
    const doc = await settledDocument(requested.id);

    // Assess
    expect(doc).toMatchObject({ id: requested.id, status: 'ready', templateId: 'standard', pages: 1 });
    const pdf = await download(doc.pdfUrl);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(doc.size).toBe(pdf.byteLength);
    const { createHash } = await import('node:crypto');
    expect(doc.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    const text = await pdfText(pdf);
    expect(text).toContain('Cliente Ejemplar S.L.');
    expect(text).toContain('1,270.50');
    expect(text).toContain('Render Co');
    expect(eventsFor('document.created', doc.id)).toHaveLength(1);
  });

  it('renders nothing again when document.requested is delivered a second time', async () => {
    // Prepare
    const { invoice } = await anInvoice(api);
    const requested = await requestDocument(api, invoice.id);
    const before = await settledDocument(requested.id);
    const [event] = eventsFor('document.requested', requested.id);
    expect(before.status).toBe('ready');

    // Act: the bus delivers the same event again
    stack().bus.put(event!.source, event!['detail-type'], event!.detail);
    const after = await settledDocument(requested.id);

    // Assess
    expect(eventsFor('document.requested', requested.id)).toHaveLength(2);
    expect(after).toMatchObject({ status: 'ready', sha256: before.sha256, size: before.size, updatedAt: before.updatedAt });
    expect(eventsFor('document.created', requested.id)).toHaveLength(1);
  });

  it('paginates a 200-line invoice with the lines split across pages', async () => {
    // Prepare
    const { invoice } = await anInvoice(api, { lines: manyLines(200) });

    // Act
    const doc = await settledDocument((await requestDocument(api, invoice.id)).id);

    // Assess
    expect(doc.status).toBe('ready');
    expect(doc.pages).toBeGreaterThan(3);
    const pages = await pdfPageTexts(await download(doc.pdfUrl));
    expect(pages).toHaveLength(doc.pages);
    expect(pages[0]).toMatch(/Line item 1\b/);
    expect(pages.at(-1)).toMatch(/Line item 200|Total/);
    expect(pages.join('\n')).toContain('Line item 200');
  }, 120_000);
});

describe('a document that cannot be rendered', () => {
  async function aTemplate(source: string) {
    const res = await api.post('/v1/templates', { name: 'Custom', kind: 'invoice', source });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  }

  it("fails with the template's located error and emits document.failed when the template breaks on this invoice's data", async () => {
    // Prepare: valid on the sample data, but it names a field that does not exist for this client
    const templateId = await aTemplate('<h1>{{number}}</h1>\n<p>{{client.name}}</p>\n{{#if (eq client.name "Broken Client")}}\n  {{client.nickname}}\n{{/if}}');
    const { invoice } = await anInvoice(api, { company: { name: 'Broken Client' } });

    // Act
    const doc = await settledDocument((await requestDocument(api, invoice.id, templateId)).id);

    // Assess
    expect(doc.status).toBe('failed');
    expect(doc.pdfUrl).toBeNull();
    expect(doc.reason).toMatch(/nickname/);
    expect(doc.reason).toMatch(/line 4/);
    expect(doc.reason).not.toMatch(/\n\s+at /);
    const [failed] = eventsFor('document.failed', doc.id);
    expect(failed?.detail).toMatchObject({ documentId: doc.id, subjectId: invoice.id, reason: doc.reason });
    expect(eventsFor('document.created', doc.id)).toHaveLength(0);
  });

  it('fails when the template tries to navigate the page away (sandbox), printing nothing', async () => {
    // Prepare
    const templateId = await aTemplate('<meta http-equiv="refresh" content="0;url=https://example.com/steal"><p>{{number}}</p>');
    const { invoice } = await anInvoice(api);

    // Act
    const doc = await settledDocument((await requestDocument(api, invoice.id, templateId)).id);

    // Assess
    expect(doc.status).toBe('failed');
    expect(doc.reason).toMatch(/sandbox/);
    expect(eventsFor('document.failed', doc.id)).toHaveLength(1);
  });

  it('fails with a reason when its template was deleted in the meantime', async () => {
    // Prepare: an automation rule that renders with a tenant template, which is then deleted
    const templateId = await aTemplate('<p>{{number}}</p>');
    const { invoice } = await anInvoice(api);
    const rule = await api.post('/v1/automation/rules', { entity: 'invoice', stage: 'VIEWED', actions: [{ type: 'create_document', templateId }] });
    expect(rule.status).toBe(201);
    expect((await api.del(`/v1/templates/${templateId}`)).status).toBe(204);

    // Act: the rule requests the document (the API itself refuses unknown templates)
    expect((await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'VIEWED' })).status).toBe(200);
    await stack().settle(60_000);
    await api.del(`/v1/automation/rules/${rule.body.id}`);

    // Assess
    const docs = (await api.get(`/v1/invoices/${invoice.id}/documents`)).body.data as { id: string; templateId: string }[];
    const doc = docs.find((d) => d.templateId === templateId)!;
    expect(await settledDocument(doc.id)).toMatchObject({ status: 'failed', reason: `the template ${templateId} does not exist (it may have been deleted)` });
    expect((await api.post(`/v1/invoices/${invoice.id}/documents`, { templateId })).status).toBe(422);
  });
});

describe("the tenant's settings on its documents", () => {
  it("prints the seller's legal details, payment details and logo from the settings", async () => {
    // Prepare
    const { invoice } = await anInvoice(api);
    const plain = await settledDocument((await requestDocument(api, invoice.id)).id);
    const put = await api.put('/v1/settings', {
      name: 'Render Co',
      legalName: 'Render Company Sociedad Limitada',
      taxId: 'ESB87654323',
      locale: 'es',
      address: { line1: 'Gran Vía 2', city: 'Madrid', postalCode: '28013', country: 'ES' },
      bankAccount: { iban: 'ES91 2100 0418 4502 0005 1332', bankName: 'CaixaBank' },
      brandColor: '#aa3300',
      images: { logo: { data: aPng(120, 40).toString('base64') } },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    // Act
    const branded = await settledDocument((await requestDocument(api, invoice.id)).id);

    // Assess
    expect(branded.status).toBe('ready');
    const pdf = await download(branded.pdfUrl);
    const text = await pdfText(pdf);
    expect(text).toContain('Render Company Sociedad Limitada');
    expect(text).toContain('ESB87654323');
    expect(text).toContain('ES91 2100 0418 4502 0005 1332');
    expect(text).toContain('1270,50 €'); // es-ES: no grouping below 10 000 (CLDR)
    expect(pdfImageCount(pdf)).toBeGreaterThan(0);
    expect(pdfImageCount(await download(plain.pdfUrl))).toBe(0);
  });
});
