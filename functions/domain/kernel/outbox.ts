/**
 * Outbox records: a domain event, written in the same DynamoDB transaction as the change it describes.
 * The table's stream carries the INSERT to publish-events, which puts it on the bus with its eventId
 * (consumers deduplicate by it). Generic over the event catalog, so other features can use it too.
 */
import { events, eventsByDetailType, type EventDetail } from '../../../events/catalog';
import { newId } from './ids';

/** Outbox records are deleted by TTL a week after they were written (long after they were published). */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;

export interface OutboxEvent {
  tenantId: string;
  eventId: string;
  detailType: string;
  /** The event's own fields; publish-events adds eventId, tenantId and occurredAt. */
  detail: Record<string, unknown>;
  createdAt: string;
  /** Epoch seconds. */
  ttl: number;
}

type EventKey = keyof typeof events;
type OwnDetail<K extends EventKey> = Omit<EventDetail<K>, 'eventId' | 'tenantId' | 'occurredAt'>;

/**
 * An outbox record for event `name` of the catalog. The detail is checked against the event's schema
 * here, so a malformed event fails the write that would have emitted it (a bug), never the publisher.
 */
export function outboxEvent<K extends EventKey>(name: K, tenantId: string, detail: OwnDetail<K>, now: Date = new Date()): OutboxEvent {
  const definition = events[name];
  const eventId = newId('event');
  const createdAt = now.toISOString();
  const own = Object.fromEntries(Object.entries(detail as Record<string, unknown>).filter(([, v]) => v !== undefined));
  const checked = definition.schema.safeParse({ ...own, eventId, tenantId, occurredAt: createdAt });
  if (!checked.success) {
    throw new Error(`invalid ${definition.detailType} detail: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return {
    tenantId,
    eventId,
    detailType: definition.detailType,
    detail: own,
    createdAt,
    ttl: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}

/**
 * An event a verb asks to publish, by detail type, before it has an id: the adapter that writes the verb's
 * transaction turns it into its outbox record with `outboxRecord` (same id, TTL and schema check as
 * `outboxEvent`).
 */
export interface PendingEvent {
  tenantId: string;
  /** An event of events/catalog.ts. */
  detailType: string;
  detail: Record<string, unknown>;
}

export function pendingEvent(tenantId: string, detailType: string, detail: Record<string, unknown>): PendingEvent {
  return { tenantId, detailType, detail };
}

/** The outbox record of a pending event; its detail is checked against the event's schema (a bug fails the write). */
export function outboxRecord(event: PendingEvent, now: Date = new Date()): OutboxEvent {
  const definition = eventsByDetailType[event.detailType];
  if (!definition) throw new Error(`unknown event ${event.detailType}`);
  const key = (Object.keys(events) as EventKey[]).find((k) => events[k] === definition)!;
  return outboxEvent(key, event.tenantId, event.detail as OwnDetail<typeof key>, now);
}
