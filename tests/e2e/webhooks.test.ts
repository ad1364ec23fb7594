import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../fixtures/webhook-receiver';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

/**
 * Outgoing webhooks through the HTTP API on the local stack: subscriptions (secret shown once, refused
 * destinations and event types named), and deliveries to a real receiver on loopback.
 */
const stack = useLocalStack();
const url = () => stack().apiUrl;
const receiver = new WebhookReceiver();

let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  await receiver.start();
  tenant = await makeTenant('Webhooks');
  api = apiClient(url, tenant.adminKey);
});
afterAll(() => receiver.stop());

describe('webhook subscriptions', () => {
  it('subscribes an endpoint: the secret once, never in reads; pause, change and delete', async () => {
    // Act
    const created = await api.post('/v1/webhooks', { url: `${receiver.url}/hooks`, events: ['invoice.*', 'payment.recorded'], description: ' ERP ' });

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^whk_/),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      url: `${receiver.url}/hooks`,
      events: ['invoice.*', 'payment.recorded'],
      description: 'ERP',
      paused: false,
      version: 1,
    });
    const id = created.body.id;
    const one = await api.get(`/v1/webhooks/${id}`);
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.body)).not.toContain(created.body.secret);
    expect(one.body).not.toHaveProperty('secret');
    const listed = await api.get('/v1/webhooks');
    expect(listed.body.data.map((w: { id: string }) => w.id)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    const paused = await api.patch(`/v1/webhooks/${id}`, { paused: true, events: ['quote.accepted'], version: 1 });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, events: ['quote.accepted'], description: 'ERP', version: 2 });
    const stale = await api.patch(`/v1/webhooks/${id}`, { paused: false, version: 1 });
    expect(stale.status).toBe(409);

    const deleted = await api.del(`/v1/webhooks/${id}`);
    expect(deleted.status).toBe(204);
    expect((await api.get(`/v1/webhooks/${id}`)).status).toBe(404);
  });

  it('refuses bad endpoints and unknown event types, naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'http://example.com/hooks', events: ['invoice.paid'] }, 'url', /https/],
      [{ url: 'https://10.0.0.7/hooks', events: ['invoice.paid'] }, 'url', /refused destination/],
      [{ url: 'https://169.254.169.254/latest', events: ['invoice.paid'] }, 'url', /refused destination/],
      [{ url: 'not a url', events: ['invoice.paid'] }, 'url', /absolute URL/],
      [{ url: 'https://erp.example.com/hooks', events: ['invoice.paid', 'invoice.exploded'] }, 'events[1]', /unknown event type/],
      [{ url: 'https://erp.example.com/hooks', events: ['document.requested'] }, 'events[0]', /unknown event type/],
      [{ url: 'https://erp.example.com/hooks', events: ['nothing.*'] }, 'events[0]', /no event type/],
    ];
    for (const [body, field, message] of cases) {
      const res = await api.post('/v1/webhooks', body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
    }
    const empty = await api.post('/v1/webhooks', { url: 'https://erp.example.com/hooks', events: [] });
    expect(empty.status).toBeGreaterThanOrEqual(400);
    expect(empty.body.errors[0].field).toBe('events');
  });

  it('lets only admins subscribe; other roles read', async () => {
    const viewer = apiClient(url, tenant.keys.viewer);
    expect((await viewer.post('/v1/webhooks', { url: 'https://erp.example.com/hooks', events: ['invoice.paid'] })).status).toBe(403);
    expect((await viewer.get('/v1/webhooks')).status).toBe(200);
  });

  it('rotates the secret: a new one shown once, the old one still listed until its overlap ends', async () => {
    const created = await api.post('/v1/webhooks', { url: 'https://erp.example.com/hooks', events: ['*'] });
    const rotated = await api.post(`/v1/webhooks/${created.body.id}/rotate-secret`, { overlapSeconds: 3600 });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(rotated.body.secrets).toEqual([
      { createdAt: expect.any(String), expiresAt: null },
      { createdAt: created.body.createdAt, expiresAt: expect.any(String) },
    ]);
  });
});
