import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aContact, aLead, aLine, aProduct } from '../fixtures/builders';
import { emailsTo, eventually, sentMinutesAgo, smsTo } from '../fixtures/outbox';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * The contract (API.md, first half: conventions, resources, public pages, events) as a client following it
 * sees it: exact routes, field names and nesting, status codes, headers and problem+json.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  tenant = await makeTenant('Contract One');
  api = apiClient(url, tenant.adminKey);
});

const uniq = () => randomUUID().slice(0, 8);
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const line = (unitPrice = '100.00') => ({ description: 'Consulting', quantity: '1', unitPrice, taxRate: '21' });

async function aCompanyId(overrides: Record<string, unknown> = {}) {
  const res = await api.post('/v1/companies', aCompany({ email: `c-${uniq()}@example.com`, ...overrides }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function aDraft(companyId: string, overrides: Record<string, unknown> = {}) {
  const res = await api.post('/v1/invoices', { companyId, currency: 'EUR', dueDate: dayOffset(30), lines: [line()], ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function expectProblem(res: { status: number; body: any; headers: Headers }, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect(Array.isArray(res.body.errors)).toBe(true);
  for (const e of res.body.errors) expect(e).toMatchObject({ field: expect.any(String), message: expect.any(String) });
}

describe('conventions', () => {
  it('auth: 401 without or with a bad key, as problem+json; 403 for a role not allowed', async () => {
    const anonymous = apiClient(url);
    expectProblem(await anonymous.get('/v1/companies'), 401);
    expectProblem(await apiClient(url, 'not-a-key').get('/v1/companies'), 401);
    const viewer = apiClient(url, tenant.keys.viewer);
    expect((await viewer.get('/v1/companies')).status).toBe(200);
    expectProblem(await viewer.post('/v1/companies', aCompany()), 403);
  });

  it("another tenant's object answers 404 exactly like a missing one; the tenant comes from the key", async () => {
    const other = await makeTenant('Other Tenant');
    const otherApi = apiClient(url, other.adminKey);
    const companyId = await aCompanyId();
    const invoice = await aDraft(companyId);
    const missing = await otherApi.get('/v1/companies/cmp_doesnotexist');
    expectProblem(missing, 404);
    for (const path of [`/v1/companies/${companyId}`, `/v1/invoices/${invoice.id}`]) {
      const res = await otherApi.get(path);
      expectProblem(res, 404);
      expect(res.body.title).toBe(missing.body.title);
    }
    expectProblem(await otherApi.patch(`/v1/companies/${companyId}`, { name: 'Stolen' }), 404);
    expectProblem(await otherApi.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' }), 404);
    expect((await otherApi.get('/v1/companies?limit=100')).body.data.map((c: any) => c.id)).not.toContain(companyId);
  });

  it('errors: 400 for malformed JSON and a wrong type, naming the field; problem+json shape', async () => {
    const malformed = await api.post('/v1/companies', '{"name": ');
    expectProblem(malformed, 400);
    const wrongType = await api.post('/v1/products', aProduct({ unitPrice: 95 }));
    expectProblem(wrongType, 400);
    expect(wrongType.body.errors).toEqual(expect.arrayContaining([{ field: 'unitPrice', message: expect.any(String) }]));
  });

  it('ids carry their type prefix; money is decimal strings; dates YYYY-MM-DD and instants ISO 8601 UTC', async () => {
    const company = await api.post('/v1/companies', aCompany({ email: `p-${uniq()}@example.com` }));
    const contact = await api.post('/v1/contacts', aContact({ email: `p-${uniq()}@example.com` }));
    const product = await api.post('/v1/products', aProduct());
    const lead = await api.post('/v1/leads', aLead({ contact: { firstName: 'A', lastName: 'B', email: `l-${uniq()}@example.com` }, company: undefined }));
    const deal = await api.post('/v1/deals', { title: 'D', companyId: company.body.id, lines: [line()] });
    const quote = await api.post('/v1/quotes', { companyId: company.body.id, lines: [line()] });
    const invoice = await api.post('/v1/invoices', { companyId: company.body.id, currency: 'EUR', lines: [line()], dueDate: dayOffset(30) });
    expect(company.body.id).toMatch(/^cmp_/);
    expect(contact.body.id).toMatch(/^con_/);
    expect(product.body.id).toMatch(/^prd_/);
    expect(lead.body.id).toMatch(/^lead_/);
    expect(deal.body.id).toMatch(/^deal_/);
    expect(quote.body.id).toMatch(/^quo_/);
    expect(invoice.body.id).toMatch(/^inv_/);
    expect(product.body.unitPrice).toBe('95.00');
    expect(invoice.body.totals).toMatchObject({ net: '100.00', tax: '21.00', total: '121.00' });
    expect(invoice.body.dueDate).toMatch(DATE);
    expect(invoice.body.createdAt).toMatch(ISO_UTC);
    expect(invoice.body.updatedAt).toMatch(ISO_UTC);
    const doc = await api.post(`/v1/invoices/${invoice.body.id}/documents`, {});
    expect(doc.body.id).toMatch(/^doc_/);
  });

  it('Idempotency-Key on POST: the same key and body returns the first response; another body is 422', async () => {
    const key = `idem-${uniq()}`;
    const body = aCompany({ email: `i-${uniq()}@example.com` });
    const first = await api.post('/v1/companies', body, { 'idempotency-key': key });
    const again = await api.post('/v1/companies', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expectProblem(await api.post('/v1/companies', { ...body, name: 'Another' }, { 'idempotency-key': key }), 422);

    const invoice = await aDraft(await aCompanyId());
    const stageKey = `idem-${uniq()}`;
    const move = await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'VIEWED' }, { 'idempotency-key': stageKey });
    const moveAgain = await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'VIEWED' }, { 'idempotency-key': stageKey });
    expect(move.status).toBe(200);
    expect(moveAgain.status).toBe(200);
    expect(moveAgain.body.number).toBe(move.body.number);
    expectProblem(await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'PAID' }, { 'idempotency-key': stageKey }), 422);
  });

  it('version: PATCH and stage moves take If-Match or version in the body, 409 when stale', async () => {
    const companyId = await aCompanyId();
    const company = (await api.get(`/v1/companies/${companyId}`)).body;
    expect(company.version).toEqual(expect.any(Number));
    const ok = await api.patch(`/v1/companies/${companyId}`, { legalForm: 'S.A.' }, { 'if-match': String(company.version) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.version).toBeGreaterThan(company.version);
    expectProblem(await api.patch(`/v1/companies/${companyId}`, { legalForm: 'S.L.' }, { 'if-match': String(company.version) }), 409);
    expectProblem(await api.patch(`/v1/companies/${companyId}`, { legalForm: 'S.L.', version: company.version }), 409);

    const invoice = await aDraft(companyId);
    const patched = await api.patch(`/v1/invoices/${invoice.id}`, { notes: 'hello' }, { 'if-match': String(invoice.version) });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.notes).toBe('hello');
    expectProblem(await api.patch(`/v1/invoices/${invoice.id}`, { notes: 'stale' }, { 'if-match': String(invoice.version) }), 409);
    expectProblem(await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'VIEWED' }, { 'if-match': String(invoice.version) }), 409);
    expectProblem(await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'VIEWED', version: invoice.version }), 409);
    const moved = await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'VIEWED', version: patched.body.version });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  });

  it('lists: ?limit=&cursor= -> { data, nextCursor }, nextCursor null on the last page', async () => {
    for (let i = 0; i < 3; i++) await api.post('/v1/products', aProduct({ name: `List product ${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await api.get(`/v1/products?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'nextCursor']);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((p: any) => p.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});

describe('clients and products', () => {
  it('companies: POST with the full shape, GET, list, PATCH, DELETE', async () => {
    const body = aCompany({
      email: `full-${uniq()}@example.com`,
      responsibleUserId: 'usr_manager',
      address: { line1: 'Calle Mayor 1', line2: '2º B', city: 'Madrid', postalCode: '28001', region: 'Madrid', country: 'ES' },
    });
    const created = await api.post('/v1/companies', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ ...body, id: expect.stringMatching(/^cmp_/), version: expect.any(Number), createdAt: expect.stringMatching(ISO_UTC) });
    const id = created.body.id;
    expect((await api.get(`/v1/companies/${id}`)).body).toMatchObject({ id, name: body.name, address: body.address });
    expect((await api.get('/v1/companies?limit=100')).body).toMatchObject({ data: expect.arrayContaining([expect.objectContaining({ id })]) });
    const patched = await api.patch(`/v1/companies/${id}`, { name: 'Renamed S.L.' });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('Renamed S.L.');
    const deleted = await api.del(`/v1/companies/${id}`);
    expect([200, 204]).toContain(deleted.status);
    expectProblem(await api.get(`/v1/companies/${id}`), 404);
  });

  it('contacts: POST { firstName, lastName, email, phone, companyId, address }; phones as given and in E.164; locale', async () => {
    const companyId = await aCompanyId();
    const body = {
      firstName: 'Ana',
      lastName: 'Ruiz',
      email: `a-${uniq()}@example.com`,
      phone: '611 22 33 44',
      companyId,
      address: { line1: 'Calle Sol 2', city: 'Sevilla', postalCode: '41001', country: 'ES' },
      locale: 'ru',
    };
    const created = await api.post('/v1/contacts', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ ...body, id: expect.stringMatching(/^con_/), phone: '611 22 33 44', phoneE164: '+34611223344' });
    const company = await api.post('/v1/companies', aCompany({ email: `l-${uniq()}@example.com`, locale: 'ro', phone: '+34 600 123 456' }));
    expect(company.body).toMatchObject({ locale: 'ro', phone: '+34 600 123 456', phoneE164: '+34600123456' });
    expect((await api.get(`/v1/contacts/${created.body.id}`)).body).toMatchObject({ locale: 'ru', phoneE164: '+34611223344' });
    const patched = await api.patch(`/v1/contacts/${created.body.id}`, { locale: 'es' });
    expect(patched.body.locale).toBe('es');
    expect((await api.get('/v1/contacts?limit=100')).body.data.map((c: any) => c.id)).toContain(created.body.id);
  });

  it('products: POST { name, unitPrice, currency, taxRate, unit }, GET, PATCH', async () => {
    const created = await api.post('/v1/products', { name: 'Hosting', unitPrice: '12.50', currency: 'EUR', taxRate: '21', unit: 'month' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^prd_/),
      name: 'Hosting',
      unitPrice: '12.50',
      currency: 'EUR',
      taxRate: '21',
      unit: 'month',
    });
    expect((await api.get(`/v1/products/${created.body.id}`)).body).toMatchObject({ name: 'Hosting' });
    expect((await api.patch(`/v1/products/${created.body.id}`, { unitPrice: '13.00' })).body.unitPrice).toBe('13.00');
  });
});

