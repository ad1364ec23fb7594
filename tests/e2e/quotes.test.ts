import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aContact, aDeal, aLine } from '../fixtures/builders';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;

let acme: TestTenant;
let api: ApiClient;
let otherApi: ApiClient;
let company: { id: string; name: string };
let contact: { id: string };

const year = new Date().toISOString().slice(0, 4);
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  acme = await makeTenant('Acme');
  const other = await makeTenant('Other');
  api = apiClient(url, acme.adminKey);
  otherApi = apiClient(url, other.adminKey);
  company = (await api.post('/v1/companies', aCompany())).body;
  contact = (await api.post('/v1/contacts', aContact({ companyId: company.id }))).body;
});

describe('quotes', () => {
  it('copies client, lines, totals, currency and responsible user from a deal given { dealId } alone', async () => {
    // Prepare
    const lines = [aLine(), aLine({ description: 'Licence', quantity: '1', unitPrice: '480.00', taxRate: '10', discountPercent: '5' })];
    const deal = (await api.post('/v1/deals', aDeal({ companyId: company.id, contactId: contact.id, lines, currency: 'EUR', responsibleUserId: 'usr_sales1' })))
      .body;

    // Act
    const res = await api.post('/v1/quotes', { dealId: deal.id });

    // Assess
    expect(res.status).toBe(201);
    const quote = res.body;
    expect(quote.id).toMatch(/^quo_[0-9a-z]{26}$/);
    expect(quote).toMatchObject({
      number: null,
      series: 'quote',
      status: 'draft',
      dealId: deal.id,
      companyId: company.id,
      contactId: contact.id,
      currency: 'EUR',
      responsibleUserId: 'usr_sales1',
      version: 1,
    });
    expect(quote.lines).toEqual(deal.lines);
    expect(quote.totals).toEqual(deal.totals);
    expect(quote.totals.total).toBe('1651.10'); // 950 + 21 % = 1149.50; 456 + 10 % = 501.60
    expect(quote.client).toEqual({
      kind: 'company',
      id: company.id,
      name: 'Acme Iberia',
      legalName: 'Acme Iberia S.L.',
      legalForm: 'S.L.',
      taxId: 'B12345674',
      email: 'billing@acme.example',
      phone: '+34 600 123 456',
      phoneE164: '+34600123456',
      address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
      contactId: contact.id,
      contactName: 'Lucía Fernández',
    });
    expect(quote).not.toHaveProperty('publicUrl');
  });

  it("lets given fields win over the deal's, and quotes a contact directly", async () => {
    const deal = (await api.post('/v1/deals', aDeal({ companyId: company.id }))).body;

    const res = await api.post('/v1/quotes', {
      dealId: deal.id,
      contactId: contact.id,
      lines: [aLine({ quantity: '1' })],
      currency: 'USD',
      validUntil: dayOffset(10),
      notes: 'Valid for ten days',
    });

    expect(res.status).toBe(201);
    expect(res.body.client).toMatchObject({ kind: 'contact', id: contact.id, name: 'Lucía Fernández', email: 'lucia@example.com' });
    expect(res.body).not.toHaveProperty('companyId');
    expect(res.body).toMatchObject({ currency: 'USD', validUntil: dayOffset(10), notes: 'Valid for ten days', dealId: deal.id });
    expect(res.body.totals.total).toBe('114.95');
  });

  it('needs a client, an existing deal, and a validity date not in the past (422)', async () => {
    const dealWithoutClient = (await api.post('/v1/deals', aDeal())).body;
    const cases: [unknown, string][] = [
      [{ lines: [aLine()] }, 'companyId'],
      [{ dealId: dealWithoutClient.id }, 'companyId'],
      [{ dealId: `deal_${'0'.repeat(26)}` }, 'dealId'],
      [{ contactId: contact.id, validUntil: dayOffset(-1) }, 'validUntil'],
      [{ companyId: `cmp_${'0'.repeat(26)}` }, 'companyId'],
    ];
    for (const [body, field] of cases) {
      const res = await api.post('/v1/quotes', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
  });

  it('edits drafts only: PATCH re-prices and re-snapshots, a sent quote answers 409', async () => {
    const quote = (await api.post('/v1/quotes', { contactId: contact.id, lines: [aLine()] })).body;

    const patched = await api.patch(`/v1/quotes/${quote.id}`, { companyId: company.id, lines: [aLine({ quantity: '2' })] }, { 'if-match': '1' });
    await api.post(`/v1/quotes/${quote.id}/send`, {});
    const afterSend = await api.patch(`/v1/quotes/${quote.id}`, { notes: 'x' });
    const deleteSent = await api.del(`/v1/quotes/${quote.id}`);

    expect(patched.status).toBe(200);
    expect(patched.body.client).toMatchObject({ kind: 'company', id: company.id, contactName: 'Lucía Fernández' });
    expect(patched.body.totals.total).toBe('229.90');
    expect(afterSend.status).toBe(409);
    expect(deleteSent.status).toBe(409);
  });

  it('refuses to send a quote without lines (422)', async () => {
    const quote = (await api.post('/v1/quotes', { contactId: contact.id })).body;

    const res = await api.post(`/v1/quotes/${quote.id}/send`, {});

    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'lines', message: 'at least one line is required' }]);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body).toMatchObject({ status: 'draft', number: null, version: 1 });
  });
});

