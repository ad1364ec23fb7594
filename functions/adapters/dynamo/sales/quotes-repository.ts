import type { UpdateEntityItem } from 'electrodb';
import { PublicLink } from '../../../domain/documents';
import { nowIso, outboxRecord } from '../../../domain/kernel';
import type { AcceptancePlan } from '../../../domain/sales';
import type { Quote, QuoteNumbering, QuoteStore, SendOutcome, SendPlan } from '../../../domain/sales';
import { crudRepository } from '../crud-repository';
import { asGeneric, listBy, rejectedItems } from '../helpers';
import type { CrmService } from '../service';
import { QuoteEntity } from './quote-entity';
import { NumberCounterEntity } from '../kernel/counter-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { PublicLinkEntity } from '../documents/public-link-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ numberCounter: NumberCounterEntity, outbox: OutboxEntity, publicLink: PublicLinkEntity, quote: QuoteEntity, timeline: TimelineEntity });

/** Quotes: CRUD with optimistic concurrency; lists by deal or client through their indexes. */
export function quotesRepository(service: CrmService): QuoteStore {
  const { quote } = service.entities;
  const crud = crudRepository<Quote.Info>(quote, 'quote', ['companyId', 'contactId', 'dealId', 'clientId']);
  return {
    ...crud,
    list: (tenantId, filter, page) =>
      listBy<Quote.Info>(
        asGeneric(quote),
        tenantId,
        { dealId: filter.dealId, clientId: filter.clientId },
        [
          ['dealId', 'byDeal'],
          ['clientId', 'byClient'],
        ],
        page,
      ),
  };
}

/**
 * The quote series' counter and the send transaction: counter (conditioned on the value read),
 * quote (conditioned on its version), public link (must not exist), outbox events. All or nothing.
 */
export function quoteNumbering(service: CrmService): QuoteNumbering {
  // the generic number counter (entities/counter.ts) also numbers invoices; the quote series is 'quote'
  const { numberCounter } = service.entities;
  return {
    async current(tenantId, series, period) {
      const { data } = await numberCounter.get({ tenantId, series, period }).go({ consistent: true });
      return data?.value ?? 0;
    },
    async commitSend(plan: SendPlan): Promise<SendOutcome> {
      const updatedAt = nowIso();
      const { counter } = plan;
      const result = await service.transaction
        .write(({ numberCounter: c, quote, publicLink, outbox, timeline }) => [
          ...(counter
            ? [
                counter.expected === 0
                  ? c
                      .create({
                        tenantId: plan.tenantId,
                        series: counter.series,
                        period: counter.period,
                        value: counter.next,
                        lastIssueDate: plan.issueDate,
                        updatedAt,
                      })
                      .commit()
                  : c
                      .patch({ tenantId: plan.tenantId, series: counter.series, period: counter.period })
                      .set({ value: counter.next, ...(plan.issueDate ? { lastIssueDate: plan.issueDate } : {}), updatedAt })
                      .where((attr, { eq }) => eq(attr.value, counter.expected))
                      .commit(),
              ]
            : []),
          quote
            .patch({ tenantId: plan.tenantId, id: plan.quoteId })
            .set({ ...plan.changes, version: plan.expectedVersion + 1, updatedAt } as UpdateEntityItem<typeof QuoteEntity>)
            .where((attr, { eq }) => eq(attr.version, plan.expectedVersion))
            .commit(),
          ...(plan.publicToken
            ? [
                publicLink
                  .create({
                    id: PublicLink.idOf(plan.publicToken),
                    tenantId: plan.tenantId,
                    subjectType: 'quote',
                    subjectId: plan.quoteId,
                    createdAt: updatedAt,
                  })
                  .commit(),
              ]
            : []),
          ...plan.events.map((e) => outbox.create(outboxRecord(e)).commit()),
          ...(plan.timeline ?? []).map((entry) => timeline.create(entry).commit()),
        ])
        .go();
      if (!result.canceled) return { ok: true };
      const rejected = rejectedItems(result).filter((r) => r.code === 'ConditionalCheckFailed');
      const quoteIndex = counter ? 1 : 0;
      if (counter && rejected.some((r) => r.index === 0)) return { ok: false, reason: 'counter_moved' };
      if (rejected.some((r) => r.index === quoteIndex)) return { ok: false, reason: 'quote_changed' };
      return { ok: false, reason: 'conflict' };
    },
  };
}

/**
 * The acceptance transaction: the quote becomes accepted with its evidence only if it is still sent, not
 * accepted and valid today (the check and the write are one conditional update, so two concurrent
 * accepts cannot both win), plus the quote.accepted outbox event and the timeline entry. All or nothing.
 */
export function acceptanceCommitter(service: CrmService): (plan: AcceptancePlan) => Promise<'ok' | 'refused'> {
  return async (plan) => {
    const result = await service.transaction
      .write(({ quote, outbox, timeline }) => [
        quote
          .patch({ tenantId: plan.tenantId, id: plan.quoteId })
          .set({ status: 'accepted', acceptedAt: plan.acceptedAt, acceptance: plan.acceptance, updatedAt: plan.acceptedAt })
          .add({ version: 1 })
          .where(
            (attr, { eq, notExists, gte }) =>
              `${eq(attr.status, 'sent')} AND ${notExists(attr.acceptedAt)} AND (${notExists(attr.validUntil)} OR ${gte(attr.validUntil, plan.day)})`,
          )
          .commit(),
        ...plan.events.map((e) => outbox.create(outboxRecord(e)).commit()),
        ...plan.timeline.map((entry) => timeline.create(entry).commit()),
      ])
      .go();
    if (!result.canceled) return 'ok';
    const rejected = rejectedItems(result);
    if (rejected.some((r) => r.index === 0 && r.code === 'ConditionalCheckFailed')) return 'refused';
    if (rejected.some((r) => r.code === 'TransactionConflict')) return 'refused';
    throw new Error(`the acceptance of quote ${plan.quoteId} was canceled: ${rejected.map((r) => r.code).join(', ')}`);
  };
}
