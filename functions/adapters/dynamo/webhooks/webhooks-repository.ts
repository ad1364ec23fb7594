/**
 * The webhooks store on the single table: subscriptions, deliveries (with the sparse due index the
 * sweep reads) and their attempts. A delivery and its attempt are written in one transaction,
 * conditioned on the delivery's version, so two workers never record the same attempt twice.
 */
import type { EntityItem } from 'electrodb';
import { Conflict, InvalidInput, NotFound, type OutboxEvent } from '../../../domain/kernel';
import type { DeliveryAttempt, StoredSubscription, WebhookDelivery, WebhookStore } from '../../../domain/webhooks';
import { conditionHeld, isConditionFailure, isInvalidCursor } from '../errors';
import { defined, rejectedItems } from '../helpers';
import type { CrmService } from '../service';
import { DUE_SHARD, WebhookAttemptEntity, WebhookDeliveryEntity } from './delivery-entity';
import { WebhookSubscriptionEntity } from './subscription-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({
  outbox: OutboxEntity,
  webhookAttempt: WebhookAttemptEntity,
  webhookDelivery: WebhookDeliveryEntity,
  webhookSubscription: WebhookSubscriptionEntity,
});

type SubscriptionItem = EntityItem<typeof WebhookSubscriptionEntity>;
type DeliveryItem = EntityItem<typeof WebhookDeliveryEntity>;
type AttemptItem = EntityItem<typeof WebhookAttemptEntity>;

const toSubscriptionItem = (s: StoredSubscription): SubscriptionItem => defined({ ...s }) as SubscriptionItem;

