import type { EntityItem } from 'electrodb';
import type { DocumentRecord, PublicLinkRecord } from '../../../domain/documents';
import { actorOf, outboxEvent, timelineEntry } from '../../../domain/kernel';
import type { CrmService } from '../service';
import type { DocumentEntity } from './document-entity';
import type { PublicLinkEntity } from './public-link-entity';

/** Views and opens of one link produce at most one event per this interval. */
export const VIEW_EVENT_INTERVAL_MS = 10 * 60 * 1000;

/** A stored document as the domain sees it (the untyped `cause` attribute read back as what was written). */
function toDocument(item: EntityItem<typeof DocumentEntity>): DocumentRecord {
  return { ...item, cause: item.cause as DocumentRecord['cause'] };
}

function toLink(item: EntityItem<typeof PublicLinkEntity>): PublicLinkRecord {
  const { lastViewEventAt: _v, lastOpenEventAt: _o, ...link } = item;
  return link;
}

/**
 * Documents (PDF renders) and their public links. Each state change and the event describing it are
 * written in one transaction.
 */
export function documentsRepository(service: CrmService) {
  const { document, publicLink } = service.entities;
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
    async get(token: string): Promise<PublicLinkRecord | null> {
      const { data } = await publicLink.get({ token }).go();
      return data ? toLink(data) : null;
    },
    /**
     * Counts a view or an open. The first one, and then at most one every VIEW_EVENT_INTERVAL, also
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
            .patch({ token: link.token })
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
      await publicLink.patch({ token: link.token }).add(counter).set({ lastViewedAt: at }).go();
      return false;
    },
    async revoke(token: string) {
      await publicLink.patch({ token }).set({ revokedAt: new Date().toISOString() }).go();
    },
  };

  return { documents, links };
}

export type DocumentsRepository = ReturnType<typeof documentsRepository>;
