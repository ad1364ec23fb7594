import type { EntityItem } from 'electrodb';
import type { DunningPolicy, DunningStore, OverdueEpisode, OverdueStore, ReminderRecord, ReminderStore } from '../../../domain/scheduling';
import { conditionHeld, isConditionFailure } from '../errors';
import { defined } from '../helpers';
import type { CrmService } from '../service';
import { DunningPolicyEntity, OverdueEpisodeEntity, ReminderEntity } from './dunning-entities';
import { OutboxEntity } from '../kernel/outbox-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({
  dunningPolicy: DunningPolicyEntity,
  outbox: OutboxEntity,
  overdueEpisode: OverdueEpisodeEntity,
  reminder: ReminderEntity,
});

type EpisodeItem = EntityItem<CrmService['entities']['overdueEpisode']>;

const toEpisodeItem = (e: OverdueEpisode) => defined({ ...e, openKey: e.open ? 'open' : '' }) as EpisodeItem;
function fromEpisodeItem(item: EpisodeItem): OverdueEpisode {
  const { openKey: _o, ...rest } = item;
  return rest as OverdueEpisode;
}

/** Overdue episodes: a new episode is written with its `invoice.overdue` event in one transaction, conditioned on the record as read. */
export function overdueRepository(svc: CrmService): OverdueStore {
  const e = svc.entities.overdueEpisode;
  return {
    async get(tenantId, invoiceId) {
      const { data } = await e.get({ tenantId, invoiceId }).go({ consistent: true });
      return data ? fromEpisodeItem(data) : null;
    },
    async openEpisodes(tenantId) {
      const { data } = await e.query.openByTenant({ tenantId, openKey: 'open' }).go({ pages: 'all' });
      return data.map(fromEpisodeItem);
    },
    async save(next, expected, events) {
      const result = await svc.transaction
        .write((t) => [
          expected
            ? t.overdueEpisode
                .put(toEpisodeItem(next))
                .where((a, { eq }) => eq(a.version, expected.version))
                .commit()
            : t.overdueEpisode.create(toEpisodeItem(next)).commit(),
          ...events.map((event) => t.outbox.create(event).commit()),
        ])
        .go();
      return !result.canceled;
    },
  };
}

export function remindersRepository(svc: CrmService): ReminderStore {
  const e = svc.entities.reminder;
  return {
    async claim(record) {
      return conditionHeld(() => e.create(defined({ ...record }) as EntityItem<typeof e>).go());
    },
    async get(tenantId, invoiceId, stepId) {
      const { data } = await e.get({ tenantId, invoiceId, stepId }).go({ consistent: true });
      return (data as ReminderRecord | null) ?? null;
    },
    async put(record) {
      await e.put(defined({ ...record }) as EntityItem<typeof e>).go();
    },
    async listForInvoice(tenantId, invoiceId) {
      const { data } = await e.query.byInvoice({ tenantId, invoiceId }).go({ pages: 'all' });
      return data as ReminderRecord[];
    },
  };
}

export function dunningRepository(svc: CrmService): DunningStore {
  const e = svc.entities.dunningPolicy;
  return {
    async get(tenantId) {
      const { data } = await e.get({ tenantId }).go({ consistent: true });
      return (data as DunningPolicy | null) ?? null;
    },
    async save(policy, expectedVersion) {
      try {
        const item = defined({ ...policy }) as EntityItem<typeof e>;
        if (expectedVersion === 0) await e.create(item).go();
        else
          await e
            .put(item)
            .where((a, { eq }) => eq(a.version, expectedVersion))
            .go();
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}
