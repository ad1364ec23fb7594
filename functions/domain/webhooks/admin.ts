/**
 * The integrator's verbs on webhook subscriptions (the `/v1/webhooks` routes): subscribe (the secret is
 * shown once, stored sealed), read, change (url, events, description, paused), rotate the secret,
 * delete, read the delivery log and ask for a replay.
 *
 * A subscription's signing secrets are sealed through the SecretCipher port under the purpose
 * `webhooks.<subscription id>` (worker.ts opens them at each attempt). Views never carry a secret.
 */
import {
  Conflict,
  derivedId,
  NotFound,
  RuleViolation,
  newId,
  type OutboxEvent,
  type Page,
  type PageRequest,
  type SealedSecret,
  type SecretCipher,
  openSetting,
  outboxEvent,
  staleVersion,
} from '../kernel';
import type { AddressPolicy } from './address-policy';
import { type DeliveryAttempt, replayDelivery, type WebhookDelivery } from './deliveries';
import { subscribableEventTypes } from './messages';
import { changeSubscription, generateWebhookSecret, newSubscription, rotateSecret, type SubscriptionInput, type WebhookSubscription } from './subscriptions';
import { secretPurpose, secretSetting, type WebhookStorePorts } from './worker';

export type StoredSubscription = WebhookSubscription<SealedSecret>;

/** The subscriptions' and deliveries' store (functions/adapters/dynamo/webhooks). */
export interface WebhookStore extends WebhookStorePorts {
  subscriptions: WebhookStorePorts['subscriptions'] & {
    create(subscription: StoredSubscription): Promise<void>;
    /** Replaces it when its stored version is `expectedVersion`; Conflict otherwise, NotFound when gone. */
    save(subscription: StoredSubscription, expectedVersion: number): Promise<void>;
    /** Deletes it (its deliveries stay in the log; pending ones are given up by the worker). */
    remove(tenantId: string, id: string): Promise<void>;
    list(tenantId: string, page: PageRequest): Promise<Page<StoredSubscription>>;
  };
  deliveries: WebhookStorePorts['deliveries'] & {
    /** Like save, with outbox events written in the same transaction. */
    saveAnnouncing(delivery: WebhookDelivery, expectedVersion: number, events: OutboxEvent[]): Promise<void>;
    /** The deliveries of a subscription, newest first. */
    listBySubscription(tenantId: string, subscriptionId: string, page: PageRequest): Promise<Page<WebhookDelivery>>;
    /** Every attempt of a delivery, in order. */
    attempts(tenantId: string, deliveryId: string): Promise<DeliveryAttempt[]>;
  };
}

export interface WebhookAdminPorts extends WebhookStore {
  secrets: SecretCipher;
  /** Which addresses may be subscribed (loopback only in local runs). */
  policy: AddressPolicy;
  now(): string;
}

export interface SubscriptionView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  paused: boolean;
  /** When each live signing secret was made and until when it signs (null: the current one). Never the values. */
  secrets: { createdAt: string; expiresAt: string | null }[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function view(subscription: StoredSubscription): SubscriptionView {
  return {
    id: subscription.id,
    url: subscription.url,
    events: subscription.events,
    description: subscription.description ?? null,
    paused: subscription.paused,
    secrets: subscription.secrets.map((s) => ({ createdAt: s.createdAt, expiresAt: s.expiresAt })),
    version: subscription.version,
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  };
}

export interface DeliveryView {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  webhookId: string;
  status: WebhookDelivery['status'];
  attemptCount: number;
  nextAttemptAt: string | null;
  replays: number;
  failureReason: string | null;
  /** The message as sent: `{ type, timestamp, data }`. */
  payload: unknown;
  attempts: {
    n: number;
    at: string;
    replay: boolean;
    status: number | null;
    durationMs: number;
    responseExcerpt: string;
    error: { kind: string; message: string } | null;
  }[];
  createdAt: string;
  updatedAt: string;
}

export function deliveryView(delivery: WebhookDelivery, attempts: DeliveryAttempt[]): DeliveryView {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscriptionId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    webhookId: delivery.webhookId,
    status: delivery.status,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.nextAttemptAt,
    replays: delivery.replays,
    failureReason: delivery.failureReason ?? null,
    payload: JSON.parse(delivery.body),
    attempts: [...attempts]
      .sort((a, b) => a.n - b.n)
      .map((a) => ({ n: a.n, at: a.at, replay: a.replay, status: a.status, durationMs: a.durationMs, responseExcerpt: a.responseExcerpt, error: a.error })),
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
  };
}

