import { createConversions, type CreateEntityItem, type EntityItem } from 'electrodb';
import {
  InvoiceList,
  type CommitResult,
  type InvoiceChange,
  type InvoiceCommit,
  type InvoiceIndex,
  type InvoiceStore,
  type ListStep,
  type NumberCounter,
  type ResidualFilters,
  type StepRow,
} from '../../../domain/invoicing';
import type { Invoice } from '../../../domain/invoicing';
import { InvalidInput } from '../../../domain/kernel';
import { isInvalidCursor } from '../errors';
import { defined } from '../helpers';
import { timelineRepository } from '../kernel/timeline-repository';
import type { CrmService } from '../service';
import { InvoiceEntity, InvoiceLookupEntity } from './invoice-entity';
import { fromInvoiceRecord } from './invoice-record';
import { AllocationEntity } from '../payments/allocation-entity';
import { NumberCounterEntity } from '../kernel/counter-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { RefundEntity } from '../payments/refund-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({
  allocation: AllocationEntity,
  invoice: InvoiceEntity,
  invoiceLookup: InvoiceLookupEntity,
  numberCounter: NumberCounterEntity,
  outbox: OutboxEntity,
  refund: RefundEntity,
  timeline: TimelineEntity,
});

export { fromInvoiceRecord };

type InvoiceItem = EntityItem<typeof InvoiceEntity>;
type LookupItem = EntityItem<typeof InvoiceLookupEntity>;

/** The part of an ElectroDB query a list step uses. */
interface StepQuery {
  between(from: Record<string, string>, to: Record<string, string>): StepQuery;
  begins(prefix: Record<string, string>): StepQuery;
  where(callback: (a: FilterAttributes, op: FilterOperators) => string): StepQuery;
  go(options: { order: 'asc' | 'desc'; count: number; limit: number; cursor: string | null }): Promise<{ data: unknown[] }>;
}

/** The sort-key attribute of each list index. */
const SORT_ATTRIBUTE: Record<InvoiceIndex, string> = {
  byIssueDate: 'issueSort',
  byStage: 'issueSort',
  byClient: 'issueSort',
  byDeal: 'issueSort',
  byTotal: 'totalSort',
  byNumber: 'numberKey',
  byClientName: 'nameSort',
  byOverdue: 'dueSort',
};

/** The invoice item: the invoice (nulls left out) plus its index keys. */
export function toInvoiceRecord(invoice: Invoice.Info) {
  const keys = InvoiceList.invoiceKeys(invoice);
  const { dealId: _dealKey, ...otherKeys } = keys;
  return defined({ ...invoice, ...otherKeys }) as CreateEntityItem<typeof InvoiceEntity>;
}

/** The lookup item: the filterable fields and keys of the invoice. */
export function toLookupRecord(invoice: Invoice.Info) {
  return defined({
    tenantId: invoice.tenantId,
    id: invoice.id,
    stage: invoice.stage,
    status: invoice.status,
    number: invoice.number,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    ...InvoiceList.invoiceKeys(invoice),
  }) as CreateEntityItem<typeof InvoiceLookupEntity>;
}

/** ElectroDB filter expression of the residual filters of a list step. */
/** The attribute references and operators of an ElectroDB `where` callback, as this filter uses them. */
type FilterAttributes = Record<'stage' | 'clientId' | 'dealId' | 'issueDate' | 'numberKey' | 'nameKey' | 'status' | 'dueDate', unknown>;
interface FilterOperators {
  eq(attribute: unknown, value: string): string;
  lt(attribute: unknown, value: string): string;
  gte(attribute: unknown, value: string): string;
  lte(attribute: unknown, value: string): string;
  begins(attribute: unknown, value: string): string;
}

function whereOf(f: ResidualFilters) {
  return (a: FilterAttributes, op: FilterOperators): string => {
    const parts: string[] = [];
    if (f.stage) parts.push(op.eq(a.stage, f.stage));
    if (f.clientId) parts.push(op.eq(a.clientId, f.clientId));
    if (f.dealId) parts.push(op.eq(a.dealId, f.dealId));
    if (f.issueDateFrom) parts.push(op.gte(a.issueDate, f.issueDateFrom));
    if (f.issueDateTo) parts.push(op.lte(a.issueDate, f.issueDateTo));
    if (f.numberEquals !== undefined) parts.push(op.eq(a.numberKey, f.numberEquals));
    if (f.numberPrefix) parts.push(op.begins(a.numberKey, f.numberPrefix));
    if (f.search) {
      parts.push(
        f.search.namePrefix
          ? `(${op.begins(a.numberKey, f.search.numberPrefix)} OR ${op.begins(a.nameKey, f.search.namePrefix)})`
          : op.begins(a.numberKey, f.search.numberPrefix),
      );
    }
    if (f.numberNotPrefix) parts.push(`NOT ${op.begins(a.numberKey, f.numberNotPrefix)}`);
    if (f.overdueBefore) parts.push(op.eq(a.status, 'issued'), op.lt(a.dueDate, f.overdueBefore));
    return parts.join(' AND ');
  };
}

