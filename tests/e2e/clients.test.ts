import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aContact, aProduct } from '../fixtures/builders';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;

let acme: TestTenant;
let other: TestTenant;
let api: ApiClient;
let otherApi: ApiClient;

/** Every item in this file's table (test-only full read: proves a refused request wrote nothing). */
async function tableSnapshot(): Promise<string> {
  const { dynamo } = await import('../../functions/shared/wiring/core');
  const { Items = [] } = await dynamo().client.send(new ScanCommand({ TableName: stack().tableName, ConsistentRead: true }));
  return JSON.stringify(
    Items.filter((i) => !String(i.pk?.S).startsWith('IDEMPOTENCY'))
      .map((i) => [i.pk?.S, i.sk?.S, i.version?.N])
      .sort(),
  );
}

beforeAll(async () => {
  acme = await makeTenant('Acme');
  other = await makeTenant('Other');
  api = apiClient(url, acme.adminKey);
  otherApi = apiClient(url, other.adminKey);
});

describe('companies, contacts and products', () => {
  it('creates, reads, lists with cursor pagination, updates and deletes a company', async () => {
    // Prepare
    const created = await api.post('/v1/companies', aCompany());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Acme Iberia', taxId: 'B12345674', version: 1 });
    expect(created.body.id).toMatch(/^cmp_[0-9a-z]{26}$/);
    expect(created.body).not.toHaveProperty('tenantId');

    // Act
    const fetched = await api.get(`/v1/companies/${created.body.id}`);
    const patched = await api.patch(`/v1/companies/${created.body.id}`, { phone: '+34 699 000 111', legalForm: null }, { 'if-match': '1' });

    // Assess
    expect(fetched.body).toEqual(created.body);
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBe(2);
    expect(patched.body.phone).toBe('+34 699 000 111');
    expect(patched.body).not.toHaveProperty('legalForm');

    const removed = await api.del(`/v1/companies/${created.body.id}`);
    expect(removed.status).toBe(204);
    expect((await api.get(`/v1/companies/${created.body.id}`)).status).toBe(404);
  });

  it('pages through a list with a cursor, newest first, without repeats', async () => {
    const tenant = await makeTenant('Pager');
    const client = apiClient(url, tenant.adminKey);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await client.post('/v1/products', aProduct({ name: `P${i}` }))).body.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: { id: string }[]; nextCursor: string | null } } = await client.get(
        `/v1/products?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.data.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);

    expect(seen).toEqual([...ids].reverse());
  });

  it('links a contact to a company of the same tenant only', async () => {
    const company = await api.post('/v1/companies', aCompany());
    const ok = await api.post('/v1/contacts', aContact({ companyId: company.body.id }));
    const foreign = await otherApi.post('/v1/contacts', aContact({ companyId: company.body.id }));

    expect(ok.status).toBe(201);
    expect(ok.body.companyId).toBe(company.body.id);
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors).toEqual([{ field: 'companyId', message: 'no such company' }]);
  });
});

describe('tenant isolation', () => {
  it("answers 404 on every route for another tenant's objects, and changes nothing", async () => {
    const company = (await api.post('/v1/companies', aCompany())).body;
    const contact = (await api.post('/v1/contacts', aContact())).body;
    const product = (await api.post('/v1/products', aProduct())).body;
    expect([company.id, contact.id, product.id].every(Boolean)).toBe(true);
    const before = await tableSnapshot();

    for (const [path, id] of [
      ['companies', company.id],
      ['contacts', contact.id],
      ['products', product.id],
    ]) {
      const get = await otherApi.get(`/v1/${path}/${id}`);
      const patch = await otherApi.patch(`/v1/${path}/${id}`, path === 'contacts' ? { firstName: 'X' } : { name: 'X' });
      const del = await otherApi.del(`/v1/${path}/${id}`);
      const missing = await otherApi.get(`/v1/${path}/${id.slice(0, -1)}0`);
      expect([get.status, patch.status, del.status]).toEqual([404, 404, 404]);
      expect(get.body).toEqual({ ...missing.body });
      const list = await otherApi.get(`/v1/${path}`);
      expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(id);
    }

    expect(await tableSnapshot()).toBe(before);
  });
});

describe('roles', () => {
  it.each([
    ['viewer', 'POST', '/v1/companies', 403],
    ['viewer', 'GET', '/v1/companies', 200],
    ['viewer', 'POST', '/v1/products', 403],
    ['accountant', 'POST', '/v1/products', 201],
    ['accountant', 'POST', '/v1/companies', 403],
    ['manager', 'POST', '/v1/companies', 201],
    ['manager', 'GET', '/v1/api-keys', 403],
    ['accountant', 'POST', '/v1/api-keys', 403],
    ['viewer', 'GET', '/v1/api-keys', 403],
    ['admin', 'GET', '/v1/api-keys', 200],
  ] as const)('%s: %s %s -> %i', async (role, method, path, status) => {
    const client = apiClient(url, acme.keys[role]);
    const body = method === 'GET' ? undefined : path === '/v1/companies' ? aCompany() : path === '/v1/products' ? aProduct() : { name: 'k', role: 'viewer' };
    const res = await client.call(method, path, body);
    expect(res.status).toBe(status);
    if (status === 403) expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('lets an admin create and revoke keys; a revoked key stops working at once', async () => {
    const created = await api.post('/v1/api-keys', { name: 'ci bot', role: 'manager' });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^crm_key_/);
    const bot = apiClient(url, created.body.apiKey);
    expect((await bot.get('/v1/companies')).status).toBe(200);

    const listed = await api.get('/v1/api-keys');
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain('secretHash');

    expect((await otherApi.del(`/v1/api-keys/${created.body.id}`)).status).toBe(404);
    expect((await api.del(`/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await bot.get('/v1/companies')).status).toBe(401);
  });

  it("never stores a new key's secret in clear, not even to answer an Idempotency-Key replay with it", async () => {
    const headers = { 'idempotency-key': 'same-key-twice' };
    const first = await api.post('/v1/api-keys', { name: 'replayed', role: 'viewer' }, headers);
    const second = await api.post('/v1/api-keys', { name: 'replayed', role: 'viewer' }, headers);

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body); // the replay answers the first key (its stored answer is sealed)
    const { dynamo } = await import('../../functions/shared/wiring/core');
    const { Items = [] } = await dynamo().client.send(new ScanCommand({ TableName: stack().tableName }));
    expect(JSON.stringify(Items)).not.toContain(first.body.apiKey.split('_').pop());
  });

  it('refuses missing, malformed and unknown keys with 401', async () => {
    for (const key of [undefined, 'nonsense', `crm_key_${'0'.repeat(26)}_${'a'.repeat(43)}`]) {
      const res = await apiClient(url, key).get('/v1/companies');
      expect(res.status).toBe(401);
      expect(res.body.title).toBe('Unauthorized');
    }
  });
});

