import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aContact, aDeal, aLine } from '../fixtures/builders';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;

let api: ApiClient;
let otherApi: ApiClient;
let company: { id: string };
let contact: { id: string };

beforeAll(async () => {
  const acme = await makeTenant('Acme');
  const other = await makeTenant('Other');
  api = apiClient(url, acme.adminKey);
  otherApi = apiClient(url, other.adminKey);
  company = (await api.post('/v1/companies', aCompany())).body;
  contact = (await api.post('/v1/contacts', aContact({ companyId: company.id }))).body;
});

describe('deals', () => {
  it('computes line net amounts, totals and the amount from the lines (VAT per rate on the sum, withholding)', async () => {
    // Prepare
    const lines = [
      aLine({ quantity: '3', unitPrice: '33.335', taxRate: '21' }), // 100.005 -> 100.01
      aLine({ description: 'Licence', quantity: '1', unitPrice: '200', taxRate: '21', discountPercent: '10' }), // 180.00
      aLine({ description: 'Book', quantity: '2', unitPrice: '9.99', taxRate: '4', withholdingRate: '15' }), // 19.98
    ];

    // Act
    const res = await api.post('/v1/deals', aDeal({ companyId: company.id, contactId: contact.id, lines, responsibleUserId: 'usr_sales1' }));

    // Assess
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^deal_[0-9a-z]{26}$/);
    expect(res.body.lines.map((l: { netAmount: string }) => l.netAmount)).toEqual(['100.01', '180.00', '19.98']);
    expect(res.body.totals).toEqual({
      net: '299.99',
      tax: '59.60', // 21 % of 280.01 = 58.80 (58.8021), 4 % of 19.98 = 0.80 (0.7992)
      withholding: '3.00', // 15 % of 19.98 = 2.997
      total: '356.59',
      taxBreakdown: [
        { rate: '21', base: '280.01', amount: '58.80' },
        { rate: '4', base: '19.98', amount: '0.80' },
      ],
      withholdingBreakdown: [{ rate: '15', base: '19.98', amount: '3.00' }],
    });
    expect(res.body).toMatchObject({
      amount: '356.59',
      currency: 'EUR',
      stage: 'NEW',
      status: 'open',
      companyId: company.id,
      contactId: contact.id,
      responsibleUserId: 'usr_sales1',
      version: 1,
    });
  });

  it('re-prices on PATCH of the lines, clears a client with null, and refuses a stale version', async () => {
    const deal = (await api.post('/v1/deals', aDeal({ companyId: company.id, contactId: contact.id }))).body;

    const patched = await api.patch(`/v1/deals/${deal.id}`, { lines: [aLine({ quantity: '2', unitPrice: '50' })], contactId: null }, { 'if-match': '1' });
    const stale = await api.patch(`/v1/deals/${deal.id}`, { title: 'x', version: 1 });

    expect(deal.amount).toBe('1149.50');
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ amount: '121.00', version: 2, companyId: company.id });
    expect(patched.body).not.toHaveProperty('contactId');
    expect(stale.status).toBe(409);
  });

  it('refuses CONTRACT_SIGNED with 422 listing every missing field, then moves once they are there, and WON is final', async () => {
    // Prepare: no contract number, no lines
    const deal = (await api.post('/v1/deals', aDeal({ lines: [] }))).body;

    // Act
    const refused = await api.post(`/v1/deals/${deal.id}/stage`, { stage: 'CONTRACT_SIGNED' });
    await api.patch(`/v1/deals/${deal.id}`, { contractNumber: 'C-2026-17', lines: [aLine()] });
    const signed = await api.post(`/v1/deals/${deal.id}/stage`, { stage: 'CONTRACT_SIGNED', version: 2 });
    const won = await api.post(`/v1/deals/${deal.id}/stage`, { stage: 'WON' });
    const afterWon = await api.post(`/v1/deals/${deal.id}/stage`, { stage: 'NEW' });
    const editWon = await api.patch(`/v1/deals/${deal.id}`, { title: 'x' });

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      { field: 'contractNumber', message: 'contract number is required' },
      { field: 'lines', message: 'at least one line is required' },
    ]);
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ stage: 'CONTRACT_SIGNED', status: 'open', version: 3 });
    expect(won.body).toMatchObject({ stage: 'WON', status: 'won' });
    expect(won.body.closedAt).toEqual(expect.any(String));
    expect([afterWon.status, editWon.status]).toEqual([409, 409]);
  });

  it('refuses clearing the lines of a deal whose stage requires them', async () => {
    const deal = (await api.post('/v1/deals', aDeal({ stage: 'CONTRACT_SIGNED', contractNumber: 'C-1' }))).body;

    const res = await api.patch(`/v1/deals/${deal.id}`, { lines: [] });

    expect(deal.stage).toBe('CONTRACT_SIGNED');
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'lines', message: 'at least one line is required' }]);
  });

  it('lists deals by company, contact and stage through their indexes, newest first', async () => {
    const tenant = await makeTenant('Lister');
    const client = apiClient(url, tenant.adminKey);
    const c1 = (await client.post('/v1/companies', aCompany())).body;
    const c2 = (await client.post('/v1/companies', aCompany({ name: 'Other' }))).body;
    const p1 = (await client.post('/v1/contacts', aContact())).body;
    const d1 = (await client.post('/v1/deals', aDeal({ companyId: c1.id, contactId: p1.id }))).body;
    const d2 = (await client.post('/v1/deals', aDeal({ companyId: c2.id }))).body;
    const d3 = (await client.post('/v1/deals', aDeal({ companyId: c1.id }))).body;
    await client.post(`/v1/deals/${d3.id}/stage`, { stage: 'PREPARATION' });

    const ids = async (q: string) => (await client.get(`/v1/deals${q}`)).body.data.map((d: { id: string }) => d.id);

    expect(await ids('')).toEqual([d3.id, d2.id, d1.id]);
    expect(await ids(`?companyId=${c1.id}`)).toEqual([d3.id, d1.id]);
    expect(await ids(`?contactId=${p1.id}`)).toEqual([d1.id]);
    expect(await ids('?stage=PREPARATION')).toEqual([d3.id]);
    expect(await ids(`?companyId=${c1.id}&stage=NEW`)).toEqual([d1.id]);
  });

  it('refuses links to clients that do not exist or belong to another tenant, and bad lines', async () => {
    const foreign = (await otherApi.post('/v1/companies', aCompany())).body;

    const missing = await api.post('/v1/deals', aDeal({ companyId: foreign.id, contactId: `con_${'0'.repeat(26)}` }));
    const badLine = await api.post('/v1/deals', aDeal({ lines: [aLine({ unitPrice: '-5' })] }));
    const badCurrency = await api.post('/v1/deals', aDeal({ currency: 'XXX' }));
    const amountGiven = await api.post('/v1/deals', aDeal({ amount: '1.00' }));

    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([
      { field: 'companyId', message: 'no such company' },
      { field: 'contactId', message: 'no such contact' },
    ]);
    expect(badLine.status).toBe(400);
    expect(badLine.body.errors[0].field).toBe('lines[0].unitPrice');
    expect(badCurrency.status).toBe(422);
    expect(badCurrency.body.errors[0].field).toBe('currency');
    expect(amountGiven.status).toBe(400);
    expect(amountGiven.body.errors[0].field).toBe('amount');
  });

  it("answers 404 for another tenant's deal on every route", async () => {
    const deal = (await api.post('/v1/deals', aDeal())).body;

    const results = await Promise.all([
      otherApi.get(`/v1/deals/${deal.id}`),
      otherApi.patch(`/v1/deals/${deal.id}`, { title: 'x' }),
      otherApi.post(`/v1/deals/${deal.id}/stage`, { stage: 'PREPARATION' }),
      otherApi.post('/v1/quotes', { dealId: deal.id }),
      otherApi.del(`/v1/deals/${deal.id}`),
    ]);

    expect(results.map((r) => r.status)).toEqual([404, 404, 404, 422, 404]);
    expect(results[3].body.errors).toEqual([{ field: 'dealId', message: 'no such deal' }]);
    expect((await api.get(`/v1/deals/${deal.id}`)).body).toEqual(deal);
    expect((await api.del(`/v1/deals/${deal.id}`)).status).toBe(204);
  });

  it("uses the tenant's own deal pipeline once saved (GET|PUT /v1/pipelines/deal)", async () => {
    const tenant = await makeTenant('DealPipeline');
    const admin = apiClient(url, tenant.adminKey);
    const stages = [
      { id: 'NEW', name: 'New', kind: 'open', requiredFields: [] },
      { id: 'INVOICING', name: 'Invoicing', kind: 'open', requiredFields: ['lines', 'companyId', 'responsibleUserId'] },
      { id: 'WON', name: 'Won', kind: 'success', requiredFields: [] },
    ];

    const saved = await admin.put('/v1/pipelines/deal', { stages, version: 0 });
    const deal = (await admin.post('/v1/deals', aDeal({ lines: [] }))).body;
    const refused = await admin.post(`/v1/deals/${deal.id}/stage`, { stage: 'INVOICING' });
    const stale = await admin.put('/v1/pipelines/deal', { stages, version: 0 });

    expect(saved.body.version).toBe(1);
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['lines', 'companyId', 'responsibleUserId']);
    expect(stale.status).toBe(409);
  });
});
