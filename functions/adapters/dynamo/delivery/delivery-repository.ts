import type { EntityItem } from 'electrodb';
import type { AutomationRule, AutomationRun, MessageRecord } from '../../../domain/delivery';
import { actorOf, Conflict, outboxEvent, staleVersion, timelineEntry } from '../../../domain/kernel';
import { isConditionFailure } from '../errors';
import type { CrmService } from '../service';
import type { AutomationRuleEntity, AutomationRunEntity } from './automation-entity';

/** A stored run as the domain sees it (the untyped `steps` attribute read back as what was written). */
function toRun(item: EntityItem<typeof AutomationRunEntity>): AutomationRun {
  return { ...item, steps: item.steps as AutomationRun['steps'] };
}

function toRule(item: EntityItem<typeof AutomationRuleEntity>): AutomationRule {
  return { ...item, actions: item.actions as AutomationRule['actions'], triggers: item.triggers as AutomationRule['triggers'] };
}

/**
 * Messages (claimed before they are sent), automation rules and runs. Each state change and the event
 * describing it are written in one transaction.
 */
export function deliveryRepository(service: CrmService) {
  const { message, automationRun, automationRule } = service.entities;
  const entryOf = (e: { tenantId: string; subjectType: string; subjectId: string; kind: string; actor: string; data: Record<string, unknown> }) =>
    timelineEntry({ ...e, actor: actorOf(e.actor) });

  const runs = {
    async create(run: AutomationRun): Promise<'created' | 'exists'> {
      try {
        await automationRun.create(run).go();
        return 'created';
      } catch (error) {
        if (isConditionFailure(error)) return 'exists';
        throw error;
      }
    },
    async get(tenantId: string, id: string): Promise<AutomationRun | null> {
      const { data } = await automationRun.get({ tenantId, id }).go();
      return data ? toRun(data) : null;
    },
    async save(run: AutomationRun): Promise<AutomationRun> {
      try {
        const { tenantId, id, version, createdAt: _c, ruleId: _r, subjectType: _s, subjectId: _i, causeEventId: _e, ...rest } = run;
        const { data } = await automationRun
          .patch({ tenantId, id })
          .set({ ...rest, error: rest.error ?? '', version: version + 1 })
          .where((a, { eq }) => eq(a.version, version))
          .go({ response: 'all_new' });
        return toRun(data as EntityItem<typeof AutomationRunEntity>);
      } catch (error) {
        if (isConditionFailure(error)) throw new Conflict(`automation run ${run.id} was advanced concurrently`);
        throw error;
      }
    },
  };

  const messages = {
    async claim(m: MessageRecord) {
      try {
        await message.create(m).go();
        return { claimed: true as const };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = (await message.get({ tenantId: m.tenantId, id: m.id }).go()).data as MessageRecord;
        return { claimed: false as const, existing };
      }
    },
    async markSent(m: MessageRecord, providerMessageId: string) {
      await service.transaction
        .write(({ message, outbox, timeline }) => [
          message
            .patch({ tenantId: m.tenantId, id: m.id })
            .set({ status: 'sent', providerMessageId, version: m.version + 1, updatedAt: new Date().toISOString() })
            .commit(),
          outbox
            .create(
              outboxEvent('messageSent', m.tenantId, {
                subjectType: m.subjectType,
                subjectId: m.subjectId,
                channel: m.channel,
                to: m.to,
                messageId: providerMessageId,
              }),
            )
            .commit(),
          timeline
            .create(
              entryOf({
                tenantId: m.tenantId,
                subjectType: m.subjectType,
                subjectId: m.subjectId,
                kind: 'message_sent',
                actor: m.createdBy ?? 'system',
                data: { channel: m.channel, to: m.to, messageId: m.id, providerMessageId, documentId: m.documentId ?? '', subject: m.subject ?? '' },
              }),
            )
            .commit(),
        ])
        .go();
    },
    async markFailed(m: MessageRecord, errorText: string) {
      await message
        .patch({ tenantId: m.tenantId, id: m.id })
        .set({ status: 'failed', error: errorText.slice(0, 500), updatedAt: new Date().toISOString() })
        .go();
    },
    async release(m: MessageRecord) {
      await message
        .delete({ tenantId: m.tenantId, id: m.id })
        .where((a, { eq }) => eq(a.status, 'sending'))
        .go();
    },
  };

  const rules = {
    async list(tenantId: string): Promise<AutomationRule[]> {
      return (await automationRule.query.byId({ tenantId }).go({ pages: 'all' })).data.map(toRule);
    },
    async get(tenantId: string, id: string): Promise<AutomationRule | null> {
      const { data } = await automationRule.get({ tenantId, id }).go();
      return data ? toRule(data) : null;
    },
    async put(rule: AutomationRule, expectedVersion?: number): Promise<AutomationRule> {
      if (expectedVersion === undefined) {
        await automationRule.create(rule).go();
        return rule;
      }
      try {
        const { tenantId, id, createdAt: _c, ...rest } = rule;
        const { data } = await automationRule
          .patch({ tenantId, id })
          .set({ ...rest, version: expectedVersion + 1 })
          .where((a, { eq }) => eq(a.version, expectedVersion))
          .go({ response: 'all_new' });
        return toRule(data as EntityItem<typeof AutomationRuleEntity>);
      } catch (error) {
        if (isConditionFailure(error)) {
          const current = await rules.get(rule.tenantId, rule.id);
          throw staleVersion(expectedVersion, current?.version ?? 0);
        }
        throw error;
      }
    },
    async remove(tenantId: string, id: string) {
      await automationRule.delete({ tenantId, id }).go();
    },
  };

  return { runs, messages, rules };
}

export type DeliveryRepository = ReturnType<typeof deliveryRepository>;
