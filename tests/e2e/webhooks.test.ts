import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../infra/local/handlers';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
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
    const created = await api.post('/v1/webhooks', { url: 'https://erp.example.com/hooks', events: ['quote.accepted'] });
    const rotated = await api.post(`/v1/webhooks/${created.body.id}/rotate-secret`, { overlapSeconds: 3600 });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(rotated.body.secrets).toEqual([
      { createdAt: expect.any(String), expiresAt: null },
      { createdAt: created.body.createdAt, expiresAt: expect.any(String) },
    ]);
    expect((await api.del(`/v1/webhooks/${created.body.id}`)).status).toBe(204);
  });
});

describe('webhook deliveries', () => {
  const sweepAt = async (at: string) => (await invoke('sweepWebhooks', { now: at })) as { due: number; outcomes: Record<string, number> };
  const deliveriesOf = async (id: string) => {
    const res = await api.get(`/v1/webhooks/${id}/deliveries`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data as any[];
  };
  const paidInvoice = async () => {
    const client = await aClient(api);
    const invoice = await issuedInvoice(api, client.id);
    const paid = await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: invoice.balanceDue, date: todayUtc(), method: 'bank_transfer' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    await stack().settle();
    return invoice;
  };

  it("signs each event, retries a failing receiver at the schedule's instants (three attempts, one success), ignores a redelivered event, replays", async () => {
    // Prepare: a receiver that fails twice, then succeeds
    receiver.received.length = 0;
    receiver.answer({ status: 500, body: 'boom' }, { status: 503 }, { status: 200, body: 'thanks' });
    const sub = await api.post('/v1/webhooks', { url: `${receiver.url}/paid`, events: ['invoice.paid'] });
    expect(sub.status).toBe(201);
    const secret: string = sub.body.secret;

    // Act: the invoice is paid -> invoice.paid on the bus -> a delivery and its first attempt
    const invoice = await paidInvoice();

    // Assess: one attempt so far, failed, the next due 5 s after the first
    const [first] = await deliveriesOf(sub.body.id);
    expect(first).toMatchObject({ status: 'pending', attemptCount: 1, eventType: 'invoice.paid', failureReason: 'answered 500' });
    expect(first.attempts).toEqual([expect.objectContaining({ n: 1, status: 500, responseExcerpt: 'boom', replay: false })]);
    expect(Date.parse(first.nextAttemptAt) - Date.parse(first.createdAt)).toBe(5000);
    expect(first.payload).toMatchObject({ type: 'invoice.paid', data: { invoiceId: invoice.id, tenantId: tenant.tenantId } });
    const got = receiver.received.filter((r) => r.path === '/paid');
    expect(got).toHaveLength(1);
    // the first attempt was signed at the real clock: the library verifies it as a subscriber would
    expect(new Webhook(secret).verify(got[0].body, got[0].headers)).toMatchObject({ type: 'invoice.paid', data: { invoiceId: invoice.id } });
    expect(got[0].headers['webhook-id']).toBe(first.webhookId);

    // Act: the sweep just before the retry is due does nothing; at the due instant it retries (503)
    const before = new Date(Date.parse(first.nextAttemptAt) - 1).toISOString();
    await sweepAt(before);
    expect((await deliveriesOf(sub.body.id))[0]).toMatchObject({ attemptCount: 1, nextAttemptAt: first.nextAttemptAt });
    await sweepAt(first.nextAttemptAt);
    const [second] = await deliveriesOf(sub.body.id);
    expect(second).toMatchObject({ status: 'pending', attemptCount: 2 });
    expect(Date.parse(second.nextAttemptAt) - Date.parse(first.createdAt)).toBe(305_000);
    await sweepAt(second.nextAttemptAt);

    // Assess: three attempts, one success, each signed with the secret over the same id and body
    const [done] = await deliveriesOf(sub.body.id);
    expect(done).toMatchObject({ status: 'succeeded', attemptCount: 3, nextAttemptAt: null, failureReason: null });
    expect(done.attempts.map((a: any) => [a.n, a.status, a.at])).toEqual([
      [1, 500, first.attempts[0].at],
      [2, 503, first.nextAttemptAt],
      [3, 200, second.nextAttemptAt],
    ]);
    const all = receiver.received.filter((r) => r.path === '/paid');
    expect(all).toHaveLength(3);
    for (const r of all) {
      expect(r.headers['webhook-id']).toBe(first.webhookId);
      expect(r.body).toBe(all[0].body);
      const signedAt = new Date(Number(r.headers['webhook-timestamp']) * 1000);
      expect(r.headers['webhook-signature']).toBe(new Webhook(secret).sign(r.headers['webhook-id'], signedAt, r.body));
    }
    expect(all.map((r) => Number(r.headers['webhook-timestamp']) * 1000)).toEqual(
      [first.attempts[0].at, first.nextAttemptAt, second.nextAttemptAt].map((t) => Math.floor(Date.parse(t) / 1000) * 1000),
    );
    await sweepAt(new Date(Date.parse(second.nextAttemptAt) + 86_400_000).toISOString());
    expect(receiver.received.filter((r) => r.path === '/paid')).toHaveLength(3);

    // Act: the bus delivers the same event again
    await invoke('deliverWebhooks', { 'detail-type': 'invoice.paid', source: 'crm.invoicing', detail: done.payload.data });
    // Assess: no second delivery, nothing sent
    expect(await deliveriesOf(sub.body.id)).toHaveLength(1);
    expect(receiver.received.filter((r) => r.path === '/paid')).toHaveLength(3);

    // Act: replay the delivery
    receiver.answer({ status: 204 });
    const replay = await api.post(`/v1/webhooks/${sub.body.id}/deliveries/${done.id}/replay`, {});
    expect(replay.status, JSON.stringify(replay.body)).toBe(202);
    expect(replay.body).toMatchObject({ status: 'pending', replays: 1 });
    await stack().settle();

    // Assess: one more request, same webhook-id and body, recorded as a replay attempt
    const replayed = receiver.received.filter((r) => r.path === '/paid');
    expect(replayed).toHaveLength(4);
    expect(replayed[3].headers['webhook-id']).toBe(first.webhookId);
    expect(replayed[3].body).toBe(all[0].body);
    expect(new Webhook(secret).verify(replayed[3].body, replayed[3].headers)).toBeTruthy();
    const [after] = await deliveriesOf(sub.body.id);
    expect(after).toMatchObject({ status: 'succeeded', attemptCount: 4, replays: 1 });
    expect(after.attempts[3]).toMatchObject({ n: 4, status: 204, replay: true });
    expect((await api.post(`/v1/webhooks/${sub.body.id}/deliveries/whd_nothing/replay`, {})).status).toBe(404);
    await api.del(`/v1/webhooks/${sub.body.id}`);
  });

  it('gives up after the last attempt of the schedule (27 h 35 min later) and says why', async () => {
    receiver.answer({ status: 500, body: 'down' });
    const sub = await api.post('/v1/webhooks', { url: `${receiver.url}/down`, events: ['invoice.paid'] });
    await paidInvoice();
    let [d] = await deliveriesOf(sub.body.id);
    const start = Date.parse(d.createdAt);
    while (d.status === 'pending') {
      await sweepAt(d.nextAttemptAt);
      [d] = await deliveriesOf(sub.body.id);
    }
    expect(d).toMatchObject({ status: 'failed', attemptCount: 8, failureReason: 'answered 500', nextAttemptAt: null });
    expect((Date.parse(d.attempts[7].at) - start) / 1000).toBe(5 + 300 + 1800 + 7200 + 18_000 + 36_000 + 36_000);
    expect(receiver.received.filter((r) => r.path === '/down')).toHaveLength(8);
    await api.del(`/v1/webhooks/${sub.body.id}`);
  });

  it("signs with the old and the new secret during a rotation's overlap, and with the new one only after an immediate rotation", async () => {
    // Prepare
    receiver.answer({ status: 200 });
    const sub = await api.post('/v1/webhooks', { url: `${receiver.url}/rotated`, events: ['invoice.paid'] });
    const rotated = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);

    // Act
    await paidInvoice();

    // Assess: two signatures; a receiver holding either secret verifies
    const [got] = receiver.received.filter((r) => r.path === '/rotated');
    expect(got.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(sub.body.secret).verify(got.body, got.headers)).toBeTruthy();
    expect(new Webhook(rotated.body.secret).verify(got.body, got.headers)).toBeTruthy();

    // Act: rotate again with no overlap (a leaked secret)
    const leaked = await api.post(`/v1/webhooks/${sub.body.id}/rotate-secret`, { overlapSeconds: 0 });
    expect(leaked.body.secrets).toHaveLength(1);
    await paidInvoice();

    // Assess
    const [, next] = receiver.received.filter((r) => r.path === '/rotated');
    expect(new Webhook(leaked.body.secret).verify(next.body, next.headers)).toBeTruthy();
    expect(() => new Webhook(rotated.body.secret).verify(next.body, next.headers)).toThrow();
    expect(() => new Webhook(sub.body.secret).verify(next.body, next.headers)).toThrow();
    await api.del(`/v1/webhooks/${sub.body.id}`);
  });

  it('delivers nothing to a paused subscription, retries and replays included', async () => {
    // Prepare
    receiver.answer({ status: 500 });
    const sub = await api.post('/v1/webhooks', { url: `${receiver.url}/paused`, events: ['invoice.*', 'payment.*'] });
    await paidInvoice();
    const pending = (await deliveriesOf(sub.body.id)).filter((d) => d.status === 'pending');
    expect(pending.length).toBeGreaterThan(0);
    const sent = receiver.received.filter((r) => r.path === '/paused').length;

    // Act: pause, then new events and the retries' due instant
    expect((await api.patch(`/v1/webhooks/${sub.body.id}`, { paused: true })).status).toBe(200);
    await paidInvoice();
    await sweepAt(new Date(Date.now() + 3600_000).toISOString());

    // Assess
    expect(receiver.received.filter((r) => r.path === '/paused')).toHaveLength(sent);
    const after = await deliveriesOf(sub.body.id);
    expect(after).toHaveLength(pending.length);
    expect(after.every((d) => d.status === 'failed' && d.failureReason === 'the subscription is paused')).toBe(true);
    expect((await api.post(`/v1/webhooks/${sub.body.id}/deliveries/${after[0].id}/replay`, {})).status).toBe(409);
  });
  it("never lets one tenant's slow endpoint delay another tenant's delivery in the same sweep", async () => {
    // Prepare: tenant A's endpoint fails its first attempt, then hangs at the retry; tenant B's fails, then answers
    const slow = new WebhookReceiver([{ status: 500 }, { hang: true }]);
    const fast = new WebhookReceiver([{ status: 500 }, { status: 200 }]);
    await Promise.all([slow.start(), fast.start()]);
    try {
      const tenants = await Promise.all(['Slow Tenant', 'Fast Tenant'].map((n) => makeTenant(n)));
      const [slowApi, fastApi] = tenants.map((t) => apiClient(url, t.adminKey));
      const slowSub = (await slowApi.post('/v1/webhooks', { url: `${slow.url}/slow`, events: ['invoice.paid'] })).body;
      const fastSub = (await fastApi.post('/v1/webhooks', { url: `${fast.url}/fast`, events: ['invoice.paid'] })).body;
      for (const a of [slowApi, fastApi]) {
        const client = await aClient(a);
        const invoice = await issuedInvoice(a, client.id);
        expect((await a.post(`/v1/invoices/${invoice.id}/payments`, { amount: invoice.balanceDue, date: todayUtc(), method: 'bank_transfer' })).status).toBe(
          201,
        );
      }
      await stack().settle();
      const [slowDelivery] = (await slowApi.get(`/v1/webhooks/${slowSub.id}/deliveries`)).body.data;
      const [fastDelivery] = (await fastApi.get(`/v1/webhooks/${fastSub.id}/deliveries`)).body.data;
      expect([slowDelivery.attemptCount, fastDelivery.attemptCount]).toEqual([1, 1]);
      const due = [slowDelivery.nextAttemptAt, fastDelivery.nextAttemptAt].sort()[1];

      // Act: one sweep at the instant both retries are due
      const started = Date.now();
      const sweep = sweepAt(due);
      while (fast.received.length < 2 && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 20));
      const fastAnsweredAfter = Date.now() - started;
      await sweep;
      const sweepTook = Date.now() - started;

      // Assess: B's retry went out at once, while A's hung until the sender's deadline (10 s) cut it
      expect(fast.received).toHaveLength(2);
      expect(fastAnsweredAfter).toBeLessThan(2_000);
      expect(sweepTook).toBeGreaterThanOrEqual(9_000);
      const [fastAfter] = (await fastApi.get(`/v1/webhooks/${fastSub.id}/deliveries`)).body.data;
      const [slowAfter] = (await slowApi.get(`/v1/webhooks/${slowSub.id}/deliveries`)).body.data;
      expect(fastAfter).toMatchObject({ status: 'succeeded', attemptCount: 2 });
      expect(slowAfter).toMatchObject({ status: 'pending', attemptCount: 2 });
      expect(slowAfter.attempts[1].durationMs).toBeGreaterThanOrEqual(9_000);
      expect(slowAfter.failureReason).toMatch(/no answer within/);
    } finally {
      await Promise.all([slow.stop(), fast.stop()]);
    }
  }, 40_000);
});