/** The event types (and `area.*` patterns) a subscription may name. */
export function eventTypes(): string[] {
  return subscribableEventTypes();
}

/**
 * A new subscription; the answer carries its secret, which is never shown again.
 * With the caller's Idempotency-Key (`requestKey`) the subscription's id derives from it, so a retried
 * request answers the subscription the first one made (its current secret included) instead of making a
 * second one; the same key with another body is refused. (The generic Idempotency-Key store is not used
 * here: it would keep the secret in clear.)
 */
export async function subscribe(
  ports: WebhookAdminPorts,
  command: { tenantId: string; requestKey?: string } & SubscriptionInput,
): Promise<SubscriptionView & { secret: string }> {
  const { tenantId, requestKey, ...input } = command;
  const id = requestKey ? derivedId('webhook', tenantId, 'idempotency-key', requestKey) : newId('webhook');
  const now = ports.now();
  const secret = generateWebhookSecret();
  // validated before anything is sealed or stored
  const candidate = newSubscription(input, { tenantId, id, now, secret: null }, ports.policy);
  if (requestKey) {
    const first = await sameRequest(ports, candidate);
    if (first) return first;
  }
  const sealed = await ports.secrets.seal({ tenantId, purpose: secretPurpose(id) }, secret);
  const subscription = newSubscription(input, { tenantId, id, now, secret: sealed }, ports.policy);
  try {
    await ports.subscriptions.create(subscription);
  } catch (error) {
    // a concurrent retry with the same key made it first
    const first = requestKey && error instanceof Conflict ? await sameRequest(ports, candidate) : null;
    if (first) return first;
    throw error;
  }
  return { ...view(subscription), secret };
}

/** The subscription an earlier request with the same Idempotency-Key made, with its current secret; 422 when that request's body differed. */
async function sameRequest(ports: WebhookAdminPorts, candidate: WebhookSubscription<null>): Promise<(SubscriptionView & { secret: string }) | null> {
  const existing = await ports.subscriptions.get(candidate.tenantId, candidate.id);
  if (!existing) return null;
  const same =
    existing.url === candidate.url &&
    (existing.description ?? null) === (candidate.description ?? null) &&
    JSON.stringify(existing.events) === JSON.stringify(candidate.events);
  if (!same)
    throw new RuleViolation('this Idempotency-Key was used with another request body', [
      { field: 'Idempotency-Key', message: 'already used with a different body' },
    ]);
  const secret = await openSetting(
    ports.secrets,
    { tenantId: existing.tenantId, purpose: secretPurpose(existing.id) },
    existing.secrets[0].value,
    secretSetting(existing.id),
  );
  return { ...view(existing), secret };
}

async function load(ports: Pick<WebhookAdminPorts, 'subscriptions'>, tenantId: string, id: string): Promise<StoredSubscription> {
  const subscription = await ports.subscriptions.get(tenantId, id);
  if (!subscription) throw new NotFound(`webhook ${id}`);
  return subscription;
}

function checkVersion(subscription: StoredSubscription, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== subscription.version) throw staleVersion(expectedVersion, subscription.version);
}

export async function get(ports: Pick<WebhookAdminPorts, 'subscriptions'>, query: { tenantId: string; id: string }): Promise<SubscriptionView> {
  return view(await load(ports, query.tenantId, query.id));
}

