import type { EntityItem } from 'electrodb';
import type { AutomationRule, AutomationRun, MessageRecord } from '../../../domain/delivery';
import { actorOf, Conflict, outboxEvent, staleVersion, timelineEntry, type Page, type PageRequest } from '../../../domain/kernel';
import { conditionHeld, isConditionFailure } from '../errors';
import { asGeneric, listBy, rejectedItems } from '../helpers';
import type { CrmService } from '../service';
import { AutomationRuleEntity, AutomationRunEntity } from './automation-entity';
import { MessageEntity } from './message-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { SendingQuotaEntity } from './sending-quota-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({
  automationRule: AutomationRuleEntity,
  automationRun: AutomationRunEntity,
  message: MessageEntity,
  outbox: OutboxEntity,
  sendingQuota: SendingQuotaEntity,
  timeline: TimelineEntity,
});

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
  const { message, automationRun, automationRule, sendingQuota } = service.entities;
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
    /** Newest first; by subject through its index, by status as a filter. */
    async list(tenantId: string, filter: { status?: string; subjectId?: string }, page: PageRequest): Promise<Page<AutomationRun>> {
      const result = await listBy<EntityItem<typeof AutomationRunEntity>>(asGeneric(automationRun), tenantId, filter, [['subjectId', 'bySubject']], page);
      return { data: result.data.map(toRun), nextCursor: result.nextCursor };
    },
    /**
     * A failed run made to run again (Automation.retried), its failed messages claimable again (status sending,
     * lease already expired: the run takes them over with the same Message-ID), and the automation.run_retried
     * event that resumes it: one transaction, conditioned on the run's version and the messages being failed.
     */
    async retry(run: AutomationRun, expectedVersion: number, messageIds: string[], retriedMessageId?: string): Promise<void> {
      const { tenantId, id, createdAt: _c, ruleId: _r, subjectType: _s, subjectId: _i, causeEventId: _e, version: _v, ...rest } = run;
      const now = run.updatedAt;
      const result = await service.transaction
        .write(({ automationRun, message, outbox }) => [
          automationRun
            .patch({ tenantId, id })
            .set({ ...rest, error: '', version: expectedVersion + 1 })
            .where((a, { eq }) => `${eq(a.version, expectedVersion)} AND ${eq(a.status, 'failed')}`)
            .commit(),
          ...messageIds.map((messageId) =>
            message
              .patch({ tenantId, id: messageId })
              .set({ status: 'sending', error: '', leaseUntil: now, updatedAt: now })
              .where((a, { eq }) => eq(a.status, 'failed'))
              .commit(),
          ),
          outbox
            .create(
              outboxEvent('automationRunRetried', tenantId, {
                runId: id,
                subjectType: run.subjectType,
                subjectId: run.subjectId,
                ...(retriedMessageId ? { messageId: retriedMessageId } : {}),
              }),
            )
            .commit(),
        ])
        .go();
      if (result.canceled) throw new Conflict(`automation run ${id} changed meanwhile (retried already?)`);
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
    async get(tenantId: string, id: string): Promise<MessageRecord | null> {
      const { data } = await message.get({ tenantId, id }).go();
      return data ? (data as MessageRecord) : null;
    },
    /** Newest first; by subject through its index, by status and channel as filters. */
    async list(tenantId: string, filter: { status?: string; subjectId?: string; channel?: string }, page: PageRequest): Promise<Page<MessageRecord>> {
      return listBy<MessageRecord>(asGeneric(message), tenantId, filter, [['subjectId', 'bySubject']], page);
    },
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
    async takeOver(existing: MessageRecord, next: { leaseUntil: string; now: string }): Promise<boolean> {
      return conditionHeld(() =>
        message
          .patch({ tenantId: existing.tenantId, id: existing.id })
          .set({ leaseUntil: next.leaseUntil, attempts: (existing.attempts ?? 1) + 1, version: existing.version + 1, updatedAt: next.now })
          .where((a, { eq }) => `${eq(a.version, existing.version)} AND ${eq(a.status, 'sending')}`)
          .go(),
      );
    },
    async markSent(m: MessageRecord, providerMessageId: string) {
      const result = await service.transaction
        .write(({ message, outbox, timeline }) => [
          message
            .patch({ tenantId: m.tenantId, id: m.id })
            .set({ status: 'sent', providerMessageId, version: m.version + 1, updatedAt: new Date().toISOString() })
            .where((a, { eq }) => eq(a.status, 'sending'))
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
                data: {
                  channel: m.channel,
                  to: m.to,
                  messageId: m.id,
                  providerMessageId,
                  documentId: m.documentId ?? '',
                  subject: m.subject ?? '',
                  // an address outside the subject's client (the rule's or the person's explicit allowExternalRecipient)
                  ...(m.external ? { external: true } : {}),
                },
              }),
            )
            .commit(),
        ])
        .go();
      if (result.canceled) {
        // recorded already (a takeover that raced the first sender): nothing more to write
        const current = (await message.get({ tenantId: m.tenantId, id: m.id }).go()).data;
        if (current?.status === 'sent') return;
        throw new Conflict(`message ${m.id} is ${current?.status ?? 'missing'}; not recorded as sent`);
      }
    },
    async markFailed(m: MessageRecord, errorText: string) {
      const reason = errorText.slice(0, 500);
      const result = await service.transaction
        .write(({ message, outbox, timeline }) => [
          message
            .patch({ tenantId: m.tenantId, id: m.id })
            .set({ status: 'failed', error: reason, updatedAt: new Date().toISOString() })
            .where((a, { eq }) => eq(a.status, 'sending'))
            .commit(),
          outbox
            .create(
              outboxEvent('messageFailed', m.tenantId, {
                subjectType: m.subjectType,
                subjectId: m.subjectId,
                channel: m.channel,
                to: m.to,
                messageId: m.id,
                reason,
                ...(m.runId ? { runId: m.runId } : {}),
              }),
            )
            .commit(),
          timeline
            .create(
              entryOf({
                tenantId: m.tenantId,
                subjectType: m.subjectType,
                subjectId: m.subjectId,
                kind: 'message_failed',
                actor: m.createdBy ?? 'system',
                data: { channel: m.channel, to: m.to, messageId: m.id, reason, runId: m.runId ?? '', documentId: m.documentId ?? '' },
              }),
            )
            .commit(),
        ])
        .go();
      if (result.canceled) {
        const current = (await message.get({ tenantId: m.tenantId, id: m.id }).go()).data;
        if (current?.status === 'failed') return;
        throw new Conflict(`message ${m.id} is ${current?.status ?? 'missing'}; not recorded as failed`);
      }
    },
  };

  const quota = {
    async consume(input: {
      tenantId: string;
      channel: 'email' | 'sms';
      day: string;
      limit: number;
      messageId: string;
      now: string;
    }): Promise<'counted' | 'over'> {
      const counter = `${input.channel}#${input.day}`;
      const result = await service.transaction
        .write(({ sendingQuota }) => [
          sendingQuota.create({ tenantId: input.tenantId, key: `${counter}#${input.messageId}`, updatedAt: input.now }).commit(),
          sendingQuota
            .update({ tenantId: input.tenantId, key: counter })
            .add({ count: 1 })
            .set({ updatedAt: input.now })
            .where((a, { notExists, lt }) => `${notExists(a.count)} OR ${lt(a.count, input.limit)}`)
            .commit(),
        ])
        .go();
      if (!result.canceled) return 'counted';
      const rejected = rejectedItems(result);
      if (rejected.some((r) => r.index === 0 && r.code === 'ConditionalCheckFailed')) return 'counted'; // counted before
      if (rejected.some((r) => r.index === 1 && r.code === 'ConditionalCheckFailed')) return 'over';
      throw new Conflict(`the sending quota could not be counted: ${rejected.map((r) => `${r.index}:${r.code}`).join(', ')}`);
    },
    async used(tenantId: string, channel: 'email' | 'sms', day: string): Promise<number> {
      const { data } = await sendingQuota.get({ tenantId, key: `${channel}#${day}` }).go();
      return data?.count ?? 0;
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

  return { runs, messages, rules, quota };
}

export type DeliveryRepository = ReturnType<typeof deliveryRepository>;
