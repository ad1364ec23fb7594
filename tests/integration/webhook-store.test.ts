import { beforeAll, describe, expect, it } from 'vitest';
import { type AttemptResult, type BusEvent, type WebhookSender, WebhookSubscriptions, WebhookWorker, Webhooks } from '../../functions/domain/webhooks';
import { useLocalStack } from '../fixtures/stack';

/**
 * The webhooks store on DynamoDB Local, below the HTTP layer: a redelivered event creates nothing, two
 * workers racing on one delivery record its attempt once, and the sparse due index holds exactly the
 * pending deliveries whose attempt is due.
 */
const stack = useLocalStack();

let wiring: typeof import('../../functions/shared/wiring/webhooks');
const tenantId = `ten_store${Date.now()}`;
let subscriptionId: string;

const answering = (status: number, delayMs = 0): WebhookSender => ({
  send: async (): Promise<AttemptResult> => {
    await new Promise((r) => setTimeout(r, delayMs));
    return { status, durationMs: delayMs, responseExcerpt: '', error: status < 300 ? null : { kind: 'http_status', message: `answered ${status}` } };
  },
});

const paid = (eventId: string): BusEvent => ({
  type: 'invoice.paid',
  detail: { eventId, tenantId, occurredAt: new Date().toISOString(), invoiceId: 'inv_1' },
});

beforeAll(async () => {
  stack();
  wiring = await import('../../functions/shared/wiring/webhooks');
  const created = await Webhooks.subscribe(wiring.webhookAdminPorts(), { tenantId, url: 'http://127.0.0.1:9/hooks', events: ['invoice.*'] });
  subscriptionId = created.id;
});

describe('webhooks store (DynamoDB Local)', () => {
  it('creates one delivery per (event, subscription), however often the event comes', async () => {
    const ports = wiring.webhookWorkerPorts();
    expect(await WebhookWorker.fanOutEvent(ports, paid('evt_dup'))).toHaveLength(1);
    expect(await WebhookWorker.fanOutEvent(ports, paid('evt_dup'))).toHaveLength(0);
    const { data } = await wiring.webhookStore().deliveries.listBySubscription(tenantId, subscriptionId, { limit: 50 });
    expect(data.filter((d) => d.eventId === 'evt_dup')).toHaveLength(1);
  });

  it('records an attempt once when two workers race on the same delivery', async () => {
    // Prepare
    const [delivery] = await WebhookWorker.fanOutEvent(wiring.webhookWorkerPorts(), paid('evt_race'));
    const worker = () => ({ ...wiring.webhookWorkerPorts(), sender: answering(500, 50) });

    // Act
    const outcomes = await Promise.all([
      WebhookWorker.attemptDelivery(worker(), { tenantId, deliveryId: delivery.id }),
      WebhookWorker.attemptDelivery(worker(), { tenantId, deliveryId: delivery.id }),
    ]);

    // Assess
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['retry', 'skipped']);
    expect(await wiring.webhookStore().deliveries.attempts(tenantId, delivery.id)).toHaveLength(1);
    expect(await wiring.webhookStore().deliveries.get(tenantId, delivery.id)).toMatchObject({ attemptCount: 1, status: 'pending', version: 2 });
  });

  it('keeps exactly the pending deliveries that are due in the due index', async () => {
    // Prepare: a delivery whose first attempt failed (due 5 s later)
    const [delivery] = await WebhookWorker.fanOutEvent(wiring.webhookWorkerPorts(), paid('evt_due'));
    await WebhookWorker.attemptDelivery({ ...wiring.webhookWorkerPorts(), sender: answering(503) }, { tenantId, deliveryId: delivery.id });
    const stored = (await wiring.webhookStore().deliveries.get(tenantId, delivery.id))!;
    const dueIds = async (at: string) => (await wiring.webhookStore().due(at, 1000)).map((d) => d.id);

    // Assess: not due a millisecond before, due at the instant
    expect(await dueIds(new Date(Date.parse(stored.nextAttemptAt!) - 1).toISOString())).not.toContain(delivery.id);
    expect(await dueIds(stored.nextAttemptAt!)).toContain(delivery.id);

    // Act: it succeeds
    await WebhookWorker.attemptDelivery(
      { ...wiring.webhookWorkerPorts(() => stored.nextAttemptAt!), sender: answering(200) },
      { tenantId, deliveryId: delivery.id },
    );

    // Assess: gone from the index, and its figures rebuild from its attempts
    expect(await dueIds('2999-01-01T00:00:00.000Z')).not.toContain(delivery.id);
    const attempts = await wiring.webhookStore().deliveries.attempts(tenantId, delivery.id);
    const final = (await wiring.webhookStore().deliveries.get(tenantId, delivery.id))!;
    expect(final.attemptCount).toBe(attempts.length);
    expect(attempts.map((a) => a.n)).toEqual([1, 2]);
    expect(final.status).toBe(attempts.at(-1)!.status === 200 ? 'succeeded' : 'pending');
  });

  it('never keeps a secret in the clear', async () => {
    const stored = await wiring.webhookStore().subscriptions.get(tenantId, subscriptionId);
    expect(stored!.secrets[0].value).toMatchObject({ scheme: 'local-aes-256-gcm', ciphertext: expect.any(String) });
    expect(JSON.stringify(stored)).not.toContain('whsec_');
    expect(WebhookSubscriptions.signingSecrets(stored!, new Date().toISOString())).toHaveLength(1);
  });
});
