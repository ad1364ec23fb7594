/**
 * Idempotency-Key on the POSTs whose answer carries a secret shown once (a new API key, a new webhook signing
 * secret), through the HTTP API on the local stack: a retry answers the first answer (same key, same secret),
 * another body is refused, and the stored answer is sealed (the raw table never holds the secret). And a tenant
 * secret that no longer opens answers 503 naming the setting to set again.
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/wiring/core';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';
import { WebhookReceiver } from '../fixtures/webhook-receiver';

const stack = useLocalStack();
const url = () => stack().apiUrl;
const receiver = new WebhookReceiver();

let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  await receiver.start();
  tenant = await makeTenant('Sealed answers');
  api = apiClient(url, tenant.adminKey);
});
afterAll(() => receiver.stop());

const items = async (): Promise<Record<string, any>[]> => {
  const all: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().doc.send(new ScanCommand({ TableName: stack().tableName, ConsistentRead: true, ExclusiveStartKey }));
    all.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return all;
};
const idempotencyItems = async () => (await items()).filter((i) => String(i.pk).startsWith('IDEMPOTENCY#'));
const put = (item: Record<string, unknown>) => dynamo().doc.send(new PutCommand({ TableName: stack().tableName, Item: item }));
/** The same base64 with its last byte changed: a sealed value that no longer opens. */
const corrupt = (base64: string) => {
  const bytes = Buffer.from(base64, 'base64');
  bytes[bytes.length - 1] ^= 1;
  return bytes.toString('base64');
};
const keyed = (key: string) => ({ 'idempotency-key': key });

describe('POST /v1/api-keys with an Idempotency-Key', () => {
  it('answers the first answer to a retry (same id, same secret), keeps one key, and stores the answer sealed', async () => {
    // Act
    const body = { name: 'ERP sync', role: 'accountant' };
    const first = await api.post('/v1/api-keys', body, keyed('key-once-1'));
    const retry = await api.post('/v1/api-keys', body, keyed('key-once-1'));

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.apiKey).toMatch(/^crm_/);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const listed = (await api.get('/v1/api-keys?limit=100')).body.data.filter((k: { name: string }) => k.name === 'ERP sync');
    expect(listed.map((k: { id: string }) => k.id)).toEqual([first.body.id]);
    expect((await apiClient(url, first.body.apiKey).get('/v1/invoices')).status).toBe(200);

    // the raw table: an idempotency record holds the answer sealed, nothing holds the secret
    const raw = JSON.stringify(await items());
    expect(raw).not.toContain(first.body.apiKey);
    expect(raw).not.toContain(first.body.apiKey.slice(-24));
    const records = await idempotencyItems();
    expect(records.some((r) => r.idemData?.sealedAnswer?.key?.ciphertext)).toBe(true);
  });

  it('refuses the same key with another body (422 naming Idempotency-Key), and makes no key', async () => {
    const first = await api.post('/v1/api-keys', { name: 'Key A', role: 'viewer' }, keyed('key-once-2'));
    expect(first.status).toBe(201);

    const other = await api.post('/v1/api-keys', { name: 'Key B', role: 'viewer' }, keyed('key-once-2'));

    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(other.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    const names = (await api.get('/v1/api-keys?limit=100')).body.data.map((k: { name: string }) => k.name);
    expect(names).not.toContain('Key B');
  });

  it('makes one key for concurrent retries: the others answer the same key or 409 (in progress)', async () => {
    const body = { name: 'Concurrent', role: 'viewer' };
    const answers = await Promise.all([1, 2, 3].map(() => api.post('/v1/api-keys', body, keyed('key-once-3'))));

    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    expect(new Set(created.map((a) => a.body.apiKey)).size).toBe(1);
    const listed = (await api.get('/v1/api-keys?limit=100')).body.data.filter((k: { name: string }) => k.name === 'Concurrent');
    expect(listed).toHaveLength(1);
    const again = await api.post('/v1/api-keys', body, keyed('key-once-3'));
    expect(again.body).toEqual(created[0].body);
  });

  it('without a key, makes a new key each time as before', async () => {
    const a = await api.post('/v1/api-keys', { name: 'Twice', role: 'viewer' });
    const b = await api.post('/v1/api-keys', { name: 'Twice', role: 'viewer' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body.apiKey).not.toBe(b.body.apiKey);
  });

  it('answers 503 naming Idempotency-Key when the stored answer no longer opens (never a second key)', async () => {
    const body = { name: 'Unreadable answer', role: 'viewer' };
    const first = await api.post('/v1/api-keys', body, keyed('key-once-4'));
    expect(first.status).toBe(201);
    // corrupt every sealed answer of the table (the earlier tests' too: none is replayed afterwards)
    const sealed = (await idempotencyItems()).filter((r) => r.idemData?.sealedAnswer);
    expect(sealed.length).toBeGreaterThan(0);
    for (const r of sealed) {
      const { sealedAnswer } = r.idemData;
      await put({ ...r, idemData: { sealedAnswer: { ...sealedAnswer, data: corrupt(sealedAnswer.data) } } });
    }

    const retry = await api.post('/v1/api-keys', body, keyed('key-once-4'));

    expect(retry.status).toBe(503);
    expect(retry.headers.get('content-type')).toContain('application/problem+json');
    expect(retry.body.detail).toMatch(/can no longer be opened/);
    expect(retry.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    const listed = (await api.get('/v1/api-keys?limit=100')).body.data.filter((k: { name: string }) => k.name === body.name);
    expect(listed).toHaveLength(1);
  });
});

describe('POST /v1/webhooks/{id}/rotate-secret with an Idempotency-Key', () => {
  const paidInvoice = async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id);
    const paid = await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: invoice.balanceDue, date: todayUtc(), method: 'bank_transfer' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    await stack().settle();
  };

  it('rotates once: a retry answers the same secret, which alone signs the next delivery', async () => {
    // Prepare
    receiver.answer({ status: 200 });
    const sub = await api.post('/v1/webhooks', { url: `${receiver.url}/rotate-once`, events: ['invoice.paid'] });
    expect(sub.status).toBe(201);

    // Act: a rotation that ends the old secret at once, sent twice (a retry after a timeout)
    const first = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, { overlapSeconds: 0 }, keyed('rotate-once-1'));
    const retry = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, { overlapSeconds: 0 }, keyed('rotate-once-1'));

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.body.secret).not.toBe(sub.body.secret);
    const now = (await api.get(`/v1/webhooks/${sub.body.id}`)).body;
    expect(now.version).toBe(2);
    expect(now.secrets).toHaveLength(1);
    expect(JSON.stringify(await items())).not.toContain(first.body.secret.slice(6));
    const other = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, { overlapSeconds: 60 }, keyed('rotate-once-1'));
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);

    await paidInvoice();
    const [got] = receiver.received.filter((r) => r.path === '/rotate-once');
    expect(got.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(new Webhook(first.body.secret).verify(got.body, got.headers)).toBeTruthy();

    // without a key: a rotation each time, as before
    const a = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, {});
    const b = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, {});
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.secret).not.toBe(b.body.secret);
    expect(b.body.version).toBe(4);
    await api.del(`/v1/webhooks/${sub.body.id}`);
  });
});

