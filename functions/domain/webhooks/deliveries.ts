/**
 * Webhook deliveries: one per (event, subscription), with every attempt kept.
 *
 * Fan-out turns one bus event into the deliveries of the subscriptions that want it and are not paused;
 * a delivery's id comes from the pair, so handling the same bus event twice creates nothing new.
 * An attempt's outcome moves the delivery on: a 2xx answer ends it (succeeded); anything else
 * (non-2xx, timeout, refused address, DNS or connection failure) schedules the next attempt by the
 * Standard Webhooks schedule (schedule.ts) until the eighth fails (failed). A delivery whose
 * subscription was paused or deleted meanwhile is not attempted again (failed, with the reason): a
 * paused subscription receives nothing, replays included.
 *
 * A replay sends a finished delivery once more, at once, with the same `webhook-id` and body (the
 * receiver may deduplicate on it); it makes one attempt and does not start a new retry schedule.
 *
 * Attempts are numbered from 1 and a delivery expects them in order: the worker that records attempt n
 * of a delivery that already has n attempts is a duplicate (the queue delivers at least once) and stops.
 * Pure: instants come in as arguments.
 */
import { Conflict } from '../kernel';
import { deliveryIdOf, isInternalEvent, matchesEventType, webhookMessage, type BusEvent } from './messages';
import { MAX_ATTEMPTS, nextAttemptAt } from './schedule';
import type { WebhookSubscription } from './subscriptions';

/** Why an attempt did not end in a 2xx answer. */
export type AttemptErrorKind = 'timeout' | 'refused_address' | 'dns' | 'connection' | 'http_status';

/** What the sender reports about one HTTP attempt (the WebhookSender port's answer). */
export interface AttemptResult {
  /** The HTTP status, when an answer came. */
  status: number | null;
  durationMs: number;
  /** The first bytes of the answer's body (a few KiB at most), as text. */
  responseExcerpt: string;
  error: { kind: AttemptErrorKind; message: string } | null;
}

export interface DeliveryAttempt extends AttemptResult {
  deliveryId: string;
  /** 1 for the first attempt. */
  n: number;
  at: string;
  replay: boolean;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  tenantId: string;
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  webhookId: string;
  body: string;
  status: DeliveryStatus;
  attemptCount: number;
  /** Instant the retry schedule counts from (when the delivery was created, i.e. its first attempt was due). */
  scheduleStartedAt: string;
  /** When the next attempt is due; null when none is (succeeded or failed). */
  nextAttemptAt: string | null;
  /** True while a replay's single attempt is pending or after it ran. */
  replaying: boolean;
  replays: number;
  failureReason?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The deliveries one bus event gives rise to: one per active subscription of the tenant that wants it. */
export function fanOut<S>(subscriptions: readonly WebhookSubscription<S>[], event: BusEvent, now: string): WebhookDelivery[] {
  if (isInternalEvent(event.type)) return [];
  return subscriptions
    .filter((s) => s.tenantId === event.detail.tenantId && !s.paused && matchesEventType(s.events, event.type))
    .map((s) => {
      const message = webhookMessage(s.id, event);
      return {
        tenantId: s.tenantId,
        id: deliveryIdOf(s.id, event.detail.eventId),
        subscriptionId: s.id,
        eventId: event.detail.eventId,
        eventType: event.type,
        webhookId: message.webhookId,
        body: message.body,
        status: 'pending' as const,
        attemptCount: 0,
        scheduleStartedAt: now,
        nextAttemptAt: now,
        replaying: false,
        replays: 0,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
    });
}

export type AttemptDecision =
  | { action: 'send' }
  | { action: 'wait'; until: string }
  | { action: 'skip'; reason: string }
  | { action: 'cancel'; reason: string };

/** What the worker should do with a delivery it picked up at `now`, given its subscription (null if deleted). */
export function decideAttempt<S>(delivery: WebhookDelivery, subscription: WebhookSubscription<S> | null, now: string): AttemptDecision {
  if (delivery.status !== 'pending') return { action: 'skip', reason: `the delivery has ${delivery.status}` };
  if (!subscription) return { action: 'cancel', reason: 'the subscription was deleted' };
  if (subscription.paused) return { action: 'cancel', reason: 'the subscription is paused' };
  if (delivery.nextAttemptAt && Date.parse(delivery.nextAttemptAt) > Date.parse(now)) return { action: 'wait', until: delivery.nextAttemptAt };
  return { action: 'send' };
}

/** The delivery given up without an attempt (see decideAttempt's `cancel`). */
export function cancelDelivery(delivery: WebhookDelivery, reason: string, now: string): WebhookDelivery {
  return { ...delivery, status: 'failed', nextAttemptAt: null, failureReason: reason, version: delivery.version + 1, updatedAt: now };
}

const succeeded = (result: AttemptResult) => result.error === null && result.status !== null && result.status >= 200 && result.status < 300;

/**
 * Records attempt number `n` (made at `at`) and moves the delivery on. Conflict when the delivery is
 * not pending or already has that attempt (a duplicate worker).
 */
export function recordAttempt(
  delivery: WebhookDelivery,
  n: number,
  result: AttemptResult,
  at: string,
): { delivery: WebhookDelivery; attempt: DeliveryAttempt } {
  if (delivery.status !== 'pending') throw new Conflict(`delivery ${delivery.id} has ${delivery.status}`);
  if (n !== delivery.attemptCount + 1) throw new Conflict(`attempt ${n} of delivery ${delivery.id} is not the next one (${delivery.attemptCount + 1})`);
  const attempt: DeliveryAttempt = { ...result, deliveryId: delivery.id, n, at, replay: delivery.replaying };
  const { failureReason: _previous, ...rest } = delivery;
  const base = { ...rest, attemptCount: n, version: delivery.version + 1, updatedAt: at };
  if (succeeded(result)) return { delivery: { ...base, status: 'succeeded', nextAttemptAt: null }, attempt };
  const reason = result.error?.message ?? `answered ${result.status}`;
  if (delivery.replaying) return { delivery: { ...base, status: 'failed', nextAttemptAt: null, failureReason: reason }, attempt };
  // Replays never start a schedule, so every attempt so far belongs to the first one.
  const next = n >= MAX_ATTEMPTS ? null : nextAttemptAt(n, delivery.scheduleStartedAt);
  if (!next) return { delivery: { ...base, status: 'failed', nextAttemptAt: null, failureReason: reason }, attempt };
  const due = Math.max(next.getTime(), Date.parse(at));
  return { delivery: { ...base, status: 'pending', nextAttemptAt: new Date(due).toISOString(), failureReason: reason }, attempt };
}

/** A finished delivery sent once more, at once (same webhook-id and body). Conflict while it is pending. */
export function replayDelivery(delivery: WebhookDelivery, now: string): WebhookDelivery {
  if (delivery.status === 'pending') throw new Conflict(`delivery ${delivery.id} is still pending`);
  const { failureReason: _previous, ...rest } = delivery;
  return {
    ...rest,
    status: 'pending',
    nextAttemptAt: now,
    replaying: true,
    replays: delivery.replays + 1,
    version: delivery.version + 1,
    updatedAt: now,
  };
}