const hasFilters = (f: ResidualFilters) => Object.values(f).some((v) => v !== undefined);

/** The transaction's entities, as the commit's extra items take them. */
export type TransactionEntities = Parameters<Parameters<CrmService['transaction']['write']>[0]>[0];

/** What one DynamoDB transaction holds. */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * Writes an invoice commit in ONE transaction: the counter (when issuing) first, then per invoice: invoice,
 * lookup, timeline..., outbox..., then `extra` items (e.g. the register's records and chain head). An extra
 * item refused on its condition means another writer went first: contention, the caller retries. An issuing
 * commit whose items are more than one transaction holds writes nothing and answers `too_large` with how many
 * of its members would fit (the issue queue then commits the batch in parts).
 */
export async function commitInvoices(
  service: CrmService,
  { changes, counter }: InvoiceCommit,
  extra?: (entities: TransactionEntities) => unknown[],
): Promise<CommitResult> {
  // item order: the counter (when issuing) first, then per invoice: invoice, lookup, timeline..., outbox...
  const updatedAt = changes[0]?.after.updatedAt ?? new Date().toISOString();
  const invoiceIndexes: [number, number][] = [];
  let extraFrom = 0;
  let tooLarge: { fits: number } | null = null;
  const transaction = service.transaction.write((entities) => {
    const { numberCounter, invoice: invoices, invoiceLookup: lookups, timeline, outbox, allocation, refund } = entities;
    const key = counter && { tenantId: counter.tenantId, series: counter.series, period: counter.period };
    const set = counter && { value: counter.next, lastIssueDate: counter.lastIssueDate, updatedAt };
    // on refusal DynamoDB returns the counter as it is (ALL_OLD): the retry needs no read
    const counterItems =
      counter && key && set
        ? [
            counter.expected === 0
              ? numberCounter.create({ ...key, ...set }).commit({ response: 'all_old' })
              : numberCounter
                  .patch(key)
                  .set(set)
                  .where((a, { eq }) => eq(a.value, counter.expected))
                  .commit({ response: 'all_old' }),
          ]
        : [];
    let at = counterItems.length;
    // an invoice change's items: the invoice (version-conditioned, created, or deleted), its lookup, entries, events
    const itemsOf = ({ before, after, timeline: entries, events, delete: remove }: InvoiceChange, member: number) => {
      invoiceIndexes.push([at, member]);
      const items = [];
      if (remove) {
        items.push(
          invoices
            .delete({ tenantId: after.tenantId, id: after.id })
            .where((a, { eq }) => eq(a.version, before!.version))
            .commit(),
          lookups.delete({ tenantId: after.tenantId, id: after.id }).commit(),
        );
      } else {
        items.push(
          before
            ? invoices
                .put(toInvoiceRecord(after))
                .where((a, { eq }) => eq(a.version, before.version))
                .commit()
            : invoices.create(toInvoiceRecord(after)).commit(),
          lookups.put(toLookupRecord(after)).commit(),
        );
      }
      items.push(...entries.map((entry) => timeline.create(entry).commit()), ...events.map((event) => outbox.create(event).commit()));
      at += items.length;
      return items;
    };
    const changeItems = changes.flatMap((change, member) => {
      const items = [];
      items.push(...itemsOf(change, member));
      for (const other of change.linked ?? []) items.push(...itemsOf(other, member));
      for (const record of change.ledger ?? []) {
        const { kind: _kind, ...rest } = record;
        if (record.kind === 'allocation') {
          const { source, ...fields } = rest as Omit<typeof record, 'kind'>;
          items.push(allocation.create({ ...fields, sourceType: source.type, sourceId: source.id }).commit());
        } else {
          items.push(refund.create(defined({ ...rest }) as Parameters<typeof refund.create>[0]).commit());
        }
        at += 1;
      }
      return items;
    });
    extraFrom = at;
    const extras = (extra?.(entities) ?? []) as typeof changeItems;
    const items = [...counterItems, ...changeItems, ...extras];
    if (counter && items.length > MAX_TRANSACTION_ITEMS) {
      // issuing: how many of the members (in order) fit with everything added after them (register, sources)
      const ends = changes.map((_, member) => invoiceIndexes.find(([, m]) => m === member + 1)?.[0] ?? extraFrom);
      tooLarge = { fits: ends.filter((end) => end + extras.length <= MAX_TRANSACTION_ITEMS).length };
      return [];
    }
    return items;
  });
  const result = await transaction.go(); // builds the items (the callback above), then sends them: none when too large
  if (tooLarge) return { outcome: 'too_large', ...(tooLarge as { fits: number }) };
  if (!result.canceled) return { outcome: 'ok' };
  const reasons = result.data as { code?: string; item?: NumberCounter | null }[];
  const codes = reasons.map((d) => d.code ?? 'None');
  const stale = [...new Set(invoiceIndexes.flatMap(([at, member]) => (codes[at] === 'ConditionalCheckFailed' ? [member] : [])))];
  if (stale.length > 0) return { outcome: 'stale', members: stale };
  if (counter && codes[0] === 'ConditionalCheckFailed') {
    const item = reasons[0].item;
    return { outcome: 'contention', ...(item ? { counter: item as NumberCounter } : {}) };
  }
  if (codes.slice(extraFrom).includes('ConditionalCheckFailed')) return { outcome: 'contention' };
  if (codes.includes('TransactionConflict')) return { outcome: 'contention' };
  throw new Error(`invoice transaction canceled: ${codes.join(', ')}`);
}

/**
 * An invoice store whose commit can carry more items in the same transaction: another store's (the register's
 * records, the sources a voided invoice gives back: source-linking.ts), after the invoices' items.
 */
export interface ExtensibleInvoiceStore extends InvoiceStore {
  commit(commit: InvoiceCommit, extra?: (entities: TransactionEntities) => unknown[]): Promise<CommitResult>;
}

/** Invoices, their lookup items, number counters and timeline, on the single table. */
export function invoicesRepository(service: CrmService): ExtensibleInvoiceStore {
  const { invoice, invoiceLookup } = service.entities;
  const { numberCounter } = service.entities;
  const timeline = timelineRepository(service);
  const conversions = { invoice: createConversions(invoice), lookup: createConversions(invoiceLookup) };

  async function hydrate(tenantId: string, ids: string[]): Promise<Map<string, Invoice.Info>> {
    const found = new Map<string, Invoice.Info>();
    let pending = ids.map((id) => ({ tenantId, id }));
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      const result = await invoice.get(pending).go();
      for (const record of result.data) found.set(record.id, fromInvoiceRecord(record));
      pending = (result.unprocessed ?? []) as { tenantId: string; id: string }[];
    }
    if (pending.length > 0) throw new Error(`could not read ${pending.length} invoices (unprocessed keys)`);
    return found;
  }

  return {
    async get(tenantId, id) {
      const { data } = await invoice.get({ tenantId, id }).go({ consistent: true });
      return data ? fromInvoiceRecord(data) : null;
    },

    commit: (commit, extra) => commitInvoices(service, commit, extra),

    async getCounter(tenantId, series, period): Promise<NumberCounter | null> {
      const { data } = await numberCounter.get({ tenantId, series, period }).go({ consistent: true });
      return (data as NumberCounter) ?? null;
    },

    async queryStep(tenantId: string, step: ListStep, options: { count: number; cursor: string | null }): Promise<StepRow<Invoice.Info>[]> {
      const onLookup = InvoiceList.LOOKUP_INDEXES.has(step.index);
      // one step queries one index of one of two entities: the query builder is typed per index, so this generic
      // step runner goes through a narrow structural view of it (the rows are typed again below)
      const entity = (onLookup ? invoiceLookup : invoice) as unknown as { query: Record<InvoiceIndex, (keys: Record<string, string>) => StepQuery> };
      const sortAttribute = SORT_ATTRIBUTE[step.index];
      let query = entity.query[step.index]({ tenantId, ...step.partition });
      if (step.range?.between) {
        query = query.between({ [sortAttribute]: step.range.between[0] }, { [sortAttribute]: step.range.between[1] });
      } else if (step.range?.beginsWith !== undefined) {
        query = query.begins({ [sortAttribute]: step.range.beginsWith });
      }
      const filtered = hasFilters(step.filters);
      if (filtered) query = query.where(whereOf(step.filters));
      let rows: (InvoiceItem | LookupItem)[];
      try {
        const result = await query.go({
          order: step.order,
          count: options.count,
          // without filters one page is enough; with them, read in larger pages
          limit: filtered ? Math.min(Math.max(options.count, 100), 1000) : options.count,
          cursor: options.cursor,
        });
        rows = result.data as (InvoiceItem | LookupItem)[];
      } catch (error) {
        if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
        throw error;
      }
      // the index belongs to the entity the step queried (InvoiceList.LOOKUP_INDEXES says which)
      const patterns = (onLookup ? conversions.lookup : conversions.invoice).byAccessPattern as unknown as Record<
        InvoiceIndex,
        { fromComposite: { toCursor(row: object): string } }
      >;
      const cursorOf = (row: InvoiceItem | LookupItem) => patterns[step.index].fromComposite.toCursor(row);
      if (!onLookup) return (rows as InvoiceItem[]).map((row) => ({ item: fromInvoiceRecord(row), cursor: cursorOf(row) }));
      const invoices = await hydrate(
        tenantId,
        rows.map((r) => r.id),
      );
      return rows.flatMap((row) => {
        const item = invoices.get(row.id);
        return item ? [{ item, cursor: cursorOf(row) }] : [];
      });
    },

    async anyInStage(tenantId, stage) {
      const { data } = await invoice.query.byStage({ tenantId, stage }).go({ limit: 1, count: 1 });
      return data.length > 0;
    },

    timeline: (tenantId, invoiceId, page) => timeline.list(tenantId, invoiceId, page),
  };
}
