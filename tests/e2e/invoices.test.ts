import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aContact, aProduct } from '../fixtures/builders';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;

let tenant: TestTenant;
let api: ApiClient;
let manager: ApiClient;

const todayUtc = () => new Date().toISOString().slice(0, 10);
const year = () => todayUtc().slice(0, 4);
const aLine = (overrides: Record<string, unknown> = {}) => ({ description: 'Consulting', quantity: '2', unitPrice: '100.00', taxRate: '21', ...overrides });

async function company(client: ApiClient, overrides: Record<string, unknown> = {}) {
  const res = await client.post('/v1/companies', aCompany(overrides));
  expect(res.status).toBe(201);
  return res.body;
}

/** A draft that has everything SENT requires. */
async function sendableDraft(client: ApiClient, companyId: string, overrides: Record<string, unknown> = {}) {
  const res = await client.post('/v1/invoices', { companyId, currency: 'EUR', lines: [aLine()], dueDate: '2030-01-31', ...overrides });
  expect(res.status).toBe(201);
  return res.body;
}

async function allPages(client: ApiClient, query: string, limit: number): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  let guard = 0;
  do {
    const sep = query ? '&' : '';
    const res: { status: number; body: any } = await client.get(
      `/v1/invoices?${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.data);
    cursor = res.body.nextCursor;
    expect(++guard).toBeLessThan(200);
  } while (cursor);
  return items;
}

beforeAll(async () => {
  tenant = await makeTenant('Invoicer');
  api = apiClient(url, tenant.adminKey);
  manager = apiClient(url, tenant.keys.manager);
});

describe('creating invoices', () => {
  it('creates one from scratch for a company, with the client snapshot and exact totals', async () => {
    // Prepare
    const acme = await company(api);

    // Act
    const created = await api.post('/v1/invoices', {
      companyId: acme.id,
      currency: 'EUR',
      lines: [
        aLine({ quantity: '3', unitPrice: '33.3333', discountPercent: '10' }),
        aLine({ description: 'Books', quantity: '1.5', unitPrice: '20', taxRate: '4', withholdingRate: '15' }),
      ],
      dueDate: '2030-02-28',
      notes: 'Thanks!',
    });
    await api.patch(`/v1/companies/${acme.id}`, { email: 'new@acme.example' });
    const fetched = await api.get(`/v1/invoices/${created.body.id}`);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^inv_[0-9a-z]{26}$/);
    expect(created.body).toMatchObject({
      number: null,
      series: 'invoice',
      type: 'invoice',
      stage: 'NEW',
      status: 'draft',
      issueDate: null,
      dueDate: '2030-02-28',
      currency: 'EUR',
      notes: 'Thanks!',
      version: 1,
      client: {
        kind: 'company',
        id: acme.id,
        name: 'Acme Iberia',
        legalName: 'Acme Iberia S.L.',
        taxId: 'B12345674',
        email: 'billing@acme.example',
        address: acme.address,
      },
      totals: {
        net: '120.00',
        tax: '20.10',
        withholding: '4.50',
        total: '135.60',
        taxBreakdown: [
          { rate: '21', base: '90.00', amount: '18.90' },
          { rate: '4', base: '30.00', amount: '1.20' },
        ],
      },
    });
    expect(created.body.lines.map((l: { netAmount: string }) => l.netAmount)).toEqual(['90.00', '30.00']);
    expect(created.body).not.toHaveProperty('tenantId');
    expect(fetched.body).toEqual(created.body);
  });

  it('creates one for a contact, and one from a company (client only)', async () => {
    const contact = (await api.post('/v1/contacts', aContact())).body;
    const acme = await company(api, { responsibleUserId: 'usr_sales' });

    const forContact = await api.post('/v1/invoices', { contactId: contact.id, currency: 'EUR', lines: [aLine()] });
    const fromCompany = await api.post('/v1/invoices', { from: { companyId: acme.id } });

    expect(forContact.status).toBe(201);
    expect(forContact.body.client).toEqual({
      kind: 'contact',
      id: contact.id,
      name: 'Lucía Fernández',
      email: 'lucia@example.com',
      phone: '+34 611 222 333',
      phoneE164: '+34611222333',
      taxId: '12345678Z',
      address: { line1: 'Calle Luna 3', city: 'Valencia', postalCode: '46001', country: 'ES' },
    });
    expect(fromCompany.status).toBe(201);
    expect(fromCompany.body).toMatchObject({
      lines: [],
      currency: 'EUR',
      source: { type: 'company', id: acme.id },
      client: { id: acme.id },
      responsibleUserId: 'usr_sales',
      totals: { total: '0.00' },
    });
  });

  it('computes yen and Kuwaiti dinar invoices in their minor units, and copies lines from products', async () => {
    const acme = await company(api);
    const product = (await api.post('/v1/products', aProduct({ unitPrice: '95.5', currency: 'KWD', taxRate: '5' }))).body;

    const yen = await api.post('/v1/invoices', { companyId: acme.id, currency: 'JPY', lines: [aLine({ quantity: '3', unitPrice: '333.5', taxRate: '10' })] });
    const dinar = await api.post('/v1/invoices', { companyId: acme.id, currency: 'KWD', lines: [{ productId: product.id, quantity: '1.25' }] });

    expect(yen.body.totals).toMatchObject({ net: '1001', tax: '100', total: '1101' });
    expect(dinar.body.lines[0]).toEqual({
      productId: product.id,
      description: 'Consulting hour',
      quantity: '1.25',
      unitPrice: '95.5',
      taxRate: '5',
      unit: 'h',
      netAmount: '119.375',
    });
    expect(dinar.body.totals).toMatchObject({ net: '119.375', tax: '5.969', total: '125.344' });
  });

  it.each([
    ['an unknown company', { companyId: `cmp_${'0'.repeat(26)}`, currency: 'EUR' }, 422, [{ field: 'companyId', message: 'no such company' }]],
    [
      'an unknown product',
      { currency: 'EUR', lines: [{ productId: `prd_${'0'.repeat(26)}`, quantity: '1' }] },
      422,
      [{ field: 'lines[0].productId', message: 'no such product' }],
    ],
    ['an unknown deal', { from: { dealId: `deal_${'0'.repeat(26)}` } }, 422, [{ field: 'from.dealId', message: 'no such deal' }]],
    ['an unknown currency', { currency: 'XXY', lines: [aLine()] }, 422, [{ field: 'currency', message: 'currency must be an ISO 4217 code, e.g. "EUR"' }]],
    [
      'a line without price',
      { currency: 'EUR', lines: [{ description: 'x', quantity: '1', taxRate: '21' }] },
      400,
      [{ field: 'lines[0].unitPrice', message: 'required without a productId' }],
    ],
    ['a float amount', { currency: 'EUR', lines: [aLine({ unitPrice: 10.5 })] }, 400, [{ field: 'lines[0].unitPrice', message: expect.any(String) }]],
    ['from mixed with lines', { from: { companyId: `cmp_${'0'.repeat(26)}` }, lines: [] }, 400, [{ field: 'lines', message: expect.any(String) }]],
    ['a server-owned field', { currency: 'EUR', number: 'INV-1' }, 400, [{ field: 'number', message: 'unknown field' }]],
  ])('refuses %s', async (_name, body, status, errors) => {
    const before = (await allPages(api, '', 100)).length;

    const res = await api.post('/v1/invoices', body);

    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors).toEqual(errors);
    expect((await allPages(api, '', 100)).length).toBe(before);
  });

  it('replays an Idempotency-Key: same body, same invoice and nothing new; other body, 422', async () => {
    const acme = await company(api);
    const body = { companyId: acme.id, currency: 'EUR', lines: [aLine()] };
    const key = { 'idempotency-key': `inv-${Date.now()}` };
    const before = (await allPages(api, `clientId=${acme.id}`, 100)).length;

    const first = await api.post('/v1/invoices', body, key);
    const replay = await api.post('/v1/invoices', body, key);
    const other = await api.post('/v1/invoices', { ...body, notes: 'changed' }, key);

    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([{ field: 'Idempotency-Key', message: 'already used with a different body' }]);
    expect((await allPages(api, `clientId=${acme.id}`, 100)).length).toBe(before + 1);
  });
});

describe('tenants and roles', () => {
  it('answers 404 to another tenant on every invoice route, and lists none of its invoices', async () => {
    const acme = await company(api);
    const draft = await sendableDraft(api, acme.id);
    const stranger = apiClient(url, (await makeTenant('Stranger')).adminKey);

    const answers = await Promise.all([
      stranger.get(`/v1/invoices/${draft.id}`),
      stranger.patch(`/v1/invoices/${draft.id}`, { notes: 'x' }),
      stranger.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' }),
      stranger.get(`/v1/invoices/${draft.id}/timeline`),
    ]);
    const listed = await allPages(stranger, '', 100);
    const fromForeignClient = await stranger.post('/v1/invoices', { companyId: acme.id, currency: 'EUR' });

    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    expect(listed).toEqual([]);
    expect(fromForeignClient.status).toBe(422);
    expect((await api.get(`/v1/invoices/${draft.id}`)).body).toEqual(draft);
  });

  it.each([
    ['viewer', 'POST', 403],
    ['viewer', 'GET', 200],
    ['accountant', 'POST', 201],
    ['manager', 'POST', 201],
  ] as const)('%s: %s /v1/invoices -> %i', async (role, method, status) => {
    const client = apiClient(url, tenant.keys[role]);
    const res = await client.call(method, '/v1/invoices', method === 'POST' ? { currency: 'EUR' } : undefined);
    expect(res.status).toBe(status);
  });
});

describe('editing', () => {
  it('edits a draft, refuses a stale version, and freezes an issued invoice', async () => {
    // Prepare
    const acme = await company(api);
    const draft = await sendableDraft(api, acme.id);

    // Act
    const edited = await api.patch(`/v1/invoices/${draft.id}`, { lines: [aLine({ quantity: '1' })], notes: 'edited' }, { 'if-match': '1' });
    const stale = await api.patch(`/v1/invoices/${draft.id}`, { notes: 'late' }, { 'if-match': '1' });
    const staleBody = await api.patch(`/v1/invoices/${draft.id}`, { notes: 'late', version: 1 });
    const issued = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    const frozen = await api.patch(`/v1/invoices/${draft.id}`, { lines: [aLine()], companyId: acme.id });
    const dueDateMoved = await api.patch(`/v1/invoices/${draft.id}`, { dueDate: '2030-03-31' });

    // Assess
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, notes: 'edited', totals: { total: '121.00' } });
    expect([stale.status, staleBody.status]).toEqual([409, 409]);
    expect(stale.body.errors).toEqual([{ field: 'version', message: 'expected 2' }]);
    expect(issued.status).toBe(200);
    expect(frozen.status).toBe(409);
    expect(frozen.body.detail).toMatch(/^issued invoices cannot be edited; issue a credit note/);
    expect(frozen.body.errors.map((e: { field: string }) => e.field)).toEqual(['companyId', 'lines']);
    expect(dueDateMoved.status).toBe(200);
    expect(dueDateMoved.body).toMatchObject({ dueDate: '2030-03-31', totals: { total: '121.00' }, version: 4 });
  });
});

describe('stages and numbering', () => {
  it('answers 422 listing every field SENT requires, and writes nothing', async () => {
    const bare = await company(api, { taxId: undefined, email: undefined, phone: undefined });
    const draft = (await api.post('/v1/invoices', { from: { companyId: bare.id } })).body;

    const refused = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'SENT' });
    const after = await api.get(`/v1/invoices/${draft.id}`);

    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      { field: 'client.email', message: 'client e-mail or phone is required to send the invoice' },
      { field: 'dueDate', message: 'due date is required' },
      { field: 'lines', message: 'at least one line is required' },
      { field: 'client.taxId', message: 'client tax id is required when the client is a company' },
    ]);
    expect(after.body).toEqual(draft);
  });

  it("issues on leaving NEW: the next number of the series and today's date", async () => {
    const acme = await company(api);
    const draft = await sendableDraft(api, acme.id);

    const moved = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'SENT' }, { 'if-match': '1' });

    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stage: 'SENT', status: 'issued', issueDate: todayUtc(), version: 2 });
    expect(moved.body.number).toMatch(new RegExp(`^INV-${year()}-\\d{6}$`));
  });

  it('refuses a stale move with 409, an unknown stage with 422, and leaving a final stage with 409', async () => {
    const acme = await company(api);
    const draft = await sendableDraft(api, acme.id);

    const stale = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED', version: 5 });
    const unknown = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'ARCHIVED' });
    const cancelled = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'CANCELLED' });
    const reopened = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'NEW' });

    expect(stale.status).toBe(409);
    expect(unknown.status).toBe(422);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'void', number: null, issueDate: null });
    expect(reopened.status).toBe(409);
  });

  it('gives 100 invoices issued concurrently exactly the numbers 1..100; another tenant and the proforma series count on their own', async () => {
    // Prepare
    const numbering = await makeTenant('Numbering');
    const client = apiClient(url, numbering.adminKey);
    const acme = await company(client);
    const drafts: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const created = await Promise.all(Array.from({ length: 10 }, () => sendableDraft(client, acme.id)));
      drafts.push(...created.map((d) => d.id));
    }
    const proforma = await sendableDraft(client, acme.id, { type: 'proforma' });
    const otherTenant = await makeTenant('Other numbering');
    const otherClient = apiClient(url, otherTenant.adminKey);
    const otherDraft = await sendableDraft(otherClient, (await company(otherClient)).id);

    // Act
    const [moves, otherMove, proformaMove] = await Promise.all([
      Promise.all(drafts.map((id) => client.post(`/v1/invoices/${id}/stage`, { stage: 'VIEWED' }))),
      otherClient.post(`/v1/invoices/${otherDraft.id}/stage`, { stage: 'VIEWED' }),
      client.post(`/v1/invoices/${proforma.id}/stage`, { stage: 'VIEWED' }),
    ]);

    // Assess
    expect(moves.map((m) => m.status)).toEqual(drafts.map(() => 200));
    const numbers = moves.map((m) => m.body.number).sort();
    const expected = Array.from({ length: 100 }, (_, i) => `INV-${year()}-${String(i + 1).padStart(6, '0')}`);
    expect(numbers).toEqual(expected);
    expect(otherMove.body.number).toBe(`INV-${year()}-000001`);
    expect(proformaMove.body).toMatchObject({ number: `PRO-${year()}-000001`, series: 'proforma', type: 'proforma' });
    const listed = await allPages(client, `number=${encodeURIComponent(`INV-${year()}-*`)}`, 100);
    expect(listed.map((i) => i.number)).toEqual(expected);
  });

  it("uses the tenant's number format and a given issue date", async () => {
    const custom = await makeTenant('Custom numbering');
    const client = apiClient(url, custom.adminKey);
    const current = (await client.get('/v1/pipelines/invoice')).body;
    const acme = await company(client);
    const draft = await sendableDraft(client, acme.id);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

    const saved = await client.put('/v1/pipelines/invoice', { stages: current.stages, numbering: { invoice: 'F{YY}{MM}/{0000}' }, version: 0 });
    const moved = await client.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED', issueDate: yesterday });

    expect(current).toMatchObject({ entity: 'invoice', version: 0, numbering: { invoice: 'INV-{YYYY}-{000000}' } });
    expect(current.stages.map((s: { id: string }) => s.id)).toEqual(['NEW', 'SENT', 'VIEWED', 'PAID', 'CANCELLED']);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, numbering: { invoice: 'F{YY}{MM}/{0000}', proforma: 'PRO-{YYYY}-{000000}' } });
    expect(moved.body).toMatchObject({ issueDate: yesterday, number: `F${yesterday.slice(2, 4)}${yesterday.slice(5, 7)}/0001` });
  });
});

describe('the invoice pipeline', () => {
  it('validates a new pipeline with field paths and keeps stages that invoices are in', async () => {
    const owner = await makeTenant('Pipelines');
    const client = apiClient(url, owner.adminKey);
    const acme = await company(client);
    const draft = await sendableDraft(client, acme.id);
    await client.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    const { stages } = (await client.get('/v1/pipelines/invoice')).body;

    const malformed = await client.put('/v1/pipelines/invoice', { stages: 'NEW' });
    const invalid = await client.put('/v1/pipelines/invoice', { stages: [{ id: 'new', name: 'New', kind: 'open', requiredFields: ['client.nope!'] }] });
    const orphaning = await client.put('/v1/pipelines/invoice', { stages: stages.filter((s: { id: string }) => s.id !== 'VIEWED') });
    const renamed = await client.put('/v1/pipelines/invoice', {
      stages: [...stages.filter((s: { id: string }) => s.id !== 'SENT'), { id: 'DISPUTED', name: 'Disputed', kind: 'open', requiredFields: ['notes'] }],
    });
    const staleWrite = await client.put('/v1/pipelines/invoice', { stages, version: 0 });
    const forbidden = await apiClient(url, owner.keys.manager).put('/v1/pipelines/invoice', { stages });

    expect(malformed.status).toBe(400);
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { field: string }) => e.field)).toEqual(['stages[0].id', 'stages[0].requiredFields[0]', 'stages']);
    expect(orphaning.status).toBe(422);
    expect(orphaning.body.errors).toEqual([{ field: 'stages', message: 'stage "VIEWED" has invoices in it: move them to another stage before removing it' }]);
    expect(renamed.status).toBe(200);
    expect(renamed.body.stages.map((s: { id: string }) => s.id)).toEqual(['NEW', 'VIEWED', 'PAID', 'CANCELLED', 'DISPUTED']);
    expect(staleWrite.status).toBe(409);
    expect(forbidden.status).toBe(403);
    const disputed = await client.post(`/v1/invoices/${draft.id}/stage`, { stage: 'DISPUTED' });
    expect(disputed.status).toBe(422);
    expect(disputed.body.errors).toEqual([{ field: 'notes', message: 'notes is required' }]);
  });
});

describe('timeline and events', () => {
  it('lists creation, edits and every move with who and when, oldest first', async () => {
    const acme = await company(manager);
    const draft = await sendableDraft(manager, acme.id);
    await manager.patch(`/v1/invoices/${draft.id}`, { notes: 'n' });
    await manager.post(`/v1/invoices/${draft.id}/stage`, { stage: 'SENT', version: 99 });
    await manager.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    const paid = await manager.post(`/v1/invoices/${draft.id}/stage`, { stage: 'PAID' });

    const timeline = await manager.get(`/v1/invoices/${draft.id}/timeline?limit=2`);
    const rest = await manager.get(`/v1/invoices/${draft.id}/timeline?limit=10&cursor=${encodeURIComponent(timeline.body.nextCursor)}`);
    const foreign = await api.get(`/v1/invoices/${draft.id}/timeline`);
    const otherTenant = await apiClient(url, (await makeTenant('Stranger')).adminKey).get(`/v1/invoices/${draft.id}/timeline`);

    const entries = [...timeline.body.data, ...rest.body.data];
    expect(entries.map((e: any) => [e.kind, e.actor, e.data.from ?? null, e.data.to ?? null])).toEqual([
      ['created', { type: 'user', id: 'usr_manager' }, null, null],
      ['updated', { type: 'user', id: 'usr_manager' }, null, null],
      ['stage_changed', { type: 'user', id: 'usr_manager' }, 'NEW', 'VIEWED'],
      ['stage_changed', { type: 'user', id: 'usr_manager' }, 'VIEWED', 'PAID'],
    ]);
    expect(entries[2].data).toMatchObject({ statusFrom: 'draft', statusTo: 'issued', number: paid.body.number });
    expect(entries.map((e: any) => e.at)).toEqual([...entries.map((e: any) => e.at)].sort());
    expect(rest.body.nextCursor).toBeNull();
    expect(foreign.status).toBe(200);
    expect(otherTenant.status).toBe(404);
  });

  it('emits exactly one invoice.stage_changed per successful move and none for a refused one', async () => {
    // Prepare
    const acme = await company(api);
    const incomplete = (await api.post('/v1/invoices', { from: { companyId: acme.id } })).body;
    const draft = await sendableDraft(api, acme.id);
    await stack().settle();

    // Act
    const refused422 = await api.post(`/v1/invoices/${incomplete.id}/stage`, { stage: 'SENT' });
    const refused409 = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED', version: 3 });
    const viewed = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    const paid = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'PAID' });
    const again = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'PAID' });
    await stack().settle();

    // Assess
    expect([refused422.status, refused409.status, viewed.status, paid.status, again.status]).toEqual([422, 409, 200, 200, 409]);
    const of = (id: string, type: string) => stack().bus.received.filter((e) => e['detail-type'] === type && e.detail.invoiceId === id);
    expect(of(incomplete.id, 'invoice.stage_changed')).toEqual([]);
    expect(of(draft.id, 'invoice.stage_changed').map((e) => [e.detail.from, e.detail.to, e.detail.version, e.detail.actorId])).toEqual([
      ['NEW', 'VIEWED', 2, paid.body.createdBy],
      ['VIEWED', 'PAID', 3, paid.body.createdBy],
    ]);
    expect(of(draft.id, 'invoice.paid').map((e) => e.detail)).toEqual([
      expect.objectContaining({ total: '242.00', currency: 'EUR', tenantId: tenant.tenantId }),
    ]);
    expect(of(draft.id, 'invoice.created')).toHaveLength(1);
    expect(of(draft.id, 'invoice.created')[0].detail).toMatchObject({ type: 'invoice', stage: 'NEW', version: 1, eventId: expect.stringMatching(/^evt_/) });
  });

  it('still delivers the event, exactly once, after the publisher failed', async () => {
    const acme = await company(api);
    const draft = await sendableDraft(api, acme.id);
    await stack().settle();
    const failuresBefore = stack().poller.failures;

    // the SDK itself retries a failed PutEvents (3 attempts): 3 failures make one publish fail for the stream
    stack().bus.failNextPutEvents(3);
    const moved = await api.post(`/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' });
    await stack().settle();

    expect(moved.status).toBe(200);
    const delivered = stack().bus.received.filter((e) => e['detail-type'] === 'invoice.stage_changed' && e.detail.invoiceId === draft.id);
    expect(delivered).toHaveLength(1);
    expect(stack().poller.failures).toBeGreaterThan(failuresBefore);
    const ids = stack().bus.received.map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('lists and search', () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  let client: ApiClient;
  let all: any[];
  let ids: Record<string, string>;
  let clients: Record<string, string>;
  const deal1 = `deal_${'1'.repeat(26)}`;
  const deal2 = `deal_${'2'.repeat(26)}`;

  beforeAll(async () => {
    const owner = await makeTenant('Lists');
    client = apiClient(url, owner.adminKey);
    const a = await company(client, { name: 'Ñandú Ibérica' });
    const b = await company(client, { name: 'zeta corp' });
    const emile = (await client.post('/v1/contacts', aContact({ firstName: 'Émile', lastName: 'Zola' }))).body;
    clients = { a: a.id, b: b.id, emile: emile.id };
    const specs: [string, Record<string, unknown>][] = [
      ['i1', { companyId: a.id, dealId: deal1, lines: [aLine({ quantity: '1', unitPrice: '100', taxRate: '0' })], dueDate: day(-20) }],
      ['i2', { companyId: b.id, lines: [aLine({ quantity: '1', unitPrice: '50.5', taxRate: '0' })], dueDate: day(10) }],
      ['i3', { companyId: a.id, dealId: deal1, lines: [aLine({ quantity: '1', unitPrice: '1000', taxRate: '0' })], dueDate: day(-5) }],
      ['i4', { contactId: emile.id, lines: [aLine({ quantity: '1', unitPrice: '75', taxRate: '0' })], dueDate: day(-15) }],
      ['cn', { type: 'credit_note', companyId: b.id, lines: [aLine({ quantity: '-1', unitPrice: '30', taxRate: '0' })], dueDate: day(-1) }],
      ['d1', { companyId: a.id, lines: [aLine({ quantity: '1', unitPrice: '20', taxRate: '0' })], dueDate: day(-3) }],
      ['d2', { companyId: b.id, lines: [] }],
      ['v1', { companyId: a.id, lines: [aLine({ quantity: '1', unitPrice: '300', taxRate: '0' })], dueDate: day(-2) }],
      ['d3', { contactId: emile.id, dealId: deal2, lines: [aLine({ quantity: '1', unitPrice: '5', taxRate: '0' })] }],
    ];
    ids = {};
    for (const [name, body] of specs) ids[name] = (await client.post('/v1/invoices', { currency: 'EUR', ...body })).body.id;
    // issue in date order (numbers follow issue dates)
    const moves: [string, string, string | undefined][] = [
      ['i1', 'VIEWED', day(-40)],
      ['i2', 'VIEWED', day(-30)],
      ['i3', 'PAID', day(-20)],
      ['i4', 'VIEWED', day(-10)],
      ['cn', 'VIEWED', day(-5)],
      ['v1', 'VIEWED', day(0)],
      ['v1', 'CANCELLED', undefined],
    ];
    for (const [name, stage, issueDate] of moves) {
      const res = await client.post(`/v1/invoices/${ids[name]}/stage`, { stage, ...(issueDate ? { issueDate } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    all = await Promise.all(Object.values(ids).map(async (id) => (await client.get(`/v1/invoices/${id}`)).body));
  });

  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const issueKey = (i: any) => `${i.issueDate ?? '~'}#${i.id}`;
  const byIssue = (a: any, b: any) => cmp(issueKey(a), issueKey(b));
  const byTotal = (a: any, b: any) => Number(a.totals.total) - Number(b.totals.total) || cmp(a.id, b.id);
  const fold = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
  const names = (list: any[]) => list.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));

  const cases: [string, string, (i: any) => boolean, (a: any, b: any) => number][] = [
    ['no filter: newest issue date first, drafts first', '', () => true, (a, b) => byIssue(b, a)],
    ['sort=issueDate', 'sort=issueDate', () => true, byIssue],
    ['sort=total', 'sort=total', () => true, byTotal],
    ['sort=-total', 'sort=-total', () => true, (a, b) => byTotal(b, a)],
    ['stage=VIEWED', 'stage=VIEWED', (i) => i.stage === 'VIEWED', (a, b) => byIssue(b, a)],
    ['stage=NEW&sort=total', 'stage=NEW&sort=total', (i) => i.stage === 'NEW', byTotal],
    ['clientId of a company', 'clientId={a}', (i) => i.client?.id === clients.a, (a, b) => byIssue(b, a)],
    ['clientId of a contact, by issue date', 'clientId={emile}&sort=issueDate', (i) => i.client?.id === clients.emile, byIssue],
    ['clientId and stage', 'clientId={a}&stage=NEW', (i) => i.client?.id === clients.a && i.stage === 'NEW', (a, b) => byIssue(b, a)],
    ['dealId', `dealId=${deal1}`, (i) => i.dealId === deal1, (a, b) => byIssue(b, a)],
    ['dealId by -total', `dealId=${deal1}&sort=-total`, (i) => i.dealId === deal1, (a, b) => byTotal(b, a)],
    [
      'issue date range',
      `issueDateFrom=${day(-30)}&issueDateTo=${day(-10)}`,
      (i) => !!i.issueDate && i.issueDate >= day(-30) && i.issueDate <= day(-10),
      (a, b) => byIssue(b, a),
    ],
    ['issue date from, ascending', `issueDateFrom=${day(-20)}&sort=issueDate`, (i) => !!i.issueDate && i.issueDate >= day(-20), byIssue],
    ['issue date range by total', `issueDateTo=${day(-20)}&sort=total`, (i) => !!i.issueDate && i.issueDate <= day(-20), byTotal],
    [
      'overdue',
      'overdue=true',
      (i) => i.status === 'issued' && !!i.dueDate && i.dueDate < day(0),
      (a, b) => cmp(`${a.dueDate}#${a.id}`, `${b.dueDate}#${b.id}`),
    ],
    [
      'overdue of a client',
      'overdue=true&clientId={b}',
      (i) => i.status === 'issued' && i.dueDate < day(0) && i.client?.id === clients.b,
      (a, b) => byIssue(b, a),
    ],
    ['q: client name, accents and case folded', 'q=NANDU', (i) => fold(i.client?.name ?? '').startsWith('nandu'), (a, b) => cmp(a.id, b.id)],
    ['q: contact name with an accent', 'q=%C3%A9MI', (i) => fold(i.client?.name ?? '').startsWith('emi'), (a, b) => cmp(a.id, b.id)],
    ['q: number prefix', 'q=inv-', (i) => !!i.number?.startsWith('INV-'), (a, b) => cmp(a.number, b.number)],
    ['q with a sort', 'q=zeta&sort=-total', (i) => fold(i.client?.name ?? '').startsWith('zeta'), (a, b) => byTotal(b, a)],
    ['number prefix', 'number=CN-*', (i) => !!i.number?.startsWith('CN-'), (a, b) => cmp(a.number, b.number)],
  ];

  it.each(cases)('%s', async (_name, query, keep, order) => {
    const q = query.replace(/\{(\w+)\}/g, (_m, k: string) => clients[k]);
    const expected = all.filter(keep).sort(order);
    expect(expected.length).toBeGreaterThan(0);

    for (const limit of [2, 3]) {
      const listed = await allPages(client, q, limit);
      expect(names(listed)).toEqual(names(expected));
    }
  });

  it('finds one invoice by its exact number, in any case', async () => {
    const target = all.find((i) => i.id === ids.i3);

    const exact = await allPages(client, `number=${target.number.toLowerCase()}`, 5);
    const none = await allPages(client, `number=${target.number.slice(0, -1)}`, 5);

    expect(exact.map((i) => i.id)).toEqual([ids.i3]);
    expect(none).toEqual([]);
  });

  it('refuses a cursor of another query, a reversed date range and unknown parameters', async () => {
    const first = await client.get('/v1/invoices?limit=1&stage=VIEWED');
    const mixed = await client.get(`/v1/invoices?limit=1&stage=NEW&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    const reversed = await client.get(`/v1/invoices?issueDateFrom=${day(0)}&issueDateTo=${day(-1)}`);
    const unknown = await client.get('/v1/invoices?color=red');
    const badSort = await client.get('/v1/invoices?sort=number');

    expect(mixed.status).toBe(400);
    expect(mixed.body.errors).toEqual([{ field: 'cursor', message: 'invalid' }]);
    expect([reversed.status, unknown.status, badSort.status]).toEqual([400, 400, 400]);
  });
});