describe('a tenant secret that no longer opens', () => {
  it("answers 503 naming the webhook's secret and how to set it again (a retried subscribe)", async () => {
    const body = { url: `${receiver.url}/unreadable`, events: ['invoice.paid'] };
    const sub = await api.post('/v1/webhooks', body, keyed('subscribe-unreadable'));
    expect(sub.status).toBe(201);
    const item = (await items()).find((i) => i.id === sub.body.id && Array.isArray(i.secrets));
    expect(item).toBeDefined();
    const [current, ...rest] = item!.secrets;
    await put({ ...item, secrets: [{ ...current, value: { ...current.value, ciphertext: corrupt(current.value.ciphertext) } }, ...rest] });

    const retry = await api.post('/v1/webhooks', body, keyed('subscribe-unreadable'));

    expect(retry.status).toBe(503);
    expect(retry.headers.get('content-type')).toContain('application/problem+json');
    expect(retry.body.detail).toMatch(
      new RegExp(`webhooks\\.${sub.body.id}\\.secret cannot be opened .* must be set again: POST /v1/webhooks/${sub.body.id}/rotate-secret`),
    );
    expect(retry.body.errors).toEqual([expect.objectContaining({ field: `webhooks.${sub.body.id}.secret` })]);
    expect(retry.body.detail).not.toMatch(/local-1|aes-256|gcm/i);

    // what the detail says works: a rotation sets a new secret
    const rotated = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, { overlapSeconds: 0 });
    expect(rotated.status).toBe(200);
    await api.del(`/v1/webhooks/${sub.body.id}`);
  });

  it("answers Stripe's webhook 503 naming settings.payments.stripe.webhookSecret and PUT /v1/settings", async () => {
    const own = await makeTenant('Unreadable Stripe');
    const client = apiClient(url, own.adminKey);
    const { tenantName, images, payments, updatedAt, quoteLinkGraceDays, ...rest } = (await client.get('/v1/settings')).body;
    const settings = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null));
    const set = await client.put('/v1/settings', {
      ...settings,
      payments: { stripe: { secretKey: 'sk_test_51UnreadableExample0000000Key', webhookSecret: 'whsec_unreadableTestSecret0123456789' } },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const item = (await items()).find((i) => i.tenantId === own.tenantId && i.settings?.payments?.stripe);
    expect(item).toBeDefined();
    const stripe = item!.settings.payments.stripe;
    await put({
      ...item,
      settings: {
        ...item!.settings,
        payments: { stripe: { ...stripe, webhookSecret: { ...stripe.webhookSecret, ciphertext: corrupt(stripe.webhookSecret.ciphertext) } } },
      },
    });

    const res = await fetch(`${url()}/webhooks/stripe?tenant=${own.tenantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', object: 'payment_intent' } } }),
    });
    const problem = await res.json();

    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.detail).toMatch(/settings\.payments\.stripe\.webhookSecret cannot be opened .* must be set again: PUT \/v1\/settings/);
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'settings.payments.stripe.webhookSecret' })]);
  });
});