describe('sending quotes', () => {
  it('numbers quotes from their own series on first send, QUO-YYYY-000001, 000002, ...; a resend keeps the number', async () => {
    // Prepare
    const tenant = await makeTenant('Numbers');
    const client = apiClient(url, tenant.adminKey);
    const person = (await client.post('/v1/contacts', aContact())).body;
    const quotes = [];
    for (let i = 0; i < 3; i++) quotes.push((await client.post('/v1/quotes', { contactId: person.id, lines: [aLine()] })).body);

    // Act
    const first = await client.post(`/v1/quotes/${quotes[1].id}/send`, {}, { 'if-match': '1' });
    const second = await client.post(`/v1/quotes/${quotes[0].id}/send`, { to: 'buyer@example.com' });
    const resend = await client.post(`/v1/quotes/${quotes[1].id}/send`, {});
    const third = await client.post(`/v1/quotes/${quotes[2].id}/send`, {});

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ number: `QUO-${year}-000001`, status: 'sent', issueDate: dayOffset(0), sendCount: 1, version: 2 });
    expect(first.body.validUntil).toBe(dayOffset(30));
    expect(first.body.publicUrl).toMatch(new RegExp(`^${url()}/p/[A-Za-z0-9_-]{32}$`));
    expect(second.body.number).toBe(`QUO-${year}-000002`);
    expect(resend.body).toMatchObject({ number: `QUO-${year}-000001`, sendCount: 2, version: 3, publicUrl: first.body.publicUrl });
    expect(third.body.number).toBe(`QUO-${year}-000003`);

    // the public link resolves to the quote without a tenant
    const { service } = await import('../../functions/shared/wiring/core');
    const token = first.body.publicUrl.split('/p/')[1];
    const { PublicLink } = await import('../../functions/domain/documents');
    const link = await service()
      .entities.publicLink.get({ id: PublicLink.idOf(token) })
      .go();
    expect(link.data).toMatchObject({ tenantId: tenant.tenantId, subjectType: 'quote', subjectId: quotes[1].id });

    // quote.sent events left through the outbox
    await stack().settle();
    const sent = stack().bus.received.filter((e) => e['detail-type'] === 'quote.sent' && e.detail.tenantId === tenant.tenantId);
    expect(sent.map((e) => [e.detail.number, e.detail.resend])).toEqual([
      [`QUO-${year}-000001`, false],
      [`QUO-${year}-000002`, false],
      [`QUO-${year}-000001`, true],
      [`QUO-${year}-000003`, false],
    ]);
    expect(sent[1].detail.to).toBe('buyer@example.com');
    expect(JSON.stringify(sent)).not.toContain(token);
  });

  it('gives concurrent first sends distinct numbers without gaps', async () => {
    const tenant = await makeTenant('Race');
    const client = apiClient(url, tenant.adminKey);
    const person = (await client.post('/v1/contacts', aContact())).body;
    const quotes = await Promise.all(Array.from({ length: 6 }, () => client.post('/v1/quotes', { contactId: person.id, lines: [aLine()] })));

    const sent = await Promise.all(quotes.map((q) => client.post(`/v1/quotes/${q.body.id}/send`, {})));

    expect(sent.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(sent.map((s) => s.body.number).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `QUO-${year}-00000${n}`));
  });

  it('reads a quote past its validity as expired, and refuses to send it (409)', async () => {
    // Prepare: a sent quote whose validity ended yesterday (set directly in the table: the API refuses past dates)
    const quote = (await api.post('/v1/quotes', { contactId: contact.id, lines: [aLine()] })).body;
    const sent = (await api.post(`/v1/quotes/${quote.id}/send`, {})).body;
    const { sales: crm } = await import('../../functions/shared/wiring/sales');
    await crm().quotes.update(acme.tenantId, quote.id, { validUntil: dayOffset(-1) }, sent.version);

    // Act
    const read = await api.get(`/v1/quotes/${quote.id}`);
    const resend = await api.post(`/v1/quotes/${quote.id}/send`, {});
    const source = await crm().loadQuoteAsInvoiceSource(acme.tenantId, quote.id);

    // Assess
    expect(read.body.status).toBe('expired');
    expect(resend.status).toBe(409);
    expect(resend.body.detail).toMatch(/expired/);
    expect(source.sourceStatus).toBe('expired');
  });

  it('records a decline of a sent quote; a declined quote cannot be sent again', async () => {
    const quote = (await api.post('/v1/quotes', { contactId: contact.id, lines: [aLine()] })).body;

    const draftDecline = await api.post(`/v1/quotes/${quote.id}/decline`, {});
    await api.post(`/v1/quotes/${quote.id}/send`, {});
    const declined = await api.post(`/v1/quotes/${quote.id}/decline`, {});
    const send = await api.post(`/v1/quotes/${quote.id}/send`, {});

    expect(draftDecline.status).toBe(409);
    expect(declined.body).toMatchObject({ status: 'declined', declinedAt: expect.any(String) });
    expect(send.status).toBe(409);
  });
});