function fromSubscriptionItem(item: SubscriptionItem): StoredSubscription {
  return {
    tenantId: item.tenantId,
    id: item.id,
    url: item.url,
    events: [...item.events],
    ...(item.description ? { description: item.description } : {}),
    paused: item.paused,
    secrets: item.secrets as StoredSubscription['secrets'],
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

function toDeliveryItem(d: WebhookDelivery): DeliveryItem {
  const due = d.status === 'pending' && d.nextAttemptAt ? { dueShard: DUE_SHARD, dueAt: d.nextAttemptAt } : {};
  return defined({ ...d, ...due }) as DeliveryItem;
}

function fromDeliveryItem(item: DeliveryItem): WebhookDelivery {
  return {
    tenantId: item.tenantId,
    id: item.id,
    subscriptionId: item.subscriptionId,
    eventId: item.eventId,
    eventType: item.eventType,
    webhookId: item.webhookId,
    body: item.body,
    status: item.status,
    attemptCount: item.attemptCount,
    scheduleStartedAt: item.scheduleStartedAt,
    nextAttemptAt: item.nextAttemptAt ?? null,
    replaying: item.replaying,
    replays: item.replays,
    ...(item.failureReason ? { failureReason: item.failureReason } : {}),
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

function toAttemptItem(tenantId: string, a: DeliveryAttempt): AttemptItem {
  return defined({
    tenantId,
    deliveryId: a.deliveryId,
    seq: String(a.n).padStart(6, '0'),
    n: a.n,
    at: a.at,
    replay: a.replay,
    status: a.status ?? undefined,
    durationMs: a.durationMs,
    responseExcerpt: a.responseExcerpt || undefined,
    errorKind: a.error?.kind,
    errorMessage: a.error?.message,
  }) as AttemptItem;
}

function fromAttemptItem(item: AttemptItem): DeliveryAttempt {
  return {
    deliveryId: item.deliveryId,
    n: item.n,
    at: item.at,
    replay: item.replay,
    status: item.status ?? null,
    durationMs: item.durationMs,
    responseExcerpt: item.responseExcerpt ?? '',
    error: item.errorKind ? { kind: item.errorKind as NonNullable<DeliveryAttempt['error']>['kind'], message: item.errorMessage ?? '' } : null,
  };
}

async function paged<T>(run: () => Promise<{ data: T[]; cursor: string | null }>) {
  try {
    return await run();
  } catch (error) {
    if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
    throw error;
  }
}

export interface WebhooksRepository extends WebhookStore {
  /** Pending deliveries of every tenant whose next attempt is due at `now` or before, soonest first. */
  due(now: string, limit: number): Promise<{ tenantId: string; id: string }[]>;
}

export function webhooksRepository(service: CrmService): WebhooksRepository {
  const { webhookSubscription: subscription, webhookDelivery: delivery, webhookAttempt: attempt } = service.entities;

  /** The delivery (version-conditioned), its new attempt and its events: one transaction. */
  async function saveDelivery(d: WebhookDelivery, expectedVersion: number, made: DeliveryAttempt | undefined, events: OutboxEvent[]): Promise<void> {
    const result = await service.transaction
      .write(({ webhookDelivery, webhookAttempt, outbox }) => [
        webhookDelivery
          .put(toDeliveryItem(d))
          .where((a, { eq }) => eq(a.version, expectedVersion))
          .commit(),
        ...(made ? [webhookAttempt.create(toAttemptItem(d.tenantId, made)).commit()] : []),
        ...events.map((event) => outbox.create(event).commit()),
      ])
      .go();
    if (!result.canceled) return;
    const rejected = rejectedItems(result);
    if (rejected.some((r) => r.code === 'ConditionalCheckFailed' || r.code === 'TransactionConflict')) {
      throw new Conflict(`delivery ${d.id} moved on (version ${expectedVersion} is stale)`);
    }
    throw new Error(`webhook delivery transaction canceled: ${rejected.map((r) => `${r.index}:${r.code}`).join(', ')}`);
  }

  return {
    subscriptions: {
      async get(tenantId, id) {
        const { data } = await subscription.get({ tenantId, id }).go({ consistent: true });
        return data ? fromSubscriptionItem(data) : null;
      },
      async listByTenant(tenantId) {
        const { data } = await subscription.query.byId({ tenantId }).go({ pages: 'all' });
        return data.map(fromSubscriptionItem);
      },
      async list(tenantId, page) {
        const result = await paged(() => subscription.query.byId({ tenantId }).go({ order: 'desc', limit: page.limit, cursor: page.cursor ?? null }));
        return { data: result.data.map(fromSubscriptionItem), nextCursor: result.cursor ?? null };
      },
      async create(s) {
        try {
          await subscription.create(toSubscriptionItem(s)).go();
        } catch (error) {
          if (isConditionFailure(error)) throw new Conflict(`webhook ${s.id} already exists`);
          throw error;
        }
      },
      async save(s, expectedVersion) {
        try {
          await subscription
            .put(toSubscriptionItem(s))
            .where((a, { eq }) => eq(a.version, expectedVersion))
            .go();
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          const current = await subscription.get({ tenantId: s.tenantId, id: s.id }).go({ consistent: true });
          if (!current.data) throw new NotFound(`webhook ${s.id}`);
          throw new Conflict(
            `webhook ${s.id} changed meanwhile: version ${current.data.version}`,
            [{ field: 'version', message: `expected ${current.data.version}` }],
            {
              currentVersion: current.data.version,
            },
          );
        }
      },
      async remove(tenantId, id) {
        await subscription.delete({ tenantId, id }).go();
      },
    },

    deliveries: {
      async get(tenantId, id) {
        const { data } = await delivery.get({ tenantId, id }).go({ consistent: true });
        return data ? fromDeliveryItem(data) : null;
      },
      async createIfAbsent(d) {
        return conditionHeld(() => delivery.create(toDeliveryItem(d)).go());
      },
      save: (d, expectedVersion, made) => saveDelivery(d, expectedVersion, made, []),
      saveAnnouncing: (d, expectedVersion, events) => saveDelivery(d, expectedVersion, undefined, events),
      async listBySubscription(tenantId, subscriptionId, page) {
        const result = await paged(() =>
          delivery.query.bySubscription({ tenantId, subscriptionId }).go({ order: 'desc', limit: page.limit, cursor: page.cursor ?? null }),
        );
        return { data: result.data.map(fromDeliveryItem), nextCursor: result.cursor ?? null };
      },
      async attempts(tenantId, deliveryId) {
        const { data } = await attempt.query.byDelivery({ tenantId, deliveryId }).go({ pages: 'all' });
        return data.map(fromAttemptItem);
      },
    },

    async due(now, limit) {
      const { data } = await delivery.query
        .due({ dueShard: DUE_SHARD })
        .lte({ dueAt: now })
        .go({ limit, attributes: ['tenantId', 'id'] });
      return data.map((d) => ({ tenantId: d.tenantId, id: d.id }));
    },
  };
}