describe('leads, deals, quotes', () => {
  it('leads: POST the contract body; convert -> { deal, contact, company }', async () => {
    const body = aLead({
      contact: { firstName: 'Marta', lastName: 'Gómez', email: `m-${uniq()}@example.com`, phone: '+34 622 333 444' },
      company: { name: `Ñandú ${uniq()}`, taxId: 'B87654323' },
    });
    const lead = await api.post('/v1/leads', body);
    expect(lead.status, JSON.stringify(lead.body)).toBe(201);
    expect(lead.body).toMatchObject({
      id: expect.stringMatching(/^lead_/),
      title: body.title,
      contact: { firstName: 'Marta', lastName: 'Gómez' },
      city: 'Sevilla',
      topic: body.topic,
    });
    const converted = await api.post(`/v1/leads/${lead.body.id}/convert`, { onDuplicate: 'create' });
    expect(converted.status, JSON.stringify(converted.body)).toBeLessThan(300);
    expect(converted.body).toMatchObject({
      deal: { id: expect.stringMatching(/^deal_/) },
      contact: { id: expect.stringMatching(/^con_/), firstName: 'Marta' },
      company: { id: expect.stringMatching(/^cmp_/), name: body.company.name },
    });
  });

  it('convert: a matching contact answers 409 with the candidates, unless onDuplicate says use or create', async () => {
    const email = `dup-${uniq()}@example.com`;
    const existing = await api.post('/v1/contacts', aContact({ email }));
    const lead = await api.post('/v1/leads', aLead({ contact: { firstName: 'Lucía', lastName: 'F', email }, company: undefined }));
    const conflict = await api.post(`/v1/leads/${lead.body.id}/convert`, {});
    expectProblem(conflict, 409);
    expect(JSON.stringify(conflict.body.candidates)).toContain(existing.body.id);
    const used = await api.post(`/v1/leads/${lead.body.id}/convert`, { onDuplicate: 'use' });
    expect(used.status, JSON.stringify(used.body)).toBeLessThan(300);
    expect(used.body.contact.id).toBe(existing.body.id);
    expect(used.body.deal.id).toMatch(/^deal_/);
  });

  it('deals: POST { title, companyId, contactId, lines, responsibleUserId, stage }, GET, PATCH', async () => {
    const companyId = await aCompanyId();
    const contact = await api.post('/v1/contacts', aContact({ email: `d-${uniq()}@example.com`, companyId }));
    const created = await api.post('/v1/deals', {
      title: 'Support',
      companyId,
      contactId: contact.body.id,
      lines: [aLine()],
      responsibleUserId: 'usr_manager',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      title: 'Support',
      companyId,
      contactId: contact.body.id,
      responsibleUserId: 'usr_manager',
      stage: expect.any(String),
      version: expect.any(Number),
    });
    expect(created.body.lines[0]).toMatchObject({ description: 'Consulting hour', quantity: '10', unitPrice: '95.00', taxRate: '21' });
    expect((await api.get(`/v1/deals/${created.body.id}`)).body.id).toBe(created.body.id);
    const patched = await api.patch(`/v1/deals/${created.body.id}`, { title: 'Support 2' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.title).toBe('Support 2');
  });

  it('quotes: POST { companyId | contactId, dealId, lines, validUntil }; send', async () => {
    const contact = await api.post('/v1/contacts', aContact({ email: `q-${uniq()}@example.com` }));
    const created = await api.post('/v1/quotes', { contactId: contact.body.id, lines: [line()], validUntil: dayOffset(20) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^quo_/), contactId: contact.body.id, validUntil: dayOffset(20) });
    const sent = await api.post(`/v1/quotes/${created.body.id}/send`, {});
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    expect(sent.body.publicUrl).toMatch(/\/p\/[A-Za-z0-9_-]+$/);
  });
});

