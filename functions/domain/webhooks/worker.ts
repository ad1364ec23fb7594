/**
 * The two verbs the delivery machinery runs (the integration wires them to a queue in AWS and to the
 * local runner): fan an event out into deliveries, and make the next attempt of one delivery.
 *
 * At least once, never lost: a delivery is stored before any attempt; an attempt is recorded with a
 * version check after it was made. A crash between sending and recording makes the queue run the attempt
 * again: the subscriber may get the message twice, with the same `webhook-id`, and deduplicates on it.
 * Two workers on one delivery both send, one records, the other finds the version moved and stops.
 */
import { Conflict, openSetting, type SealedSecret, type SecretCipher, type SecretSetting } from '../kernel';
import { cancelDelivery, decideAttempt, fanOut, recordAttempt, replayDelivery, type DeliveryAttempt, type WebhookDelivery } from './deliveries';
import type { BusEvent } from './messages';
import type { WebhookSender } from './ports';
import { signingSecrets, type WebhookSubscription } from './subscriptions';

export interface WebhookStorePorts {
  subscriptions: {
    get(tenantId: string, id: string): Promise<WebhookSubscription<SealedSecret> | null>;
    /** Every subscription of the tenant, paused ones included (few per tenant). */
    listByTenant(tenantId: string): Promise<WebhookSubscription<SealedSecret>[]>;
  };
  deliveries: {
    get(tenantId: string, id: string): Promise<WebhookDelivery | null>;
    /** Stores the delivery unless one with its id exists; true when it was new. */
    createIfAbsent(delivery: WebhookDelivery): Promise<boolean>;
    /** Replaces the delivery (and adds the attempt, if any) when its stored version is `expectedVersion`; Conflict otherwise. */
    save(delivery: WebhookDelivery, expectedVersion: number, attempt?: DeliveryAttempt): Promise<void>;
  };
}

export interface WebhookWorkerPorts extends WebhookStorePorts {
  secrets: SecretCipher;
  sender: WebhookSender;
  now(): string;
}

/** The purpose a subscription's signing secrets are sealed under. */
export const secretPurpose = (subscriptionId: string) => `webhooks.${subscriptionId}`;

/** What to do when a subscription's stored secret no longer opens (SecretUnreadable): rotate it. */
export const secretSetting = (subscriptionId: string): SecretSetting => ({
  field: `webhooks.${subscriptionId}.secret`,
  setAgain: `POST /v1/webhooks/${subscriptionId}/rotate-secret with overlapSeconds 0`,
});

/** Creates the deliveries of one event; the ones already there (the bus delivered the event again) are left alone. */
export async function fanOutEvent(ports: Pick<WebhookWorkerPorts, 'subscriptions' | 'deliveries' | 'now'>, event: BusEvent): Promise<WebhookDelivery[]> {
  const subscriptions = await ports.subscriptions.listByTenant(event.detail.tenantId);
  const created: WebhookDelivery[] = [];
  for (const delivery of fanOut(subscriptions, event, ports.now())) {
    if (await ports.deliveries.createIfAbsent(delivery)) created.push(delivery);
  }
  return created;
}

export type AttemptOutcome =
  | { outcome: 'succeeded' | 'failed'; attempt: DeliveryAttempt }
  | { outcome: 'retry'; attempt: DeliveryAttempt; nextAttemptAt: string }
  | { outcome: 'wait'; nextAttemptAt: string }
  | { outcome: 'skipped' | 'cancelled'; reason: string };

/** Makes the next attempt of a delivery, if one is due now, and records it. */
export async function attemptDelivery(ports: WebhookWorkerPorts, command: { tenantId: string; deliveryId: string }): Promise<AttemptOutcome> {
  const delivery = await ports.deliveries.get(command.tenantId, command.deliveryId);
  if (!delivery) return { outcome: 'skipped', reason: 'no such delivery' };
  const subscription = await ports.subscriptions.get(command.tenantId, delivery.subscriptionId);
  const now = ports.now();
  const decision = decideAttempt(delivery, subscription, now);
  if (decision.action === 'skip') return { outcome: 'skipped', reason: decision.reason };
  if (decision.action === 'wait') return { outcome: 'wait', nextAttemptAt: decision.until };
  if (decision.action === 'cancel' || !subscription) {
    const reason = decision.action === 'cancel' ? decision.reason : 'the subscription was deleted';
    await saveOrStop(ports, cancelDelivery(delivery, reason, now), delivery.version);
    return { outcome: 'cancelled', reason };
  }
  const context = { tenantId: subscription.tenantId, purpose: secretPurpose(subscription.id) };
  const secrets = await Promise.all(
    signingSecrets(subscription, now).map((sealed) => openSetting(ports.secrets, context, sealed, secretSetting(subscription.id))),
  );
  const result = await ports.sender.send({ url: subscription.url, webhookId: delivery.webhookId, timestamp: new Date(now), body: delivery.body, secrets });
  const recorded = recordAttempt(delivery, delivery.attemptCount + 1, result, now);
  if (!(await saveOrStop(ports, recorded.delivery, delivery.version, recorded.attempt)))
    return { outcome: 'skipped', reason: 'another worker recorded this attempt' };
  const next = recorded.delivery;
  if (next.status === 'pending') return { outcome: 'retry', attempt: recorded.attempt, nextAttemptAt: next.nextAttemptAt! };
  return { outcome: next.status, attempt: recorded.attempt };
}

/** Queues a finished delivery to be sent once more (the worker then makes the attempt). */
export async function requestReplay(
  ports: Pick<WebhookWorkerPorts, 'deliveries' | 'now'>,
  command: { tenantId: string; deliveryId: string },
): Promise<WebhookDelivery | null> {
  const delivery = await ports.deliveries.get(command.tenantId, command.deliveryId);
  if (!delivery) return null;
  const replay = replayDelivery(delivery, ports.now());
  await ports.deliveries.save(replay, delivery.version);
  return replay;
}

async function saveOrStop(
  ports: Pick<WebhookWorkerPorts, 'deliveries'>,
  delivery: WebhookDelivery,
  expectedVersion: number,
  attempt?: DeliveryAttempt,
): Promise<boolean> {
  try {
    await ports.deliveries.save(delivery, expectedVersion, attempt);
    return true;
  } catch (error) {
    if (error instanceof Conflict) return false;
    throw error;
  }
}