export async function list(ports: Pick<WebhookAdminPorts, 'subscriptions'>, query: { tenantId: string; page: PageRequest }): Promise<Page<SubscriptionView>> {
  const page = await ports.subscriptions.list(query.tenantId, query.page);
  return { data: page.data.map(view), nextCursor: page.nextCursor };
}

/** A change of url, events, description or paused (pausing stops every delivery, retries and replays included). */
export async function change(
  ports: WebhookAdminPorts,
  command: { tenantId: string; id: string; changes: Partial<SubscriptionInput> & { paused?: boolean }; expectedVersion?: number },
): Promise<SubscriptionView> {
  const subscription = await load(ports, command.tenantId, command.id);
  checkVersion(subscription, command.expectedVersion);
  const changed = changeSubscription(subscription, command.changes, ports.now(), ports.policy);
  await ports.subscriptions.save(changed, subscription.version);
  return view(changed);
}

/** A new current secret, shown once; the previous ones keep signing for `overlapSeconds` (24 h unless told). */
export async function rotate(
  ports: WebhookAdminPorts,
  command: { tenantId: string; id: string; overlapSeconds?: number; expectedVersion?: number },
): Promise<SubscriptionView & { secret: string }> {
  const subscription = await load(ports, command.tenantId, command.id);
  checkVersion(subscription, command.expectedVersion);
  const secret = generateWebhookSecret();
  const sealed = await ports.secrets.seal({ tenantId: command.tenantId, purpose: secretPurpose(command.id) }, secret);
  const overlapMs = command.overlapSeconds === undefined ? undefined : command.overlapSeconds * 1000;
  const rotated = rotateSecret(subscription, sealed, ports.now(), overlapMs);
  await ports.subscriptions.save(rotated, subscription.version);
  return { ...view(rotated), secret };
}

export async function remove(
  ports: Pick<WebhookAdminPorts, 'subscriptions'>,
  command: { tenantId: string; id: string; expectedVersion?: number },
): Promise<void> {
  const subscription = await load(ports, command.tenantId, command.id);
  checkVersion(subscription, command.expectedVersion);
  await ports.subscriptions.remove(command.tenantId, command.id);
}

/** The delivery log of a subscription, newest first, every attempt of each delivery. */
export async function deliveries(
  ports: Pick<WebhookAdminPorts, 'subscriptions' | 'deliveries'>,
  query: { tenantId: string; id: string; page: PageRequest },
): Promise<Page<DeliveryView>> {
  await load(ports, query.tenantId, query.id);
  const page = await ports.deliveries.listBySubscription(query.tenantId, query.id, query.page);
  const attempts = await Promise.all(page.data.map((d) => ports.deliveries.attempts(query.tenantId, d.id)));
  return { data: page.data.map((d, i) => deliveryView(d, attempts[i])), nextCursor: page.nextCursor };
}

/**
 * Asks for one more attempt of a finished delivery (same webhook-id and body); the delivery function
 * makes it (never this request). Conflict while the delivery is still pending.
 */
export async function replay(
  ports: Pick<WebhookAdminPorts, 'subscriptions' | 'deliveries' | 'now'>,
  command: { tenantId: string; id: string; deliveryId: string },
): Promise<DeliveryView> {
  const subscription = await load(ports, command.tenantId, command.id);
  const delivery = await ports.deliveries.get(command.tenantId, command.deliveryId);
  if (!delivery || delivery.subscriptionId !== subscription.id) throw new NotFound(`delivery ${command.deliveryId}`);
  if (subscription.paused) throw new Conflict('the webhook is paused: resume it (PATCH paused: false) to replay', [{ field: 'paused', message: 'is true' }]);
  const now = ports.now();
  const replaying = replayDelivery(delivery, now);
  // the replay and the event that makes the delivery function attempt it, in one transaction
  const event = outboxEvent('webhookReplayRequested', command.tenantId, { deliveryId: delivery.id, subscriptionId: subscription.id }, new Date(now));
  await ports.deliveries.saveAnnouncing(replaying, delivery.version, [event]);
  return deliveryView(replaying, await ports.deliveries.attempts(command.tenantId, delivery.id));
}