describe('invoices', () => {
  it('from scratch: the Invoice shape, lines with netAmount, totals with taxBreakdown', async () => {
    const companyId = await aCompanyId({ name: 'Shape Co' });
    const res = await api.post('/v1/invoices', {
      companyId,
      currency: 'EUR',
      dueDate: dayOffset(30),
      notes: 'Thanks',
      lines: [
        { description: 'A', quantity: '2', unitPrice: '50.00', taxRate: '21', discountPercent: '10', withholdingRate: '15' },
        { description: 'B', quantity: '1.5', unitPrice: '10.00', taxRate: '10' },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const inv = res.body;
    expect(inv).toMatchObject({
      id: expect.stringMatching(/^inv_/),
      number: null,
      series: expect.any(String),
      type: 'invoice',
      stage: 'NEW',
      client: { id: companyId, name: 'Shape Co' },
      currency: 'EUR',
      issueDate: null,
      dueDate: dayOffset(30),
      notes: 'Thanks',
      responsibleUserId: expect.any(String),
      version: expect.any(Number),
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(inv.lines.map((l: any) => l.netAmount)).toEqual(['90.00', '15.00']);
    expect(inv.lines[0]).toMatchObject({ description: 'A', quantity: '2', unitPrice: '50.00', taxRate: '21', discountPercent: '10', withholdingRate: '15' });
    expect(inv.totals).toEqual(
      expect.objectContaining({
        net: '105.00',
        tax: '20.40',
        withholding: '13.50',
        total: '111.90',
        taxBreakdown: expect.arrayContaining([
          expect.objectContaining({ rate: '21', base: '90.00', amount: '18.90' }),
          expect.objectContaining({ rate: '10', base: '15.00', amount: '1.50' }),
        ]),
      }),
    );
    expect((await api.get(`/v1/invoices/${inv.id}`)).body).toMatchObject({ id: inv.id, totals: { total: '111.90' } });
  });

  it('type proforma and credit_note are in the type field; a contactId client', async () => {
    const contact = await api.post('/v1/contacts', aContact({ email: `t-${uniq()}@example.com` }));
    const res = await api.post('/v1/invoices', { type: 'proforma', contactId: contact.body.id, currency: 'EUR', lines: [line()], dueDate: dayOffset(5) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ type: 'proforma', client: { id: contact.body.id } });
  });

  it('from a deal: client, lines, amounts and responsible user copied; dealId set', async () => {
    const companyId = await aCompanyId({ name: 'Deal Source' });
    const deal = await api.post('/v1/deals', { title: 'Copy me', companyId, lines: [aLine()], responsibleUserId: 'usr_manager', currency: 'EUR' });
    const res = await api.post('/v1/invoices', { from: { dealId: deal.body.id } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      dealId: deal.body.id,
      client: { id: companyId, name: 'Deal Source' },
      responsibleUserId: 'usr_manager',
      totals: { net: '950.00', total: '1149.50' },
    });
    expect(res.body.lines[0]).toMatchObject({ description: 'Consulting hour', quantity: '10', unitPrice: '95.00', taxRate: '21', netAmount: '950.00' });
  });

  it('from a quote: copied with quoteId; from a client: client data only', async () => {
    const companyId = await aCompanyId({ name: 'Quote Source' });
    const quote = await api.post('/v1/quotes', { companyId, lines: [line('40.00')] });
    expect((await api.post(`/v1/quotes/${quote.body.id}/send`, {})).status).toBe(200);
    const fromQuote = await api.post('/v1/invoices', { from: { quoteId: quote.body.id } });
    expect(fromQuote.status, JSON.stringify(fromQuote.body)).toBe(201);
    expect(fromQuote.body).toMatchObject({ quoteId: quote.body.id, client: { id: companyId }, totals: { net: '40.00', total: '48.40' } });
    const fromCompany = await api.post('/v1/invoices', { from: { companyId } });
    expect(fromCompany.status, JSON.stringify(fromCompany.body)).toBe(201);
    expect(fromCompany.body).toMatchObject({ client: { id: companyId, name: 'Quote Source' }, lines: [] });
    const contact = await api.post('/v1/contacts', aContact({ email: `fc-${uniq()}@example.com` }));
    const fromContact = await api.post('/v1/invoices', { from: { contactId: contact.body.id } });
    expect(fromContact.status, JSON.stringify(fromContact.body)).toBe(201);
    expect(fromContact.body.client.id).toBe(contact.body.id);
  });

  it('stage move: 422 listing every missing required field; issuing assigns the number and issueDate', async () => {
    const companyId = await aCompanyId();
    const empty = (await api.post('/v1/invoices', { from: { companyId } })).body;
    const refused = await api.post(`/v1/invoices/${empty.id}/stage`, { stage: 'SENT' });
    expectProblem(refused, 422);
    expect(refused.body.errors.length).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['lines']));
    for (const e of refused.body.errors) expect(e).toEqual({ field: expect.any(String), message: expect.any(String) });
    const draft = await aDraft(companyId);
    const moved = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ id: draft.id, stage: 'VIEWED', number: expect.any(String), issueDate: expect.stringMatching(DATE) });
  });

  it('PATCH while the stage allows edits; refused once issued', async () => {
    const draft = await aDraft(await aCompanyId());
    const ok = await api.patch(`/v1/invoices/${draft.id}`, { dueDate: dayOffset(40), lines: [line('200.00')] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ dueDate: dayOffset(40), totals: { total: '242.00' } });
    await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    const refused = await api.patch(`/v1/invoices/${draft.id}`, { lines: [line('1.00')] });
    expect([409, 422]).toContain(refused.status);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });

  it('GET /v1/invoices filters: stage, clientId, dealId, number, q, issueDate range, sort', async () => {
    const name = `Filter ${uniq()}`;
    const companyId = await aCompanyId({ name });
    const deal = await api.post('/v1/deals', { title: 'F', companyId, lines: [line()], currency: 'EUR' });
    const small = await aDraft(companyId, { lines: [line('10.00')] });
    const big = await aDraft(companyId, { lines: [line('500.00')], dealId: deal.body.id });
    const issued = (await api.post(`/v1/invoices/${big.id}/stage`, { stage: 'VIEWED' })).body;
    const ids = async (query: string) => {
      const res = await api.get(`/v1/invoices?${query}`);
      expect(res.status, `${query} ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toHaveProperty('nextCursor');
      return res.body.data.map((i: any) => i.id);
    };
    expect(await ids(`clientId=${companyId}&sort=total`)).toEqual([small.id, big.id]);
    expect(await ids(`clientId=${companyId}&sort=-total`)).toEqual([big.id, small.id]);
    expect(await ids(`clientId=${companyId}&stage=NEW`)).toEqual([small.id]);
    expect(await ids(`dealId=${deal.body.id}`)).toEqual([big.id]);
    expect(await ids(`number=${encodeURIComponent(issued.number)}`)).toEqual([big.id]);
    expect(await ids(`q=${encodeURIComponent(issued.number)}`)).toEqual([big.id]);
    expect((await ids(`q=${encodeURIComponent(name)}`)).sort()).toEqual([small.id, big.id].sort());
    expect(await ids(`clientId=${companyId}&issueDateFrom=${issued.issueDate}&issueDateTo=${issued.issueDate}&sort=-issueDate`)).toEqual([big.id]);
    expect(await ids(`clientId=${companyId}&issueDateFrom=${dayOffset(2)}`)).toEqual([]);
  });

  it('documents: POST -> a pending Document; GET lists and the Document shape once ready', async () => {
    const draft = await aDraft(await aCompanyId());
    const created = await api.post(`/v1/invoices/${draft.id}/documents`, {});
    expect(created.status, JSON.stringify(created.body)).toBeLessThan(300);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^doc_/), status: expect.stringMatching(/^(pending|ready)$/) });
    const ready = await eventually(async () => {
      const d = await api.get(`/v1/documents/${created.body.id}`);
      return d.body.status === 'ready' ? d.body : undefined;
    }, 'the render');
    expect(ready).toMatchObject({
      id: created.body.id,
      status: 'ready',
      templateId: expect.any(String),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      size: expect.any(Number),
      pdfUrl: expect.stringMatching(/^https?:\/\//),
      publicUrl: expect.stringMatching(/\/p\/[A-Za-z0-9_-]+$/),
      createdAt: expect.stringMatching(ISO_UTC),
    });
    const list = await api.get(`/v1/invoices/${draft.id}/documents`);
    expect(list.body).toMatchObject({ data: [expect.objectContaining({ id: created.body.id })], nextCursor: null });
    const pdf = await fetch(ready.pdfUrl);
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('timeline oldest first; payments on the invoice', async () => {
    const draft = await aDraft(await aCompanyId());
    expect((await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' })).status).toBe(200);
    const pay = await api.post(`/v1/invoices/${draft.id}/payments`, { amount: '10.00', date: dayOffset(0), method: 'cash', reference: 'R1' });
    expect(pay.status, JSON.stringify(pay.body)).toBe(201);
    await stack().settle();
    const timeline = await api.get(`/v1/invoices/${draft.id}/timeline`);
    expect(timeline.status).toBe(200);
    const entries = timeline.body.data as { kind: string; at?: string; createdAt?: string }[];
    const kinds = entries.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['created', 'stage_changed']));
    expect(kinds.some((k) => k.startsWith('payment'))).toBe(true);
    const times = entries.map((e) => e.at ?? e.createdAt ?? '');
    expect([...times].sort()).toEqual(times);
  });
});

describe('pipelines, automation, templates, settings', () => {
  it('GET /v1/pipelines/invoice: the default stages with kind and requiredFields; PUT keeps the shape', async () => {
    const res = await api.get('/v1/pipelines/invoice');
    expect(res.status).toBe(200);
    const stages = res.body.stages as any[];
    expect(stages.map((s) => s.id)).toEqual(['NEW', 'SENT', 'VIEWED', 'PAID', 'CANCELLED']);
    for (const s of stages)
      expect(s).toMatchObject({
        id: expect.any(String),
        name: expect.any(String),
        kind: expect.stringMatching(/^(open|success|failure)$/),
        requiredFields: expect.any(Array),
      });
    expect(stages.find((s) => s.id === 'SENT').name).toBe('Sent to client');
    expect(stages.find((s) => s.id === 'VIEWED').name).toBe('Viewed by client');
    expect(stages.find((s) => s.id === 'PAID').kind).toBe('success');
    expect(stages.find((s) => s.id === 'CANCELLED').kind).toBe('failure');
    const put = await api.put('/v1/pipelines/invoice', { stages });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.stages.map((s: any) => s.id)).toEqual(['NEW', 'SENT', 'VIEWED', 'PAID', 'CANCELLED']);
  });

  it('automation rules: the standard scenario is there for a new tenant; POST, GET, PUT, DELETE', async () => {
    const fresh = apiClient(url, (await makeTenant('Fresh Rules')).adminKey);
    const list = await fresh.get('/v1/automation/rules');
    expect(list.status).toBe(200);
    const standard = list.body.data.find((r: any) => r.stage === 'SENT');
    expect(standard).toMatchObject({ id: expect.any(String), entity: 'invoice', stage: 'SENT' });
    expect(standard.actions.map((a: any) => a.type)).toEqual(['create_document', 'send_email']);
    expect(standard.actions[1]).toMatchObject({ attach: 'document' });
    expect(standard.triggers).toEqual(
      expect.arrayContaining([
        { type: 'email_opened', moveTo: 'VIEWED' },
        { type: 'link_opened', moveTo: 'VIEWED' },
      ]),
    );

    const body = {
      entity: 'invoice',
      stage: 'VIEWED',
      actions: [{ type: 'create_document' }, { type: 'send_sms', text: 'Thanks' }, { type: 'notify_responsible' }],
    };
    const created = await fresh.post('/v1/automation/rules', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ ...body, id: expect.any(String) });
    const id = created.body.id;
    expect((await fresh.get(`/v1/automation/rules/${id}`)).body).toMatchObject(body);
    const replaced = await fresh.put(`/v1/automation/rules/${id}`, { ...body, actions: [{ type: 'move_to_stage', stage: 'PAID' }] });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.actions).toEqual([expect.objectContaining({ type: 'move_to_stage', stage: 'PAID' })]);
    expect([200, 204]).toContain((await fresh.del(`/v1/automation/rules/${id}`)).status);
    expectProblem(await fresh.get(`/v1/automation/rules/${id}`), 404);
  });

  it('templates: the standard one is built in; POST, GET, PUT, DELETE; preview is a PDF', async () => {
    const list = await api.get('/v1/templates');
    expect(list.status).toBe(200);
    const builtIn = list.body.data.find((t: any) => t.builtin);
    expect(builtIn).toMatchObject({ id: expect.any(String), kind: expect.any(String), builtin: true });
    const preview = await fetch(`${url()}/v1/templates/${builtIn.id}/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.adminKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toContain('application/pdf');
    expect(
      Buffer.from(await preview.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    const source = '<html lang="{{locale}}"><body><h1>{{kind}}</h1></body></html>';
    const copy = { kind: 'invoice', source };
    const created = await api.post('/v1/templates', { ...copy, name: 'Mine' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect((await api.get(`/v1/templates/${id}`)).body).toMatchObject({ id, name: 'Mine' });
    const put = await api.put(`/v1/templates/${id}`, { ...copy, name: 'Mine 2' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.name).toBe('Mine 2');
    expect([200, 204]).toContain((await api.del(`/v1/templates/${id}`)).status);
    expectProblem(await api.get(`/v1/templates/${id}`), 404);
  });

  it('settings: GET and PUT', async () => {
    const got = await api.get('/v1/settings');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ version: expect.any(Number) });
  });
});

describe('sending, public links, events', () => {
  it('SENT: the standard rule renders and e-mails; the open pixel moves to VIEWED; events carry the contract fields', async () => {
    const email = `s-${uniq()}@example.com`;
    const companyId = await aCompanyId({ email });
    const draft = await aDraft(companyId);
    const moved = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'SENT' });
    expect(moved.status).toBe(200);
    const [mail] = await eventually(async () => {
      const m = await emailsTo(email);
      return m.length ? m : undefined;
    }, 'the e-mail');
    expect(mail.attachments.some((a) => a.contentType === 'application/pdf')).toBe(true);
    const pixel = /src="([^"]+\/p\/[A-Za-z0-9_-]+\/open\.gif)"/.exec(mail.body.html ?? '')?.[1];
    expect(pixel).toBeDefined();
    await stack().settle();

    const events = stack().bus.received.filter((e) => (e.detail as any).invoiceId === draft.id || (e.detail as any).subjectId === draft.id);
    for (const e of stack().bus.received) {
      expect(e.source).toBe('crm.invoicing');
      expect(e.detail).toMatchObject({ tenantId: expect.any(String), eventId: expect.any(String) });
    }
    const types = events.map((e) => e['detail-type']);
    expect(types).toEqual(expect.arrayContaining(['invoice.created', 'invoice.stage_changed', 'document.created', 'message.sent']));
    expect(events.find((e) => e['detail-type'] === 'invoice.stage_changed')!.detail).toMatchObject({
      invoiceId: draft.id,
      tenantId: tenant.tenantId,
      from: 'NEW',
      to: 'SENT',
      version: moved.body.version,
    });
    expect(events.find((e) => e['detail-type'] === 'message.sent')!.detail).toMatchObject({ channel: 'email', to: email, messageId: expect.any(String) });

    // the client opens the e-mail (past the scanners' window, as in delivery.test.ts): VIEWED, document.viewed via email_open
    await sentMinutesAgo(api, tenant.tenantId, draft.id);
    const gif = await fetch(pixel!, { headers: { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)' } });
    expect(gif.headers.get('content-type')).toBe('image/gif');
    await eventually(async () => (await api.get(`/v1/invoices/${draft.id}`)).body.stage === 'VIEWED', 'the move to VIEWED');
    await stack().settle();
    const viewed = stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && JSON.stringify(e.detail).includes(draft.id));
    expect(viewed.map((e) => e.detail.via)).toContain('email_open');
    const toViewed = stack().bus.received.find(
      (e) => e['detail-type'] === 'invoice.stage_changed' && e.detail.invoiceId === draft.id && e.detail.to === 'VIEWED',
    );
    expect(toViewed?.detail).toMatchObject({ from: 'SENT', to: 'VIEWED', version: expect.any(Number), tenantId: tenant.tenantId });
    const kinds = (await api.get(`/v1/invoices/${draft.id}/timeline`)).body.data.map((e: any) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['stage_changed', 'document_created', 'message_sent', 'email_opened']));
  });

  it('send by SMS; GET /p/{token} records a view and 302s to the PDF; document.viewed { via: "link" }', async () => {
    const phone = `+3462${String(Date.now()).slice(-7)}`;
    const companyId = await aCompanyId({ phone, email: undefined });
    const draft = await aDraft(companyId);
    await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    const doc = await api.post(`/v1/invoices/${draft.id}/documents`, {});
    await eventually(async () => (await api.get(`/v1/documents/${doc.body.id}`)).body.status === 'ready', 'the render');
    const sent = await api.post(`/v1/invoices/${draft.id}/send`, { channel: 'sms', message: 'Your invoice' });
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    const [sms] = await eventually(async () => {
      const m = await smsTo(phone);
      return m.length ? m : undefined;
    }, 'the SMS');
    const link = /(http\S+\/p\/[A-Za-z0-9_-]+)/.exec(sms.message)![1];
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^https?:\/\//);
    await stack().settle();
    const viewed = stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && JSON.stringify(e.detail).includes(draft.id));
    expect(viewed.length).toBeGreaterThanOrEqual(1);
    expect(viewed[0].detail).toMatchObject({ via: 'link' });
    const timeline = (await api.get(`/v1/invoices/${draft.id}/timeline`)).body.data as { kind: string }[];
    expect(timeline.map((e) => e.kind)).toEqual(['created', 'stage_changed', 'document_created', 'message_sent', 'viewed']);
    const sentEvents = stack().bus.received.filter((e) => e['detail-type'] === 'message.sent' && (e.detail as any).channel === 'sms');
    expect(sentEvents.some((e) => (e.detail as any).to === phone)).toBe(true);
  });

  it('send by e-mail with to, subject and message', async () => {
    const to = `to-${uniq()}@example.com`;
    const draft = await aDraft(await aCompanyId({ email: to }));
    await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    // a `to` outside the client's addresses also needs allowExternalRecipient: true (delivery-failures.test.ts)
    const sent = await api.post(`/v1/invoices/${draft.id}/send`, { channel: 'email', to, subject: 'Your invoice', message: 'Please find it attached' });
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    const [mail] = await eventually(async () => {
      const m = await emailsTo(to);
      return m.length ? m : undefined;
    }, 'the e-mail');
    expect(mail.subject).toBe('Your invoice');
    expect(`${mail.body.text ?? ''}${mail.body.html ?? ''}`).toContain('Please find it attached');
  });

  it('quote page: HTML with an accept form; POST /p/{token}/accept { signerName } creates the invoice; quote.accepted', async () => {
    const companyId = await aCompanyId();
    const quote = await api.post('/v1/quotes', { companyId, lines: [line()] });
    const sent = await api.post(`/v1/quotes/${quote.body.id}/send`, {});
    const page = sent.body.publicUrl as string;
    const ready = await eventually(async () => {
      const docs = (await api.get(`/v1/quotes/${quote.body.id}/documents`)).body.data as { status: string; sha256: string }[];
      return docs.find((d) => d.status === 'ready');
    }, 'the quote document');
    const html = await fetch(page);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<form');
    // exactly API.md's body, { signerName, signature? }: a JSON client's call is its consent
    const accepted = await fetch(`${page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Contract/1.0' },
      body: JSON.stringify({ signerName: 'Carlos Ruiz' }),
    });
    expect(accepted.status, await accepted.clone().text()).toBeLessThan(300);
    const after = (await api.get(`/v1/quotes/${quote.body.id}`)).body;
    expect(after).toMatchObject({
      status: 'accepted',
      acceptedAt: expect.stringMatching(ISO_UTC),
      acceptance: { signerName: 'Carlos Ruiz', ip: expect.any(String), userAgent: 'Contract/1.0', documentSha256: ready.sha256 },
    });
    await stack().settle();
    const invoices = (await api.get(`/v1/invoices?clientId=${companyId}`)).body.data;
    expect(invoices.some((i: any) => i.quoteId === quote.body.id)).toBe(true);
    expect(stack().bus.received.some((e) => e['detail-type'] === 'quote.accepted' && JSON.stringify(e.detail).includes(quote.body.id))).toBe(true);
  });
});

describe('contract details', () => {
  it('stage move: the 422 lists every missing required field of the stage at once', async () => {
    const companyId = await aCompanyId({ email: undefined, phone: undefined, taxId: undefined });
    const bare = (await api.post('/v1/invoices', { from: { companyId } })).body;
    const refused = await api.post(`/v1/invoices/${bare.id}/stage`, { stage: 'SENT' });
    expectProblem(refused, 422);
    const required = (await api.get('/v1/pipelines/invoice')).body.stages.find((s: any) => s.id === 'SENT').requiredFields as string[];
    expect(required.length).toBeGreaterThan(1);
    const fields = refused.body.errors.map((e: any) => e.field);
    for (const f of required) expect(fields.some((x: string) => x === f || x.startsWith(`${f}`) || f.startsWith(x))).toBe(true);
    expect(fields).toEqual(expect.arrayContaining(['lines', 'dueDate']));
  });

  it('a required field added to a stage by PUT /v1/pipelines/invoice is enforced', async () => {
    const other = await makeTenant('Pipeline Rules');
    const o = apiClient(url, other.adminKey);
    const pipeline = (await o.get('/v1/pipelines/invoice')).body;
    const stages = pipeline.stages.map((s: any) => (s.id === 'VIEWED' ? { ...s, requiredFields: [...s.requiredFields, 'notes'] } : s));
    const put = await o.put('/v1/pipelines/invoice', { stages });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.stages.find((s: any) => s.id === 'VIEWED').requiredFields).toContain('notes');
    const company = await o.post('/v1/companies', aCompany({ email: `pr-${uniq()}@example.com` }));
    const draft = await o.post('/v1/invoices', { companyId: company.body.id, currency: 'EUR', dueDate: dayOffset(9), lines: [line()] });
    const refused = await o.post(`/v1/invoices/${draft.body.id}/stage`, { stage: 'VIEWED' });
    expectProblem(refused, 422);
    expect(refused.body.errors.map((e: any) => e.field)).toEqual(['notes']);
  });

  it('POST /v1/invoices with companyId and contactId together is refused naming the field', async () => {
    const companyId = await aCompanyId();
    const contact = await api.post('/v1/contacts', aContact({ email: `both-${uniq()}@example.com` }));
    const res = await api.post('/v1/invoices', { companyId, contactId: contact.body.id, currency: 'EUR', lines: [line()] });
    expect([400, 422]).toContain(res.status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['contactId']));
  });

  it('convert without a match answers the new deal and contact (company only when the lead has one)', async () => {
    const lead = await api.post('/v1/leads', { title: 'Solo', contact: { firstName: 'Solo', lastName: `P${uniq()}`, email: `solo-${uniq()}@example.com` } });
    expect(lead.status, JSON.stringify(lead.body)).toBe(201);
    const res = await api.post(`/v1/leads/${lead.body.id}/convert`, {});
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    expect(res.body).toMatchObject({ deal: { id: expect.stringMatching(/^deal_/), title: 'Solo' }, contact: { id: expect.stringMatching(/^con_/) } });
    expect(res.body.company ?? null).toBeNull();
  });

  it('convert: a company matching by tax id is a 409 candidate; onDuplicate "create" makes a new one', async () => {
    const taxId = 'B87654323';
    const existing = await api.post('/v1/companies', aCompany({ name: `Tax ${uniq()}`, taxId, email: `tx-${uniq()}@example.com` }));
    const lead = await api.post(
      '/v1/leads',
      aLead({ contact: { firstName: 'New', lastName: `P${uniq()}`, email: `new-${uniq()}@example.com` }, company: { name: `Other ${uniq()}`, taxId } }),
    );
    const conflict = await api.post(`/v1/leads/${lead.body.id}/convert`, {});
    expectProblem(conflict, 409);
    expect(JSON.stringify(conflict.body.candidates)).toContain(existing.body.id);
    const created = await api.post(`/v1/leads/${lead.body.id}/convert`, { onDuplicate: 'create' });
    expect(created.status, JSON.stringify(created.body)).toBeLessThan(300);
    expect(created.body.company.id).not.toBe(existing.body.id);
  });

  it('deals: stage on create; If-Match stale is 409; quotes carry dealId', async () => {
    const companyId = await aCompanyId();
    const stages = (await api.get('/v1/pipelines/deal')).body?.stages?.map((s: any) => s.id) ?? [];
    const deal = await api.post('/v1/deals', { title: 'Staged', companyId, lines: [line()], ...(stages[1] ? { stage: stages[1] } : {}) });
    expect(deal.status, JSON.stringify(deal.body)).toBe(201);
    if (stages[1]) expect(deal.body.stage).toBe(stages[1]);
    const ok = await api.patch(`/v1/deals/${deal.body.id}`, { title: 'v2' }, { 'if-match': String(deal.body.version) });
    expect(ok.status).toBe(200);
    expectProblem(await api.patch(`/v1/deals/${deal.body.id}`, { title: 'v3' }, { 'if-match': String(deal.body.version) }), 409);
    const quote = await api.post('/v1/quotes', { companyId, dealId: deal.body.id, lines: [line()] });
    expect(quote.status, JSON.stringify(quote.body)).toBe(201);
    expect(quote.body).toMatchObject({ dealId: deal.body.id, companyId });
  });

  it('from a quote and from a contact: responsible user copied; client snapshot of the contact', async () => {
    const contact = await api.post('/v1/contacts', aContact({ email: `fq-${uniq()}@example.com`, responsibleUserId: 'usr_manager' }));
    const quote = await api.post('/v1/quotes', { contactId: contact.body.id, lines: [line('30.00')] });
    await api.post(`/v1/quotes/${quote.body.id}/send`, {});
    const inv = await api.post('/v1/invoices', { from: { quoteId: quote.body.id } });
    expect(inv.status, JSON.stringify(inv.body)).toBe(201);
    expect(inv.body).toMatchObject({
      quoteId: quote.body.id,
      client: { id: contact.body.id },
      currency: 'EUR',
      totals: { net: '30.00', tax: '6.30', total: '36.30' },
    });
    expect(inv.body.responsibleUserId).toBe(quote.body.responsibleUserId);
  });

  it('invoices list paginates with limit and cursor', async () => {
    const companyId = await aCompanyId();
    for (let i = 0; i < 3; i++) await aDraft(companyId);
    const first = await api.get(`/v1/invoices?clientId=${companyId}&limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.get(`/v1/invoices?clientId=${companyId}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body).toMatchObject({ data: [expect.any(Object)], nextCursor: null });
  });

  it('documents with a templateId; the timeline lists the document; open.gif answers a GIF', async () => {
    const tpl = await api.post('/v1/templates', { name: 'Plain', kind: 'invoice', source: '<html lang="{{locale}}"><body><p>{{kind}}</p></body></html>' });
    expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
    const draft = await aDraft(await aCompanyId());
    const doc = await api.post(`/v1/invoices/${draft.id}/documents`, { templateId: tpl.body.id });
    expect(doc.status, JSON.stringify(doc.body)).toBeLessThan(300);
    expect(doc.body.templateId).toBe(tpl.body.id);
    const ready = await eventually(async () => {
      const d = (await api.get(`/v1/documents/${doc.body.id}`)).body;
      return d.status !== 'pending' ? d : undefined;
    }, 'the render');
    expect(ready.status).toBe('ready');
    await stack().settle();
    const kinds = (await api.get(`/v1/invoices/${draft.id}/timeline`)).body.data.map((e: any) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['created', 'document_created']));
    const gif = await fetch(`${ready.publicUrl}/open.gif`);
    expect(gif.status).toBe(200);
    expect(gif.headers.get('content-type')).toBe('image/gif');
  });

  it('paying the balance moves the invoice to PAID; invoice.paid and payment.recorded carry tenantId and eventId', async () => {
    const draft = await aDraft(await aCompanyId());
    await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    const pay = await api.post(`/v1/invoices/${draft.id}/payments`, { amount: '121.00', date: dayOffset(0) });
    expect(pay.status, JSON.stringify(pay.body)).toBe(201);
    await stack().settle();
    expect((await api.get(`/v1/invoices/${draft.id}`)).body.stage).toBe('PAID');
    const mine = stack().bus.received.filter((e) => JSON.stringify(e.detail).includes(draft.id));
    const types = mine.map((e) => e['detail-type']);
    expect(types).toEqual(expect.arrayContaining(['invoice.created', 'invoice.paid', 'payment.recorded']));
    expect(types.filter((t) => t === 'invoice.paid')).toHaveLength(1);
    expect(mine.find((e) => e['detail-type'] === 'invoice.created')!.detail).toMatchObject({
      invoiceId: draft.id,
      tenantId: tenant.tenantId,
      eventId: expect.any(String),
    });
    expect(mine.find((e) => e['detail-type'] === 'invoice.paid')!.detail).toMatchObject({ invoiceId: draft.id, tenantId: tenant.tenantId });
  });

  it('automation rule with triggers round-trips; a viewer may read rules but not write them', async () => {
    const body = {
      entity: 'invoice',
      stage: 'SENT',
      actions: [{ type: 'create_document' }, { type: 'send_email', subject: 'Invoice {{number}}', body: 'Hello', attach: 'document' }],
      triggers: [{ type: 'link_opened', moveTo: 'VIEWED' }],
    };
    const other = apiClient(url, (await makeTenant('Rule Triggers')).adminKey);
    const created = await other.post('/v1/automation/rules', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ entity: 'invoice', stage: 'SENT', triggers: [{ type: 'link_opened', moveTo: 'VIEWED' }] });
    expect(created.body.actions[1]).toMatchObject({ type: 'send_email', subject: 'Invoice {{number}}', body: 'Hello', attach: 'document' });
    const viewer = apiClient(url, tenant.keys.viewer);
    expect((await viewer.get('/v1/automation/rules')).status).toBe(200);
    expectProblem(await viewer.post('/v1/automation/rules', body), 403);
  });
});

describe('every list and the tenant from the key', () => {
  it('each list answers exactly { data, nextCursor } and takes ?limit=50', async () => {
    const companyId = await aCompanyId();
    const invoice = await aDraft(companyId);
    const quote = await api.post('/v1/quotes', { companyId, lines: [line()] });
    const paths = [
      '/v1/companies',
      '/v1/contacts',
      '/v1/products',
      '/v1/leads',
      '/v1/deals',
      '/v1/quotes',
      '/v1/invoices',
      '/v1/templates',
      '/v1/automation/rules',
      `/v1/invoices/${invoice.id}/documents`,
      `/v1/invoices/${invoice.id}/timeline`,
      `/v1/invoices/${invoice.id}/payments`,
      `/v1/quotes/${quote.body.id}/documents`,
    ];
    for (const path of paths) {
      for (const query of ['', '?limit=50']) {
        const res = await api.get(`${path}${query}`);
        expect(res.status, `${path}${query} ${JSON.stringify(res.body)}`).toBe(200);
        expect(Object.keys(res.body).sort(), path).toEqual(['data', 'nextCursor']);
        expect(Array.isArray(res.body.data), path).toBe(true);
      }
    }
  });

  it('ignores a tenant named in the request: the key decides', async () => {
    const other = await makeTenant('Header Tenant');
    const res = await api.post('/v1/companies', aCompany({ email: `h-${uniq()}@example.com` }), { 'x-tenant-id': other.tenantId });
    expect(res.status).toBe(201);
    expect((await apiClient(url, other.adminKey).get(`/v1/companies/${res.body.id}`)).status).toBe(404);
    expect((await api.get(`/v1/companies/${res.body.id}`)).status).toBe(200);
    const inBody = await api.post('/v1/companies', { ...aCompany(), tenantId: other.tenantId });
    expect(inBody.status).toBe(400);
    expect(inBody.body.errors.map((e: any) => e.field)).toContain('tenantId');
  });

  it("the invoice's client is a snapshot: renaming the company later leaves the issued invoice as it was", async () => {
    const companyId = await aCompanyId({ name: 'Before Rename' });
    const draft = await aDraft(companyId);
    expect(draft.client).toMatchObject({
      id: companyId,
      name: 'Before Rename',
      taxId: expect.any(String),
      address: expect.objectContaining({ city: 'Madrid' }),
    });
    await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    await api.patch(`/v1/companies/${companyId}`, { name: 'After Rename' });
    expect((await api.get(`/v1/invoices/${draft.id}`)).body.client.name).toBe('Before Rename');
  });
});

describe('Idempotency-Key on every POST', () => {
  it('replays the first answer for the same body and answers 422 for another, across resources', async () => {
    const companyId = await aCompanyId();
    const issued = await aDraft(companyId);
    await api.post(`/v1/invoices/${issued.id}/stage`, { stage: 'VIEWED' });
    const lead = await api.post('/v1/leads', { title: 'Idem', contact: { firstName: 'I', lastName: `D${uniq()}`, email: `idem-${uniq()}@example.com` } });
    const cases: [string, unknown, unknown][] = [
      ['/v1/contacts', aContact({ email: `ic-${uniq()}@example.com` }), aContact({ email: `ic2-${uniq()}@example.com` })],
      ['/v1/products', aProduct(), aProduct({ name: 'Other' })],
      ['/v1/invoices', { companyId, currency: 'EUR', lines: [line()] }, { companyId, currency: 'EUR', lines: [line('1.00')] }],
      ['/v1/deals', { title: 'Idem', companyId, lines: [line()] }, { title: 'Idem 2', companyId, lines: [line()] }],
      ['/v1/quotes', { companyId, lines: [line()] }, { companyId, lines: [line('2.00')] }],
      [`/v1/invoices/${issued.id}/payments`, { amount: '1.00', date: dayOffset(0) }, { amount: '2.00', date: dayOffset(0) }],
      [`/v1/leads/${lead.body.id}/convert`, {}, { onDuplicate: 'create' }],
      [
        '/v1/automation/rules',
        { entity: 'invoice', stage: 'PAID', actions: [{ type: 'notify_responsible' }] },
        { entity: 'invoice', stage: 'CANCELLED', actions: [{ type: 'notify_responsible' }] },
      ],
    ];
    for (const [path, body, other] of cases) {
      const key = `k-${uniq()}`;
      const first = await api.post(path, body, { 'idempotency-key': key });
      expect(first.status, `${path} ${JSON.stringify(first.body)}`).toBeLessThan(300);
      const again = await api.post(path, body, { 'idempotency-key': key });
      expect(again.status, path).toBe(first.status);
      expect(again.body, path).toEqual(first.body);
      const changed = await api.post(path, other, { 'idempotency-key': key });
      expect(changed.status, `${path} ${JSON.stringify(changed.body)}`).toBe(422);
      expect(changed.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('more clients and lines', () => {
  it('convert: a contact matching by phone is a 409 candidate', async () => {
    const phone = `+3465${String(Date.now()).slice(-7)}`;
    const existing = await api.post('/v1/contacts', aContact({ email: `ph-${uniq()}@example.com`, phone }));
    const lead = await api.post('/v1/leads', { title: 'Phone', contact: { firstName: 'Phone', lastName: 'Match', phone } });
    const conflict = await api.post(`/v1/leads/${lead.body.id}/convert`, {});
    expectProblem(conflict, 409);
    expect(JSON.stringify(conflict.body.candidates)).toContain(existing.body.id);
  });

  it('a line with a productId takes its description, price and tax rate from the product', async () => {
    const product = await api.post('/v1/products', aProduct({ name: 'Widget', unitPrice: '20.00', taxRate: '10' }));
    const res = await api.post('/v1/invoices', { companyId: await aCompanyId(), currency: 'EUR', lines: [{ productId: product.body.id, quantity: '2' }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.lines[0]).toMatchObject({ productId: product.body.id, description: 'Widget', unitPrice: '20.00', taxRate: '10', netAmount: '40.00' });
  });
});

describe("another tenant's ids in a body", () => {
  it('answer exactly as missing ones do', async () => {
    const other = apiClient(url, (await makeTenant('Foreign Ids')).adminKey);
    const companyId = await aCompanyId();
    const contact = (await api.post('/v1/contacts', aContact({ email: `f-${uniq()}@example.com` }))).body;
    const deal = (await api.post('/v1/deals', { title: 'Mine', companyId, lines: [line()] })).body;
    const quote = (await api.post('/v1/quotes', { companyId, lines: [line()] })).body;
    const pairs: [string, (id: string) => unknown, string, string][] = [
      ['/v1/invoices', (id) => ({ companyId: id, currency: 'EUR', lines: [line()] }), companyId, 'cmp_01aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['/v1/invoices', (id) => ({ contactId: id, currency: 'EUR', lines: [line()] }), contact.id, 'con_01aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['/v1/invoices', (id) => ({ from: { dealId: id } }), deal.id, 'deal_01aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['/v1/invoices', (id) => ({ from: { quoteId: id } }), quote.id, 'quo_01aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['/v1/quotes', (id) => ({ companyId: id, lines: [line()] }), companyId, 'cmp_01aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['/v1/deals', (id) => ({ title: 'X', companyId: id, lines: [line()] }), companyId, 'cmp_01aaaaaaaaaaaaaaaaaaaaaaaa'],
      ['/v1/contacts', (id) => aContact({ email: `x-${uniq()}@example.com`, companyId: id }), companyId, 'cmp_01aaaaaaaaaaaaaaaaaaaaaaaa'],
    ];
    for (const [path, body, foreignId, missingId] of pairs) {
      const foreign = await other.post(path, body(foreignId));
      const missing = await other.post(path, body(missingId));
      expect(missing.status, `${path} ${JSON.stringify(missing.body)}`).toBeGreaterThanOrEqual(400);
      expect(foreign.status, `${path} ${JSON.stringify(foreign.body)}`).toBe(missing.status);
      expect(foreign.body.title).toBe(missing.body.title);
    }
  });

  it('contacts and products: GET, PATCH, DELETE by id', async () => {
    const contact = (await api.post('/v1/contacts', aContact({ email: `del-${uniq()}@example.com` }))).body;
    const product = (await api.post('/v1/products', aProduct())).body;
    for (const path of [`/v1/contacts/${contact.id}`, `/v1/products/${product.id}`]) {
      expect((await api.get(path)).status).toBe(200);
      expect([200, 204]).toContain((await api.del(path)).status);
      expectProblem(await api.get(path), 404);
    }
  });
});

describe('Idempotency-Key on the public accept', () => {
  it('replays the first answer to a retry with the same key and body (a JSON client; a browser form sends no key)', async () => {
    const companyId = await aCompanyId();
    const quote = (await api.post('/v1/quotes', { companyId, lines: [line()] })).body;
    const sent = (await api.post(`/v1/quotes/${quote.id}/send`, { delivery: 'none' })).body;
    const key = `k-${uniq()}`;
    const accept = () =>
      fetch(`${sent.publicUrl}/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ signerName: 'Ana Pérez', consent: true }),
      });
    const first = await accept();
    const again = await accept();
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
  });
});

