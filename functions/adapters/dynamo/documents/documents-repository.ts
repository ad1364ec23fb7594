import type { EntityItem } from 'electrodb';
import type { DocumentRecord, PublicLinkRecord } from '../../../domain/documents';
import { actorOf, outboxEvent, timelineEntry } from '../../../domain/kernel';
import { isConditionFailure } from '../errors';
import type { CrmService } from '../service';
import { DocumentEntity } from './document-entity';
import { PublicLinkEntity } from './public-link-entity';
import { MessageEntity } from '../delivery/message-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ document: DocumentEntity, message: MessageEntity, outbox: OutboxEntity, publicLink: PublicLinkEntity, timeline: TimelineEntity });

/** Views and opens of one link produce at most one event per this interval. */
export const VIEW_EVENT_INTERVAL_MS = 10 * 60 * 1000;

/** A stored document as the domain sees it (the untyped `cause` attribute read back as what was written). */
function toDocument(item: EntityItem<typeof DocumentEntity>): DocumentRecord {
  return { ...item, cause: item.cause as DocumentRecord['cause'] };
}

function toLink(item: EntityItem<typeof PublicLinkEntity>): PublicLinkRecord {
  const { lastViewEventAt: _v, lastOpenEventAt: _o, lastUnverifiedOpenAt: _u, ...link } = item;
  return link;
}

/**
 * Documents (PDF renders) and their public links. Each state change and the event describing it are
 * written in one transaction.
 */
