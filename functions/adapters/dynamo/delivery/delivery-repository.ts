import type { AutomationRule, AutomationRun } from '../../../domain/delivery/automation';
import type { DocumentRecord, MessageRecord, PublicLink } from '../../../domain/documents/document';
import { Conflict, staleVersion } from '../../../domain/kernel/errors';
import { isConditionFailure } from '../errors';
import { outboxEvent } from '../../../domain/kernel/outbox';
import { timelineEntry, type Actor } from '../../../domain/kernel/timeline';
import type { CrmService } from '../service';

/** Views and opens of one link produce at most one event per this interval. */
export const VIEW_EVENT_INTERVAL_MS = 10 * 60 * 1000;

/** An actor string as automation records it ("automation:rule_x", "client:link", "usr_x") as a timeline actor. */
export function actorOf(actor: string): Actor {
  if (actor.startsWith('automation:')) return { type: 'automation', id: actor.slice(11) };
  if (actor.startsWith('client')) return { type: 'client', id: actor.split(':')[1] ?? 'public-link' };
  if (actor === 'system') return { type: 'system', id: 'system' };
  return { type: 'user', id: actor };
}

/**
 * Documents, public links, messages, automation rules and runs. Each state change and the event
 * describing it are written in one transaction.
 */
export function deliveryRepository(service: CrmService) {
  const { document, publicLink, message, automationRun, automationRule, outbox, timeline } = service.entities as any;
  const tl = (e: { tenantId: string; subjectType: string; subjectId: string; kind: string; actor: string; data: Record<string, unknown> }) =>
    [timeline.create(timelineEntry({ ...e, actor: actorOf(e.actor) })).commit()];

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
      return ((await automationRun.get({ tenantId, id }).go()).data as AutomationRun) ?? null;
    },
    async save(run: AutomationRun): Promise<AutomationRun> {
      try {
        const { tenantId, id, version, createdAt: _c, ruleId: _r, subjectType: _s, subjectId: _i, causeEventId: _e, ...rest } = run;
        const { data } = await automationRun.patch({ tenantId, id })
          .set({ ...rest, error: rest.error ?? '', version: version + 1 })
          .where((a: any, { eq }: any) => eq(a.version, version))
          .go({ response: 'all_new' });
        return data as AutomationRun;
      } catch (error) {
        if (isConditionFailure(error)) throw new Conflict(`automation run ${run.id} was advanced concurrently`);
        throw error;
      }
    },
  };

  const documents = {
    async request(doc: DocumentRecord, link: PublicLink): Promise<'created' | 'exists'> {
      const result = await service.transaction.write(() => [
        document.create(doc).commit(),
        publicLink.create(link).commit(),
        outbox.create(outboxEvent('documentRequested', doc.tenantId, {
          documentId: doc.id, subjectType: doc.subjectType, subjectId: doc.subjectId, templateId: doc.templateId,
          ...(doc.cause ? { cause: doc.cause } : {}),
        })).commit(),
      ]).go();
      if (result.canceled) {
        const existing = await documents.get(doc.tenantId, doc.id);
        if (existing) return 'exists';
        throw new Error(`document ${doc.id} could not be requested`);
      }
      return 'created';
    },
    async get(tenantId: string, id: string): Promise<DocumentRecord | null> {
      return ((await document.get({ tenantId, id }).go()).data as DocumentRecord) ?? null;
    },
    /** The subject's newest documents (at most `limit`), oldest first. */
    async listForSubject(tenantId: string, subjectId: string, limit = 100): Promise<DocumentRecord[]> {
      const { data } = await document.query.bySubject({ tenantId, subjectId }).go({ order: 'desc', limit });
      return (data as DocumentRecord[]).reverse();
    },
    async latestReady(tenantId: string, subjectId: string): Promise<DocumentRecord | null> {
      const { data } = await document.query.bySubject({ tenantId, subjectId }).go({ order: 'desc', limit: 25 });
      return (data as DocumentRecord[]).find((d) => d.status === 'ready') ?? null;
    },
    /** pending -> ready or failed, once: the document.created / document.failed event goes with it. */
    async complete(doc: DocumentRecord, outcome: { status: 'ready'; sha256: string; size: number; pages?: number } | { status: 'failed'; reason: string }): Promise<boolean> {
      const { tenantId, id } = doc;
      const detail = { documentId: id, subjectType: doc.subjectType, subjectId: doc.subjectId, ...(doc.cause ? { cause: doc.cause } : {}) };
      const result = await service.transaction.write(() => [
        document.patch({ tenantId, id })
          .set({ ...outcome, version: doc.version + 1, updatedAt: new Date().toISOString() })
          .where((a: any, { eq }: any) => eq(a.status, 'pending'))
          .commit(),
        outbox.create(outcome.status === 'ready'
          ? outboxEvent('documentCreated', tenantId, { ...detail, sha256: outcome.sha256, size: outcome.size })
          : outboxEvent('documentFailed', tenantId, { ...detail, reason: outcome.reason })).commit(),
        ...tl({ tenantId, subjectType: doc.subjectType, subjectId: doc.subjectId, kind: outcome.status === 'ready' ? 'document_created' : 'document_failed', actor: doc.createdBy, data: { documentId: id, ...outcome } }),
      ]).go();
      return !result.canceled;
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
      await service.transaction.write(() => [
        message.patch({ tenantId: m.tenantId, id: m.id }).set({ status: 'sent', providerMessageId, version: m.version + 1, updatedAt: new Date().toISOString() }).commit(),
        outbox.create(outboxEvent('messageSent', m.tenantId, {
          subjectType: m.subjectType, subjectId: m.subjectId, channel: m.channel, to: m.to, messageId: providerMessageId,
        })).commit(),
        ...tl({ tenantId: m.tenantId, subjectType: m.subjectType, subjectId: m.subjectId, kind: 'message_sent', actor: m.createdBy ?? 'system', data: { channel: m.channel, to: m.to, messageId: m.id, providerMessageId, documentId: m.documentId ?? '', subject: m.subject ?? '' } }),
      ]).go();
    },
    async markFailed(m: MessageRecord, errorText: string) {
      await message.patch({ tenantId: m.tenantId, id: m.id }).set({ status: 'failed', error: errorText.slice(0, 500), updatedAt: new Date().toISOString() }).go();
    },
    async release(m: MessageRecord) {
      await message.delete({ tenantId: m.tenantId, id: m.id }).where((a: any, { eq }: any) => eq(a.status, 'sending')).go();
    },
  };

  const links = {
    async get(token: string): Promise<PublicLink | null> {
      return ((await publicLink.get({ token }).go()).data as PublicLink) ?? null;
    },
    /**
     * Counts a view or an open. The first one, and then at most one every VIEW_EVENT_INTERVAL, also
     * writes a timeline entry and emits document.viewed (in the same transaction): link scanners and
     * reloads cannot flood the timeline or the bus.
     */
    async recordView(link: PublicLink, via: 'link' | 'email_open', meta: { ip?: string; userAgent?: string }): Promise<boolean> {
      const now = new Date();
      const at = now.toISOString();
      const cutoff = new Date(now.getTime() - VIEW_EVENT_INTERVAL_MS).toISOString();
      const counter = via === 'link' ? { views: 1 } : { opens: 1 };
      const marker = via === 'link' ? 'lastViewEventAt' : 'lastOpenEventAt';
      const result = await service.transaction.write(() => [
        publicLink.patch({ token: link.token }).add(counter).set({ lastViewedAt: at, [marker]: at })
          .where((a: any, { notExists, lt }: any) => `${notExists(a[marker])} OR ${lt(a[marker], cutoff)}`)
          .commit(),
        outbox.create(outboxEvent('documentViewed', link.tenantId, {
          subjectType: link.subjectType, subjectId: link.subjectId, via, ...(link.documentId ? { documentId: link.documentId } : {}),
        })).commit(),
        ...tl({ tenantId: link.tenantId, subjectType: link.subjectType, subjectId: link.subjectId, kind: via === 'link' ? 'viewed' : 'email_opened', actor: 'client', data: { documentId: link.documentId ?? '', ip: meta.ip ?? '', userAgent: (meta.userAgent ?? '').slice(0, 200) } }),
      ]).go();
      if (!result.canceled) return true;
      await publicLink.patch({ token: link.token }).add(counter).set({ lastViewedAt: at }).go();
      return false;
    },
    async revoke(token: string) {
      await publicLink.patch({ token }).set({ revokedAt: new Date().toISOString() }).go();
    },
  };

  const rules = {
    async list(tenantId: string): Promise<AutomationRule[]> {
      return (await automationRule.query.byId({ tenantId }).go({ pages: 'all' })).data as AutomationRule[];
    },
    async get(tenantId: string, id: string): Promise<AutomationRule | null> {
      return ((await automationRule.get({ tenantId, id }).go()).data as AutomationRule) ?? null;
    },
    async put(rule: AutomationRule, expectedVersion?: number): Promise<AutomationRule> {
      if (expectedVersion === undefined) {
        await automationRule.create(rule).go();
        return rule;
      }
      try {
        const { tenantId, id, createdAt: _c, ...rest } = rule;
        const { data } = await automationRule.patch({ tenantId, id })
          .set({ ...rest, version: expectedVersion + 1 })
          .where((a: any, { eq }: any) => eq(a.version, expectedVersion))
          .go({ response: 'all_new' });
        return data as AutomationRule;
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

  return { runs, documents, messages, links, rules };
}

export type DeliveryRepository = ReturnType<typeof deliveryRepository>;