describe('POST actions whose body is all optional', () => {
  it('take no body at all', async () => {
    const companyId = await aCompanyId();
    const invoice = await aDraft(companyId);
    const quote = (await api.post('/v1/quotes', { companyId, lines: [line()] })).body;
    const lead = (await api.post('/v1/leads', { title: 'Empty', contact: { firstName: 'E', lastName: `B${uniq()}`, email: `e-${uniq()}@example.com` } })).body;
    const template = (await api.get('/v1/templates')).body.data[0];
    for (const path of [
      `/v1/invoices/${invoice.id}/documents`,
      `/v1/quotes/${quote.id}/send`,
      `/v1/leads/${lead.id}/convert`,
      `/v1/templates/${template.id}/preview`,
    ]) {
      const res = await fetch(`${url()}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tenant.adminKey}` } });
      expect(res.status, `${path} ${await res.clone().text()}`).toBeLessThan(300);
    }
  });
});

describe('the events of this whole file', () => {
  it('come from crm.invoicing, each detail with tenantId and eventId; the listed detail-types carry their fields', async () => {
    await stack().settle();
    const received = stack().bus.received;
    expect(received.length).toBeGreaterThan(20);
    for (const e of received) {
      expect(e.source, e['detail-type']).toBe('crm.invoicing');
      expect(e.detail, e['detail-type']).toMatchObject({ tenantId: expect.any(String), eventId: expect.any(String) });
    }
    const types = new Set(received.map((e) => e['detail-type']));
    for (const t of [
      'invoice.created',
      'invoice.stage_changed',
      'invoice.paid',
      'document.created',
      'message.sent',
      'document.viewed',
      'quote.accepted',
      'payment.recorded',
    ]) {
      expect(types, t).toContain(t);
    }
    for (const e of received.filter((x) => x['detail-type'] === 'invoice.stage_changed')) {
      expect(e.detail).toMatchObject({
        invoiceId: expect.stringMatching(/^inv_/),
        from: expect.any(String),
        to: expect.any(String),
        version: expect.any(Number),
      });
    }
    for (const e of received.filter((x) => x['detail-type'] === 'message.sent')) {
      expect(e.detail).toMatchObject({ channel: expect.stringMatching(/^(email|sms)$/), to: expect.any(String), messageId: expect.any(String) });
    }
    for (const e of received.filter((x) => x['detail-type'] === 'document.viewed')) {
      expect(['link', 'email_open']).toContain(e.detail.via);
    }
  });
});