export function documentsRepository(service: CrmService) {
  const { document, publicLink, message } = service.entities;
  const entryOf = (e: { tenantId: string; subjectType: string; subjectId: string; kind: string; actor: string; data: Record<string, unknown> }) =>
    timelineEntry({ ...e, actor: actorOf(e.actor) });

  const documents = {
    async request(doc: DocumentRecord, link: PublicLinkRecord): Promise<'created' | 'exists'> {
      const result = await service.transaction
        .write(({ document, publicLink, outbox }) => [
          document.create(doc).commit(),
          publicLink.create(link).commit(),
          outbox
            .create(
              outboxEvent('documentRequested', doc.tenantId, {
                documentId: doc.id,
                subjectType: doc.subjectType,
                subjectId: doc.subjectId,
                templateId: doc.templateId,
                ...(doc.cause ? { cause: doc.cause } : {}),
              }),
            )
            .commit(),
        ])
        .go();
      if (result.canceled) {
        const existing = await documents.get(doc.tenantId, doc.id);
        if (existing) return 'exists';
        throw new Error(`document ${doc.id} could not be requested`);
      }
      return 'created';
    },
    async get(tenantId: string, id: string): Promise<DocumentRecord | null> {
      const { data } = await document.get({ tenantId, id }).go();
      return data ? toDocument(data) : null;
    },
    /** The subject's newest documents (at most `limit`), oldest first. */
    async listForSubject(tenantId: string, subjectId: string, limit = 100): Promise<DocumentRecord[]> {
      const { data } = await document.query.bySubject({ tenantId, subjectId }).go({ order: 'desc', limit });
      return data.map(toDocument).reverse();
    },
    async latestReady(tenantId: string, subjectId: string): Promise<DocumentRecord | null> {
      const { data } = await document.query.bySubject({ tenantId, subjectId }).go({ order: 'desc', limit: 25 });
      const ready = data.find((d) => d.status === 'ready');
      return ready ? toDocument(ready) : null;
    },
    /** pending -> ready or failed, once: the document.created / document.failed event goes with it. */
    async complete(
      doc: DocumentRecord,
      outcome: { status: 'ready'; sha256: string; size: number; pages?: number } | { status: 'failed'; reason: string },
    ): Promise<boolean> {
      const { tenantId, id } = doc;
      const detail = { documentId: id, subjectType: doc.subjectType, subjectId: doc.subjectId, ...(doc.cause ? { cause: doc.cause } : {}) };
      const result = await service.transaction
        .write(({ document, outbox, timeline }) => [
          document
            .patch({ tenantId, id })
            .set({ ...outcome, version: doc.version + 1, updatedAt: new Date().toISOString() })
            .where((a, { eq }) => eq(a.status, 'pending'))
            .commit(),
          outbox
            .create(
              outcome.status === 'ready'
                ? outboxEvent('documentCreated', tenantId, { ...detail, sha256: outcome.sha256, size: outcome.size })
                : outboxEvent('documentFailed', tenantId, { ...detail, reason: outcome.reason }),
            )
            .commit(),
          timeline
            .create(
              entryOf({
                tenantId,
                subjectType: doc.subjectType,
                subjectId: doc.subjectId,
                kind: outcome.status === 'ready' ? 'document_created' : 'document_failed',
                actor: doc.createdBy,
                data: { documentId: id, ...outcome },
              }),
            )
            .commit(),
        ])
        .go();
      return !result.canceled;
    },
  };

  const links = {
    /** The link of a token's id (PublicLink.idOf), exactly: ids differing in letter case are different keys. */
    async get(id: string): Promise<PublicLinkRecord | null> {
      const { data } = await publicLink.get({ id }).go();
      return data ? toLink(data) : null;
    },
    /**
     * Counts a view or a verified open. The first one, and then at most one every VIEW_EVENT_INTERVAL, also
     * writes a timeline entry and emits document.viewed (in the same transaction): link scanners and
     * reloads cannot flood the timeline or the bus.
     */
    async recordView(link: PublicLinkRecord, via: 'link' | 'email_open', meta: { ip?: string; userAgent?: string }): Promise<boolean> {
      const now = new Date();
      const at = now.toISOString();
      const cutoff = new Date(now.getTime() - VIEW_EVENT_INTERVAL_MS).toISOString();
      const counter = via === 'link' ? { views: 1 } : { opens: 1 };
      const marker = via === 'link' ? 'lastViewEventAt' : 'lastOpenEventAt';
      const result = await service.transaction
        .write(({ publicLink, outbox, timeline }) => [
          publicLink
            .patch({ id: link.id })
            .add(counter)
            .set({ lastViewedAt: at, [marker]: at })
            .where((a, { notExists, lt }) => `${notExists(a[marker])} OR ${lt(a[marker], cutoff)}`)
            .commit(),
          outbox
            .create(
              outboxEvent('documentViewed', link.tenantId, {
                subjectType: link.subjectType,
                subjectId: link.subjectId,
                via,
                ...(link.documentId ? { documentId: link.documentId } : {}),
              }),
            )
            .commit(),
          timeline
            .create(
              entryOf({
                tenantId: link.tenantId,
                subjectType: link.subjectType,
                subjectId: link.subjectId,
                kind: via === 'link' ? 'viewed' : 'email_opened',
                actor: 'client',
                data: { documentId: link.documentId ?? '', ip: meta.ip ?? '', userAgent: (meta.userAgent ?? '').slice(0, 200) },
              }),
            )
            .commit(),
        ])
        .go();
      if (!result.canceled) return true;
      await publicLink.patch({ id: link.id }).add(counter).set({ lastViewedAt: at }).go();
      return false;
    },
    /**
     * Counts an open that is no evidence of a person (a proxy, a scanner, a fetch right after sending): a timeline
     * entry "email_opened_unverified" with the reason (at most one every VIEW_EVENT_INTERVAL), and no event, so
     * nothing moves.
     */
    async recordUnverifiedOpen(link: PublicLinkRecord, meta: { ip?: string; userAgent?: string; reason: string }): Promise<boolean> {
      const now = new Date();
      const at = now.toISOString();
      const cutoff = new Date(now.getTime() - VIEW_EVENT_INTERVAL_MS).toISOString();
      const result = await service.transaction
        .write(({ publicLink, timeline }) => [
          publicLink
            .patch({ id: link.id })
            .add({ unverifiedOpens: 1 })
            .set({ lastUnverifiedOpenAt: at })
            .where((a, { notExists, lt }) => `${notExists(a.lastUnverifiedOpenAt)} OR ${lt(a.lastUnverifiedOpenAt, cutoff)}`)
            .commit(),
          timeline
            .create(
              entryOf({
                tenantId: link.tenantId,
                subjectType: link.subjectType,
                subjectId: link.subjectId,
                kind: 'email_opened_unverified',
                actor: 'client',
                data: { documentId: link.documentId ?? '', reason: meta.reason, ip: meta.ip ?? '', userAgent: (meta.userAgent ?? '').slice(0, 200) },
              }),
            )
            .commit(),
        ])
        .go();
      if (!result.canceled) return true;
      await publicLink.patch({ id: link.id }).add({ unverifiedOpens: 1 }).go();
      return false;
    },
    /** When the newest e-mail about the subject was sent (or claimed for sending): the open pixel's reference time. */
    async lastEmailAt(tenantId: string, subjectId: string): Promise<string | undefined> {
      const { data } = await message.query.bySubject({ tenantId, subjectId }).go({ order: 'desc', limit: 25 });
      const emails = data.filter((m) => m.channel === 'email');
      return emails
        .map((m) => m.updatedAt)
        .sort()
        .at(-1);
    },
    /** Revokes one link (idempotent: a revoked link keeps its first revocation time). */
    async revoke(id: string): Promise<void> {
      try {
        await publicLink
          .patch({ id })
          .set({ revokedAt: new Date().toISOString() })
          .where((a, { notExists }) => notExists(a.revokedAt))
          .go();
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    /** Revokes every link of an invoice or a quote; returns how many were usable until now. */
    async revokeAll(tenantId: string, subjectId: string): Promise<number> {
      const { data } = await publicLink.query.bySubject({ tenantId, subjectId }).go({ pages: 'all' });
      const open = data.filter((l) => !l.revokedAt);
      for (const link of open) await links.revoke(link.id);
      return open.length;
    },
  };

  return { documents, links };
}

export type DocumentsRepository = ReturnType<typeof documentsRepository>;
