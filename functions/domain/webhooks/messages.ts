/**
 * What a subscriber receives: which events a subscription wants, and the message of one event.
 *
 * Event-type patterns: an exact type (`quote.accepted`), every type of an area (`invoice.*`,
 * `payment.*`) or everything (`*`). Only types of the event catalog (events/catalog.ts) that are
 * meant for the outside can be subscribed to; internal ones (e.g. `document.requested`) cannot.
 *
 * The message follows the Standard Webhooks convention: the body is `{ type, timestamp, data }`
 * (timestamp = when the event happened, data = the event's detail), and its id (the `webhook-id`
 * header) is derived from the event id and the subscription id, so every delivery and redelivery of
 * one event to one subscription carries the same id and the same bytes, and the receiver can
 * deduplicate on it.
 */
import { createHash } from 'node:crypto';
import { eventsByDetailType } from '../../../events/catalog';
import { internalEventTypes } from '../../../events/internal';

/** Catalog events that stay inside the service (commands between our own functions). */
const INTERNAL_EVENTS = internalEventTypes;

/** True for catalog events that are never delivered to subscribers (even to `*`). */
export const isInternalEvent = (type: string): boolean => INTERNAL_EVENTS.has(type);

/** The event types a subscription may name, sorted. */
export function subscribableEventTypes(): string[] {
  return Object.keys(eventsByDetailType)
    .filter((t) => !INTERNAL_EVENTS.has(t))
    .sort();
}

/** The reason a pattern is not acceptable, or null when it is. */
export function patternProblem(pattern: string, known: readonly string[] = subscribableEventTypes()): string | null {
  if (pattern === '*') return null;
  if (pattern.endsWith('.*')) {
    const area = pattern.slice(0, -1);
    return known.some((t) => t.startsWith(area)) ? null : `no event type starts with "${area}"`;
  }
  return known.includes(pattern) ? null : `unknown event type "${pattern}"`;
}

/** True when one of the patterns covers the event type. */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1)) && type.length > p.length - 1));
}

/** An event as the bus carries it: detail-type plus detail (with eventId, tenantId, occurredAt). */
export interface BusEvent {
  type: string;
  detail: { eventId: string; tenantId: string; occurredAt: string } & Record<string, unknown>;
}

export interface WebhookMessage {
  /** `webhook-id`: the same for every delivery of this event to this subscription. */
  webhookId: string;
  type: string;
  /** The exact bytes to send (and to sign), kept so a redelivery sends the same. */
  body: string;
}

/** The hex digest both ids of a (subscription, event) pair are made from. */
function pairDigest(subscriptionId: string, eventId: string): string {
  return createHash('sha256').update(`${subscriptionId}\n${eventId}`).digest('hex').slice(0, 32);
}

/** `msg_...`: the Standard Webhooks message id of this event for this subscription. */
export function webhookIdOf(subscriptionId: string, eventId: string): string {
  return `msg_${pairDigest(subscriptionId, eventId)}`;
}

/** `whd_...`: the id of the delivery of this event to this subscription (one per pair, so fan-out is idempotent). */
export function deliveryIdOf(subscriptionId: string, eventId: string): string {
  return `whd_${pairDigest(subscriptionId, eventId)}`;
}

/** The message of one event for one subscription. */
export function webhookMessage(subscriptionId: string, event: BusEvent): WebhookMessage {
  return {
    webhookId: webhookIdOf(subscriptionId, event.detail.eventId),
    type: event.type,
    body: JSON.stringify({ type: event.type, timestamp: event.detail.occurredAt, data: event.detail }),
  };
}