describe('the client locale', () => {
  it("a client's locale wins over the tenant's: the e-mail and the quote page speak it", async () => {
    const email = `es-${uniq()}@example.com`;
    const companyId = await aCompanyId({ email, locale: 'es' });
    const draft = await aDraft(companyId);
    expect((await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'SENT' })).status).toBe(200);
    const [mail] = await eventually(async () => {
      const m = await emailsTo(email);
      return m.length ? m : undefined;
    }, 'the Spanish e-mail');
    expect(mail.subject).toMatch(/^Factura /);
    const contact = await api.post('/v1/contacts', aContact({ email: `ro-${uniq()}@example.com`, locale: 'ro' }));
    const quote = await api.post('/v1/quotes', { contactId: contact.body.id, lines: [line()] });
    const sent = await api.post(`/v1/quotes/${quote.body.id}/send`, { delivery: 'none' });
    expect(await (await fetch(sent.body.publicUrl)).text()).toContain('<html lang="ro">');
    await stack().settle();
  });
});

describe("another tenant's objects on every route", () => {
  it('answer 404, as missing ones', async () => {
    const other = apiClient(url, (await makeTenant('Sweep')).adminKey);
    const companyId = await aCompanyId();
    const contact = (await api.post('/v1/contacts', aContact({ email: `sw-${uniq()}@example.com` }))).body;
    const product = (await api.post('/v1/products', aProduct())).body;
    const lead = (await api.post('/v1/leads', { title: 'Sweep', contact: { firstName: 'S', lastName: `W${uniq()}`, email: `swl-${uniq()}@example.com` } }))
      .body;
    const deal = (await api.post('/v1/deals', { title: 'Sweep', companyId, lines: [line()] })).body;
    const quote = (await api.post('/v1/quotes', { companyId, lines: [line()] })).body;
    const invoice = await aDraft(companyId);
    await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'VIEWED' });
    const doc = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
    const rule = (await api.get('/v1/automation/rules')).body.data[0];
    const template = (await api.post('/v1/templates', { name: 'Sweep', kind: 'invoice', source: '<html lang="{{locale}}"><body>{{kind}}</body></html>' })).body;
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/contacts/${contact.id}`],
      ['PATCH', `/v1/contacts/${contact.id}`, { firstName: 'X' }],
      ['DELETE', `/v1/contacts/${contact.id}`],
      ['DELETE', `/v1/companies/${companyId}`],
      ['GET', `/v1/products/${product.id}`],
      ['PATCH', `/v1/products/${product.id}`, { name: 'X' }],
      ['GET', `/v1/leads/${lead.id}`],
      ['POST', `/v1/leads/${lead.id}/convert`, {}],
      ['GET', `/v1/deals/${deal.id}`],
      ['PATCH', `/v1/deals/${deal.id}`, { title: 'X' }],
      ['GET', `/v1/quotes/${quote.id}`],
      ['POST', `/v1/quotes/${quote.id}/send`, {}],
      ['GET', `/v1/quotes/${quote.id}/documents`],
      ['PATCH', `/v1/invoices/${invoice.id}`, { notes: 'X' }],
      ['GET', `/v1/invoices/${invoice.id}/documents`],
      ['POST', `/v1/invoices/${invoice.id}/documents`, {}],
      ['GET', `/v1/invoices/${invoice.id}/timeline`],
      ['GET', `/v1/invoices/${invoice.id}/payments`],
      ['POST', `/v1/invoices/${invoice.id}/payments`, { amount: '1.00', date: dayOffset(0) }],
      ['POST', `/v1/invoices/${invoice.id}/send`, { channel: 'email' }],
      ['GET', `/v1/documents/${doc.id}`],
      ['GET', `/v1/automation/rules/${rule.id}`],
      ['PUT', `/v1/automation/rules/${rule.id}`, { entity: 'invoice', stage: 'SENT', actions: [{ type: 'notify_responsible' }] }],
      ['DELETE', `/v1/automation/rules/${rule.id}`],
      ['GET', `/v1/templates/${template.id}`],
      ['PUT', `/v1/templates/${template.id}`, { name: 'X', kind: 'invoice', source: '<html lang="{{locale}}"><body>x</body></html>' }],
      ['DELETE', `/v1/templates/${template.id}`],
      ['POST', `/v1/templates/${template.id}/preview`, {}],
    ];
    const wrong: string[] = [];
    for (const [method, path, body] of calls) {
      const res = await other.call(method, path, body);
      if (res.status !== 404) wrong.push(`${method} ${path} -> ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(wrong).toEqual([]);
    // and all of it is still there for its owner
    expect((await api.get(`/v1/templates/${template.id}`)).status).toBe(200);
    expect((await api.get(`/v1/automation/rules/${rule.id}`)).status).toBe(200);
    expect((await api.get(`/v1/contacts/${contact.id}`)).status).toBe(200);
  });
});

