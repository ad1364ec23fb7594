import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalSecretCipher, generateLocalSecretsKey } from '../../functions/adapters/secrets/local-cipher';
import { createHttpWebhookSender } from '../../functions/adapters/webhooks/http-sender';
import { WebhookSubscriptions, WebhookWorker, type BusEvent, type WebhookWorkerPorts } from '../../functions/domain/webhooks';
import { memoryWebhookStore } from '../fixtures/webhook-fakes';
import { WebhookReceiver } from '../fixtures/webhook-receiver';

const T0 = Date.parse('2026-06-01T08:00:00.000Z');
const paidEvent = (eventId = 'evt_1'): BusEvent => ({
  type: 'invoice.paid',
  detail: { eventId, tenantId: 'ten_a', occurredAt: '2026-06-01T07:59:58.000Z', invoiceId: 'inv_1', total: '121.00', currency: 'EUR' },
});

/**
 * The domain's delivery verbs with the real HTTP sender, a real receiver on loopback, the local secret
 * cipher and in-memory stores; the clock is a variable the test moves to each planned instant.
 */
describe('webhook delivery worker (real sender, loopback receiver)', () => {
  const receiver = new WebhookReceiver();
  const cipher = createLocalSecretCipher(generateLocalSecretsKey());
  let clock = T0;
  let store: ReturnType<typeof memoryWebhookStore>;
  let ports: WebhookWorkerPorts;
  let secret: string;

  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(async () => {
    clock = T0;
    receiver.received.length = 0;
    store = memoryWebhookStore();
    ports = { ...store.ports, secrets: cipher, sender: createHttpWebhookSender({ allowLoopback: true }), now: () => new Date(clock).toISOString() };
    secret = WebhookSubscriptions.generateWebhookSecret();
    const sealed = await cipher.seal({ tenantId: 'ten_a', purpose: WebhookWorker.secretPurpose('whk_1') }, secret);
    store.putSubscription(
      WebhookSubscriptions.newSubscription(
        { url: `${receiver.url}/hooks`, events: ['invoice.*'] },
        { tenantId: 'ten_a', id: 'whk_1', now: new Date(T0).toISOString(), secret: sealed },
        { allowLoopback: true },
      ),
    );
  });

  it('retries a receiver that fails twice: three attempts, one success, each signed and with the same id', async () => {
    // Prepare
    receiver.answer({ status: 500, body: 'boom' }, { status: 503 }, { status: 200, body: 'thanks' });
    const [delivery] = await WebhookWorker.fanOutEvent(ports, paidEvent());
    // Act: run the worker at each instant it asks for
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      const outcome = await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: delivery.id });
      outcomes.push(outcome);
      if (outcome.outcome !== 'retry') break;
      clock = Date.parse(outcome.nextAttemptAt);
    }
    // Assess
    expect(outcomes.map((o) => o.outcome)).toEqual(['retry', 'retry', 'succeeded']);
    expect(store.attempts.map((a) => [a.n, a.status, a.responseExcerpt, (Date.parse(a.at) - T0) / 1000])).toEqual([
      [1, 500, 'boom', 0],
      [2, 503, '', 5],
      [3, 200, 'thanks', 305],
    ]);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.webhookId]));
    // The test clock is not the real one, and the library's verify() measures the timestamp's age by the
    // real clock; so each signature is recomputed with the library for its own timestamp, and a moved
    // timestamp must break it.
    for (const got of receiver.received) {
      expect(got.body).toBe(delivery.body);
      const fresh = { ...got.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
      const resigned = new Webhook(secret).sign(got.headers['webhook-id'], new Date(Number(got.headers['webhook-timestamp']) * 1000), got.body);
      expect(got.headers['webhook-signature']).toBe(resigned);
      expect(() => new Webhook(secret).verify(got.body, fresh)).toThrow();
    }
    expect(store.deliveries.get(`ten_a/${delivery.id}`)).toMatchObject({ status: 'succeeded', attemptCount: 3 });
  });

  it('creates one delivery however often the event comes, and sends nothing before it is due', async () => {
    expect(await WebhookWorker.fanOutEvent(ports, paidEvent())).toHaveLength(1);
    expect(await WebhookWorker.fanOutEvent(ports, paidEvent())).toHaveLength(0);
    receiver.answer({ status: 500 });
    const [delivery] = [...store.deliveries.values()];
    await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: delivery.id });
    expect(await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: delivery.id })).toEqual({
      outcome: 'wait',
      nextAttemptAt: new Date(T0 + 5000).toISOString(),
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('replays a delivered message once, with the same webhook-id', async () => {
    receiver.answer({ status: 204 });
    const [delivery] = await WebhookWorker.fanOutEvent(ports, paidEvent());
    await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: delivery.id });
    clock += 3600_000;
    await WebhookWorker.requestReplay(ports, { tenantId: 'ten_a', deliveryId: delivery.id });
    const replayed = await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: delivery.id });
    expect(replayed).toMatchObject({ outcome: 'succeeded', attempt: { n: 2, replay: true } });
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([delivery.webhookId, delivery.webhookId]);
    expect(receiver.received[1].body).toBe(receiver.received[0].body);
  });

  it('sends nothing to a paused subscription, and gives up its pending deliveries', async () => {
    receiver.answer({ status: 500 });
    const [pending] = await WebhookWorker.fanOutEvent(ports, paidEvent('evt_before'));
    await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: pending.id });
    const sub = (await ports.subscriptions.get('ten_a', 'whk_1'))!;
    store.putSubscription(WebhookSubscriptions.changeSubscription(sub, { paused: true }, ports.now(), { allowLoopback: true }));
    receiver.received.length = 0;
    expect(await WebhookWorker.fanOutEvent(ports, paidEvent('evt_after'))).toEqual([]);
    clock += 10_000;
    expect(await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: pending.id })).toEqual({
      outcome: 'cancelled',
      reason: 'the subscription is paused',
    });
    expect(receiver.received).toEqual([]);
  });

  it('signs with both secrets during a rotation', async () => {
    receiver.answer({ status: 204 });
    const next = WebhookSubscriptions.generateWebhookSecret();
    const sub = (await ports.subscriptions.get('ten_a', 'whk_1'))!;
    const sealed = await cipher.seal({ tenantId: 'ten_a', purpose: WebhookWorker.secretPurpose('whk_1') }, next);
    store.putSubscription(WebhookSubscriptions.rotateSecret(sub, sealed, ports.now()));
    const [delivery] = await WebhookWorker.fanOutEvent(ports, paidEvent());
    await WebhookWorker.attemptDelivery(ports, { tenantId: 'ten_a', deliveryId: delivery.id });
    const [got] = receiver.received;
    const ts = new Date(Number(got.headers['webhook-timestamp']) * 1000);
    expect(got.headers['webhook-signature']).toBe(
      `${new Webhook(next).sign(got.headers['webhook-id'], ts, got.body)} ${new Webhook(secret).sign(got.headers['webhook-id'], ts, got.body)}`,
    );
  });
});