describe('optimistic concurrency', () => {
  it('lets exactly one of many concurrent updates with the same version win', async () => {
    const company = (await api.post('/v1/companies', aCompany())).body;

    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => api.patch(`/v1/companies/${company.id}`, { name: `Writer ${i}`, version: 1 })));

    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    const final = await api.get(`/v1/companies/${company.id}`);
    expect(final.body.version).toBe(2);
    expect(final.body.name).toBe(results.find((r) => r.status === 200)!.body.name);
  });
});

describe('bad input', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: [string, string, string, unknown, number, string][] = [
    ['malformed JSON', 'POST', '/v1/companies', '{"name": ', 400, 'body'],
    ['empty body', 'POST', '/v1/companies', '', 400, 'body'],
    ['JSON array instead of object', 'POST', '/v1/companies', '[]', 400, '(root)'],
    ['unknown field', 'POST', '/v1/companies', aCompany({ color: 'red' }), 400, 'color'],
    ['mass assignment of id', 'POST', '/v1/companies', aCompany({ id: 'cmp_x' }), 400, 'id'],
    ['mass assignment of tenantId', 'POST', '/v1/companies', aCompany({ tenantId: 'ten_x' }), 400, 'tenantId'],
    ['mass assignment of version', 'POST', '/v1/companies', aCompany({ version: 7 }), 400, 'version'],
    ['mass assignment of createdAt', 'POST', '/v1/companies', aCompany({ createdAt: '2020-01-01T00:00:00Z' }), 400, 'createdAt'],
    ['missing name', 'POST', '/v1/companies', aCompany({ name: undefined }), 400, 'name'],
    ['empty name', 'POST', '/v1/companies', aCompany({ name: '   ' }), 400, 'name'],
    ['name too long', 'POST', '/v1/companies', aCompany({ name: long(201) }), 400, 'name'],
    ['name of wrong type', 'POST', '/v1/companies', aCompany({ name: 42 }), 400, 'name'],
    ['missing address', 'POST', '/v1/companies', aCompany({ address: undefined }), 400, 'address'],
    ['address city missing', 'POST', '/v1/companies', aCompany({ address: { line1: 'a', postalCode: '1', country: 'ES' } }), 400, 'address.city'],
    ['lower-case country', 'POST', '/v1/companies', aCompany({ address: { line1: 'a', city: 'b', postalCode: '1', country: 'es' } }), 400, 'address.country'],
    [
      'unknown nested field',
      'POST',
      '/v1/companies',
      aCompany({ address: { line1: 'a', city: 'b', postalCode: '1', country: 'ES', planet: 'Mars' } }),
      400,
      'address.planet',
    ],
    ['bad e-mail', 'POST', '/v1/companies', aCompany({ email: 'not-an-email' }), 400, 'email'],
    ['bad phone', 'POST', '/v1/companies', aCompany({ phone: 'call me' }), 400, 'phone'],
    ['bad IBAN', 'POST', '/v1/companies', aCompany({ bankAccount: { iban: '123' } }), 400, 'bankAccount.iban'],
    ['bad tax id characters', 'POST', '/v1/companies', aCompany({ taxId: 'B1234<script>' }), 400, 'taxId'],
    ['contact without last name', 'POST', '/v1/contacts', aContact({ lastName: undefined }), 400, 'lastName'],
    ['contact with malformed company id', 'POST', '/v1/contacts', aContact({ companyId: 'acme' }), 400, 'companyId'],
    ['contact with unknown company', 'POST', '/v1/contacts', aContact({ companyId: `cmp_${'0'.repeat(26)}` }), 422, 'companyId'],
    ['product price as number', 'POST', '/v1/products', aProduct({ unitPrice: 95.5 }), 400, 'unitPrice'],
    ['product price with comma', 'POST', '/v1/products', aProduct({ unitPrice: '95,50' }), 400, 'unitPrice'],
    ['product price too precise', 'POST', '/v1/products', aProduct({ unitPrice: '1.123456' }), 400, 'unitPrice'],
    ['product negative price', 'POST', '/v1/products', aProduct({ unitPrice: '-1.00' }), 400, 'unitPrice'],
    ['product bad currency', 'POST', '/v1/products', aProduct({ currency: 'euro' }), 400, 'currency'],
    ['product tax rate over 100', 'POST', '/v1/products', aProduct({ taxRate: '150' }), 400, 'taxRate'],
    ['list limit over 100', 'GET', '/v1/companies?limit=1000', undefined, 400, 'query.limit'],
    ['list limit not a number', 'GET', '/v1/companies?limit=ten', undefined, 400, 'query.limit'],
    ['unknown query parameter', 'GET', '/v1/companies?color=red', undefined, 400, 'query.color'],
    ['garbage cursor', 'GET', '/v1/companies?cursor=abc', undefined, 400, 'cursor'],
    ['non-JSON content type', 'POST', '/v1/products', 'name=x', 400, 'content-type'],
    ['If-Match not a number', 'PATCH', '/v1/companies/{id}', { name: 'x' }, 400, 'If-Match'],
    ['PATCH with wrong type', 'PATCH', '/v1/companies/{id}', { name: ['x'] }, 400, 'name'],
    ['PATCH clearing a required field', 'PATCH', '/v1/companies/{id}', { name: null }, 400, 'name'],
    ['PATCH with a stale version', 'PATCH', '/v1/companies/{id}', { name: 'x', version: 99 }, 409, 'version'],
    ['oversized body', 'POST', '/v1/companies', aCompany({ legalName: long(70_000) }), 413, 'body'],
  ];

  it(`covers ${cases.length} kinds of bad input`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s (%s %s)', async (_name, method, path, body, status, field) => {
    const company = (await api.post('/v1/companies', aCompany())).body;
    const target = path.replace('{id}', company.id);
    const before = await tableSnapshot();
    const headers: Record<string, string> = {};
    if (_name === 'If-Match not a number') headers['if-match'] = 'abc';
    if (_name === 'non-JSON content type') headers['content-type'] = 'application/x-www-form-urlencoded';

    const res = await api.call(method, target, body, headers);

    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await tableSnapshot()).toBe(before);
  });
});