describe('quotes and deals as invoice sources', () => {
  it('loads a deal and a quote as what an invoice copies', async () => {
    const { sales: crm } = await import('../../functions/shared/wiring/sales');
    const deal = (await api.post('/v1/deals', aDeal({ companyId: company.id, contactId: contact.id, responsibleUserId: 'usr_sales1' }))).body;
    const quote = (await api.post('/v1/quotes', { dealId: deal.id, notes: 'Thanks' })).body;

    const fromDeal = await crm().loadDealAsInvoiceSource(acme.tenantId, deal.id);
    const fromQuote = await crm().loadQuoteAsInvoiceSource(acme.tenantId, quote.id);

    expect(fromDeal).toMatchObject({
      sourceType: 'deal',
      sourceId: deal.id,
      dealId: deal.id,
      companyId: company.id,
      contactId: contact.id,
      currency: 'EUR',
      responsibleUserId: 'usr_sales1',
      totals: deal.totals,
      version: 1,
      client: { kind: 'company', id: company.id, contactName: 'Lucía Fernández' },
    });
    expect(fromDeal.lines).toEqual([aLine()]);
    expect(fromQuote).toMatchObject({
      sourceType: 'quote',
      sourceId: quote.id,
      quoteId: quote.id,
      dealId: deal.id,
      client: quote.client,
      totals: quote.totals,
      currency: 'EUR',
      responsibleUserId: 'usr_sales1',
      notes: 'Thanks',
      sourceStatus: 'draft',
    });
    expect(fromQuote.lines).toEqual([aLine()]);
    await expect(crm().loadDealAsInvoiceSource('ten_other', deal.id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(crm().loadQuoteAsInvoiceSource('ten_other', quote.id)).rejects.toMatchObject({ kind: 'not_found' });
    expect(await crm().loadInvoiceSource(acme.tenantId, { quoteId: quote.id })).toEqual(fromQuote);
    expect(await crm().loadInvoiceSource('ten_other', { dealId: deal.id })).toBeNull();
  });
});

describe('tenant isolation', () => {
  it("answers 404 for another tenant's quote on every route and lists none of it", async () => {
    const quote = (await api.post('/v1/quotes', { contactId: contact.id, lines: [aLine()] })).body;

    const results = await Promise.all([
      otherApi.get(`/v1/quotes/${quote.id}`),
      otherApi.patch(`/v1/quotes/${quote.id}`, { notes: 'x' }),
      otherApi.post(`/v1/quotes/${quote.id}/send`, {}),
      otherApi.post(`/v1/quotes/${quote.id}/decline`, {}),
      otherApi.del(`/v1/quotes/${quote.id}`),
    ]);
    const foreignClient = await otherApi.post('/v1/quotes', { contactId: contact.id, lines: [aLine()] });

    expect(results.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect(foreignClient.status).toBe(422);
    expect((await otherApi.get(`/v1/quotes?clientId=${contact.id}`)).body.data).toEqual([]);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body).toEqual(quote);
  });

  it("lists a tenant's quotes by deal and by client", async () => {
    const deal = (await api.post('/v1/deals', aDeal({ companyId: company.id }))).body;
    const q1 = (await api.post('/v1/quotes', { dealId: deal.id })).body;
    const q2 = (await api.post('/v1/quotes', { dealId: deal.id, contactId: contact.id })).body;

    const byDeal = await api.get(`/v1/quotes?dealId=${deal.id}`);
    const byCompany = await api.get(`/v1/quotes?clientId=${company.id}&limit=100`);

    expect(byDeal.body.data.map((q: { id: string }) => q.id)).toEqual([q2.id, q1.id]);
    expect(byCompany.body.data.map((q: { id: string }) => q.id)).toContain(q1.id);
    expect(byCompany.body.data.map((q: { id: string }) => q.id)).not.toContain(q2.id);
  });
});