describe('roles', () => {
  it('a viewer reads but every write answers 403 problem+json', async () => {
    const viewer = apiClient(url, tenant.keys.viewer);
    const companyId = await aCompanyId();
    const invoice = await aDraft(companyId);
    const rule = (await api.get('/v1/automation/rules')).body.data[0];
    for (const path of ['/v1/companies', '/v1/invoices', `/v1/invoices/${invoice.id}`, '/v1/pipelines/invoice', '/v1/automation/rules', '/v1/templates']) {
      expect((await viewer.get(path)).status, path).toBe(200);
    }
    const writes: [string, string, unknown][] = [
      ['POST', '/v1/contacts', aContact()],
      ['PATCH', `/v1/companies/${companyId}`, { name: 'X' }],
      ['POST', '/v1/invoices', { companyId, currency: 'EUR', lines: [line()] }],
      ['POST', `/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' }],
      ['PATCH', `/v1/invoices/${invoice.id}`, { notes: 'x' }],
      ['PUT', '/v1/pipelines/invoice', (await api.get('/v1/pipelines/invoice')).body],
      ['PUT', `/v1/automation/rules/${rule.id}`, { entity: 'invoice', stage: 'SENT', actions: [{ type: 'notify_responsible' }] }],
      ['POST', '/v1/templates', { name: 'X', kind: 'invoice', source: 'x' }],
    ];
    for (const [method, path, body] of writes) {
      const res = await viewer.call(method, path, body);
      expectProblem(res, 403);
    }
  });
});

describe('version on every PATCH and stage move', () => {
  it('a stale If-Match answers 409 problem+json and changes nothing', async () => {
    const companyId = await aCompanyId();
    const objects: [string, any, unknown][] = [
      ['/v1/contacts', (await api.post('/v1/contacts', aContact({ email: `v-${uniq()}@example.com` }))).body, { firstName: 'Changed' }],
      ['/v1/products', (await api.post('/v1/products', aProduct())).body, { name: 'Changed' }],
      [
        '/v1/leads',
        (await api.post('/v1/leads', { title: 'V', contact: { firstName: 'V', lastName: 'W', email: `vl-${uniq()}@example.com` } })).body,
        { title: 'Changed' },
      ],
      ['/v1/deals', (await api.post('/v1/deals', { title: 'V', companyId, lines: [line()] })).body, { title: 'Changed' }],
      ['/v1/quotes', (await api.post('/v1/quotes', { companyId, lines: [line()] })).body, { notes: 'Changed' }],
    ];
    for (const [base, obj, patch] of objects) {
      const path = `${base}/${obj.id}`;
      const ok = await api.patch(path, patch, { 'if-match': String(obj.version) });
      expect(ok.status, `${path} ${JSON.stringify(ok.body)}`).toBe(200);
      expect(ok.body.version, path).toBeGreaterThan(obj.version);
      expectProblem(await api.patch(path, { ...(patch as object) }, { 'if-match': String(obj.version) }), 409);
    }
    const deal = objects[3][1];
    const fresh = (await api.get(`/v1/deals/${deal.id}`)).body;
    expectProblem(await api.post(`/v1/deals/${deal.id}/stage`, { stage: 'PREPARATION' }, { 'if-match': String(deal.version) }), 409);
    const moved = await api.post(`/v1/deals/${deal.id}/stage`, { stage: 'PREPARATION' }, { 'if-match': String(fresh.version) });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  });
});
