/**
 * Templates over the HTTP API on the local stack: CRUD with versions and If-Match, validation on upload
 * answered with line numbers, the read-only built-in template, roles and tenant isolation, documents
 * rendered with a tenant's template, and the PDF preview (its own Chromium function).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anInvoice, download, requestDocument } from '../fixtures/documents';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
let acme: TestTenant;
let api: ApiClient;
let otherApi: ApiClient;

const SOURCE = [
  '<!DOCTYPE html><html><head><link rel="stylesheet" href="{{asset "fonts.css"}}"></head>',
  '<body style="font-family: \'Noto Sans\'">',
  '<h1>CUSTOM-TEMPLATE {{#if number}}{{number}}{{else}}{{t "draft"}}{{/if}}</h1>',
  '<p>For {{client.legalName}}: {{money totals.total}}</p>',
  '{{> lines}}',
  '</body></html>',
].join('\n');

beforeAll(async () => {
  acme = await makeTenant('Templates Co');
  api = apiClient(() => stack().apiUrl, acme.adminKey);
  otherApi = apiClient(() => stack().apiUrl, (await makeTenant('Other Co')).adminKey);
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
});

async function preview(key: string, id: string, query = '') {
  const res = await fetch(`${stack().apiUrl}/v1/templates/${id}/preview${query}`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('templates', () => {
  it('creates, lists (the built-in first), reads with its source, replaces with a new version and deletes', async () => {
    // Act
    const created = await api.post('/v1/templates', { name: 'Modern', kind: 'invoice', source: SOURCE });
    const list = await api.get('/v1/templates');
    const fetched = await api.get(`/v1/templates/${created.body.id}`);
    const replaced = await api.put(
      `/v1/templates/${created.body.id}`,
      { name: 'Modern v2', kind: 'invoice', source: `${SOURCE}\n<!-- v2 -->` },
      { 'if-match': '1' },
    );
    const stale = await api.put(`/v1/templates/${created.body.id}`, { name: 'Late', kind: 'invoice', source: SOURCE }, { 'if-match': '1' });
    const after = await api.get(`/v1/templates/${created.body.id}`);
    const removed = await api.del(`/v1/templates/${created.body.id}`);
    const gone = await api.get(`/v1/templates/${created.body.id}`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Modern', kind: 'invoice', builtin: false, version: 1, size: Buffer.byteLength(SOURCE) });
    expect(created.body.id).toMatch(/^tpl_[0-9a-z]{26}$/);
    expect(list.body.data[0]).toMatchObject({ id: 'standard', builtin: true });
    expect(list.body.data.map((t: { id: string }) => t.id)).toContain(created.body.id);
    expect(fetched.body).toMatchObject({ id: created.body.id, source: SOURCE });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'Modern v2', version: 2 });
    expect(stale.status).toBe(409);
    expect(after.body).toMatchObject({ name: 'Modern v2', version: 2, source: `${SOURCE}\n<!-- v2 -->` });
    expect(removed.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('refuses a template with errors: 422 with every error located by line (and column)', async () => {
    // Act
    const syntax = await api.post('/v1/templates', { name: 'Broken', kind: 'invoice', source: '<h1>\n{{#if number}}\n  {{number}}\n</h1>' });
    const names = await api.post('/v1/templates', { name: 'Broken', kind: 'quote', source: '<p>\n\n    {{shout client.name}}\n{{> footer}}</p>' });
    const missing = await api.post('/v1/templates', { name: 'Broken', kind: 'invoice', source: '<p>{{number}}</p>\n<p>{{client.nickname}}</p>' });

    // Assess
    expect(syntax.status).toBe(422);
    expect(syntax.headers.get('content-type')).toBe('application/problem+json');
    expect(syntax.body.errors).toEqual([{ field: 'source', message: expect.stringMatching(/^line 4(, column \d+)?: syntax error/) }]);
    expect(names.status).toBe(422);
    expect(names.body.errors).toEqual([
      { field: 'source', message: 'line 3, column 5: Unknown helper "shout"' },
      { field: 'source', message: expect.stringMatching(/^line 4, column 1: Unknown partial "footer"/) },
    ]);
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ field: 'source', message: 'line 2, column 6: "nickname" not defined in the model' }]);
  });

  it("refuses sources over 256 KB and bodies over the route's limit", async () => {
    const big = await api.post('/v1/templates', { name: 'Big', kind: 'invoice', source: `<p>${'x'.repeat(256 * 1024)}</p>` });
    const huge = await api.post('/v1/templates', { name: 'Huge', kind: 'invoice', source: 'x'.repeat(700 * 1024) });
    expect(big.status).toBe(400);
    expect(big.body.errors[0]).toMatchObject({ field: 'source' });
    expect(huge.status).toBe(413);
  });

  it('keeps the built-in template read-only and writes for admins only', async () => {
    // Prepare
    const acmeManager = apiClient(() => stack().apiUrl, acme.keys.manager);
    const acmeViewer = apiClient(() => stack().apiUrl, acme.keys.viewer);

    // Act / Assess
    expect((await api.get('/v1/templates/standard')).body).toMatchObject({ id: 'standard', builtin: true, source: null });
    expect((await api.put('/v1/templates/standard', { name: 'Mine', kind: 'invoice', source: SOURCE })).status).toBe(409);
    expect((await api.del('/v1/templates/standard')).status).toBe(409);
    expect((await acmeManager.post('/v1/templates', { name: 'M', kind: 'invoice', source: SOURCE })).status).toBe(403);
    expect((await acmeViewer.get('/v1/templates')).status).toBe(200);
  });

  it("answers 404 for another tenant's template, exactly as for a missing one", async () => {
    // Prepare
    const own = await api.post('/v1/templates', { name: 'Private', kind: 'invoice', source: SOURCE });
    const id = own.body.id as string;

    // Act
    const read = await otherApi.get(`/v1/templates/${id}`);
    const write = await otherApi.put(`/v1/templates/${id}`, { name: 'Stolen', kind: 'invoice', source: SOURCE });
    const remove = await otherApi.del(`/v1/templates/${id}`);
    const previewed = await preview((await makeTenant('Third Co')).adminKey, id);
    const list = await otherApi.get('/v1/templates');

    // Assess
    expect([read.status, write.status, remove.status, previewed.status]).toEqual([404, 404, 404, 404]);
    expect(list.body.data.map((t: { id: string }) => t.id)).toEqual(['standard']);
    expect((await api.get(`/v1/templates/${id}`)).body).toMatchObject({ name: 'Private', version: 1 });
  });

  it("renders an invoice document with the tenant's template", async () => {
    // Prepare
    const template = await api.post('/v1/templates', { name: 'Custom', kind: 'invoice', source: SOURCE });
    const { invoice } = await anInvoice(api);

    // Act
    const requested = await requestDocument(api, invoice.id, template.body.id);
    await stack().settle(60_000);
    const doc = (await api.get(`/v1/documents/${requested.id}`)).body;

    // Assess
    expect(doc).toMatchObject({ status: 'ready', templateId: template.body.id });
    const text = await pdfText(await download(doc.pdfUrl));
    expect(text).toContain('CUSTOM-TEMPLATE Draft');
    expect(text).toContain('For Cliente Ejemplar S.L.: €1,270.50');
    expect(text).toContain('Consulting');
  });
});

describe('template preview', () => {
  it("renders the built-in template with sample data and the tenant's seller details, as a PDF", async () => {
    // Prepare
    expect((await api.put('/v1/settings', { legalName: 'Templates Company S.L.', taxId: 'ESB11223344', locale: 'en' })).status).toBe(200);

    // Act
    const invoice = await preview(acme.adminKey, 'standard');
    const quote = await preview(acme.adminKey, 'standard', '?kind=quote&locale=es');
    const byViewer = await preview(acme.keys.viewer, 'standard');

    // Assess: a preview costs a Chromium render, so only those who write templates may ask
    expect(byViewer.status).toBe(403);
    expect(invoice.status).toBe(200);
    expect(invoice.type).toBe('application/pdf');
    const text = await pdfText(invoice.bytes);
    expect(text).toContain('Templates Company S.L.');
    expect(text).toContain('ESB11223344');
    expect(text).toContain('Núñez Ingeniería S.A.');
    expect(text).toContain('INV-2026-0042');
    expect(quote.status).toBe(200);
    expect(await pdfText(quote.bytes)).toMatch(/Presupuesto/i);
  });

  it("renders a tenant's template, and answers 422 with the location when it cannot print the sample", async () => {
    // Prepare
    const custom = await api.post('/v1/templates', { name: 'Custom', kind: 'invoice', source: SOURCE });
    const sneaky = await api.post('/v1/templates', {
      name: 'Sneaky',
      kind: 'invoice',
      source: '<meta http-equiv="refresh" content="0;url=https://example.com/"><p>{{number}}</p>',
    });

    // Act
    const ok = await preview(acme.adminKey, custom.body.id);
    const wrongKind = await preview(acme.adminKey, custom.body.id, '?kind=quote');
    const escaped = await preview(acme.adminKey, sneaky.body.id);

    // Assess
    expect(ok.status).toBe(200);
    expect(await pdfText(ok.bytes)).toContain('CUSTOM-TEMPLATE INV-2026-0042');
    expect(wrongKind.status).toBe(422);
    // Either Chromium printed the template before the refresh fired, or the sandbox refused the
    // navigation and failed the preview: never the page it tried to reach.
    if (escaped.status === 200) {
      expect(await pdfText(escaped.bytes)).not.toMatch(/Example Domain/i);
    } else {
      expect(escaped.status).toBe(422);
      expect(JSON.parse(escaped.bytes.toString()).detail).toMatch(/sandbox/);
    }
  });
});
