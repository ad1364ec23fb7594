import type { EntityItem } from 'electrodb';
import type { Invoice } from '../../../domain/invoicing';
import { InvalidInput, type Page } from '../../../domain/kernel';
import type {
  AllocationRecord,
  BankRowRecord,
  CreditSource,
  LedgerCommit,
  LedgerRecords,
  LedgerResult,
  LedgerStore,
  Refund,
  Reversal,
} from '../../../domain/payments';
import type { Payment as PaymentNs } from '../../../domain/payments';

type Payment = PaymentNs.Info;
import { isInvalidCursor } from '../errors';
import { defined, rejectedItems } from '../helpers';
import { toInvoiceRecord, toLookupRecord } from '../invoicing/invoices-repository';
import type { CrmService } from '../service';
import { AllocationEntity, ReversalEntity } from './allocation-entity';
import { BankRowEntity, BankImportEntity } from './bank-row-entity';
import { PaymentEntity, PaymentExternalIdEntity } from './payment-entity';
import { RefundEntity } from './refund-entity';
import { InvoiceEntity, InvoiceLookupEntity } from '../invoicing/invoice-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { TimelineEntity } from '../kernel/timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({
  allocation: AllocationEntity,
  bankImport: BankImportEntity,
  bankRow: BankRowEntity,
  invoice: InvoiceEntity,
  invoiceLookup: InvoiceLookupEntity,
  outbox: OutboxEntity,
  payment: PaymentEntity,
  paymentExternalId: PaymentExternalIdEntity,
  refund: RefundEntity,
  reversal: ReversalEntity,
  timeline: TimelineEntity,
});

type PaymentItem = EntityItem<typeof PaymentEntity>;

export function fromPaymentItem(item: PaymentItem): Payment {
  return {
    tenantId: item.tenantId,
    id: item.id,
    clientId: item.clientId,
    currency: item.currency,
    amount: item.amount,
    date: item.date,
    method: item.method as Payment['method'],
    reference: item.reference ?? null,
    externalId: item.externalId ?? null,
    origin: item.origin as Payment['origin'],
    createdBy: item.createdBy,
    allocated: item.allocated,
    refunded: item.refunded,
    unapplied: item.unapplied,
    version: item.version,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const toPaymentItem = (p: Payment) => defined({ ...p }) as PaymentItem;

type AllocationItem = EntityItem<typeof AllocationEntity>;
type ReversalItem = EntityItem<typeof ReversalEntity>;

const fromAllocationItem = ({ sourceType, sourceId, ...rest }: AllocationItem): AllocationRecord => ({ ...rest, source: { type: sourceType, id: sourceId } });
const toAllocationItem = ({ source, ...rest }: AllocationRecord): AllocationItem => ({ ...rest, sourceType: source.type, sourceId: source.id });
const fromReversalItem = ({ sourceType, sourceId, ...rest }: ReversalItem): Reversal => ({ ...rest, source: { type: sourceType, id: sourceId } });
const toReversalItem = ({ source, ...rest }: Reversal): ReversalItem => ({ ...rest, sourceType: source.type, sourceId: source.id });
const fromRefundItem = (item: EntityItem<typeof RefundEntity>): Refund => ({ ...item, reference: item.reference ?? null });
const toRefundItem = (r: Refund) => defined({ ...r }) as EntityItem<typeof RefundEntity>;
const fromRowItem = (item: EntityItem<typeof BankRowEntity>): BankRowRecord => ({ ...item });

/** Runs `fn` over the items, at most `limit` at a time. */
async function inParallel<T>(items: T[], fn: (item: T) => Promise<void>, limit = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The payments ledger on the single table: records, cached figures and every write of a verb in one transaction. */
export function ledgerRepository(service: CrmService): LedgerStore {
  const { payment, paymentExternalId, allocation, reversal, refund, bankRow, bankImport } = service.entities;

  async function records(
    allocations: Promise<{ data: AllocationItem[] }>,
    reversals: Promise<{ data: ReversalItem[] }>,
    refunds: Promise<{ data: EntityItem<typeof RefundEntity>[] }> | null,
  ): Promise<LedgerRecords> {
    const [a, r, f] = await Promise.all([allocations, reversals, refunds ?? Promise.resolve({ data: [] })]);
    return {
      allocations: a.data.map(fromAllocationItem).sort(byId),
      reversals: r.data.map(fromReversalItem).sort(byId),
      refunds: f.data.map(fromRefundItem).sort(byId),
    };
  }

  async function commit(c: LedgerCommit): Promise<LedgerResult> {
    const roles: ('payment' | 'invoice' | 'record' | 'externalId' | 'row' | 'other')[] = [];
    const result = await service.transaction
      .write((e) => {
        const items = [];
        for (const { before, after } of c.payments) {
          items.push(
            before
              ? e.payment
                  .put(toPaymentItem(after))
                  .where((a, { eq }) => eq(a.version, before.version))
                  .commit()
              : e.payment.create(toPaymentItem(after)).commit(),
          );
          roles.push('payment');
        }
        for (const change of c.invoices) {
          const before = change.before as Invoice.Info;
          items.push(
            e.invoice
              .put(toInvoiceRecord(change.after))
              .where((a, { eq }) => eq(a.version, before.version))
              .commit(),
            e.invoiceLookup.put(toLookupRecord(change.after)).commit(),
            ...change.timeline.map((entry) => e.timeline.create(entry).commit()),
            ...change.events.map((event) => e.outbox.create(event).commit()),
          );
          roles.push('invoice', ...Array(items.length - roles.length - 1).fill('other'));
        }
        for (const a of c.allocations) items.push(e.allocation.create(toAllocationItem(a)).commit());
        for (const r of c.reversals) items.push(e.reversal.create(toReversalItem(r)).commit());
        for (const r of c.refunds) items.push(e.refund.create(toRefundItem(r)).commit());
        roles.push(...Array(items.length - roles.length).fill('record'));
        if (c.externalId) {
          items.push(
            e.paymentExternalId
              .create({ tenantId: c.payments[0]!.after.tenantId, ...c.externalId, createdAt: c.payments[0]!.after.createdAt })
              .commit({ response: 'all_old' }),
          );
          roles.push('externalId');
        }
        for (const row of c.bankRows ?? []) {
          items.push(e.bankRow.create(defined({ ...row }) as EntityItem<typeof BankRowEntity>).commit());
          roles.push('row');
        }
        items.push(...c.timeline.map((entry) => e.timeline.create(entry).commit()), ...c.events.map((event) => e.outbox.create(event).commit()));
        roles.push(...Array(items.length - roles.length).fill('other'));
        return items;
      })
      .go();
    if (!result.canceled) return { outcome: 'ok' };
    const rejected = rejectedItems(result);
    const failed = (role: (typeof roles)[number]) => rejected.some((r) => roles[r.index] === role && r.code === 'ConditionalCheckFailed');
    if (failed('externalId')) {
      const at = roles.indexOf('externalId');
      const old = (result.data as { item?: { paymentId?: string } | null }[])[at]?.item;
      return { outcome: 'duplicate_external_id', existingId: old?.paymentId ?? null };
    }
    if (failed('row')) return { outcome: 'duplicate_row' };
    if (failed('payment') || failed('invoice') || failed('record')) return { outcome: 'stale' };
    if (rejected.some((r) => r.code === 'TransactionConflict')) return { outcome: 'contention' };
    throw new Error(`ledger transaction canceled: ${rejected.map((r) => `${r.index}:${r.code}`).join(', ')}`);
  }

  return {
    async getPayment(tenantId, id) {
      const { data } = await payment.get({ tenantId, id }).go({ consistent: true });
      return data ? fromPaymentItem(data) : null;
    },

    async getPayments(tenantId, ids) {
      if (ids.length === 0) return [];
      const found: Payment[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        const { data } = await payment.get(ids.slice(i, i + 100).map((id) => ({ tenantId, id }))).go({ consistent: true });
        found.push(...data.map(fromPaymentItem));
      }
      return found;
    },

    async paymentIdByExternalId(tenantId, externalId) {
      const { data } = await paymentExternalId.get({ tenantId, externalId }).go({ consistent: true });
      return data?.paymentId ?? null;
    },

    recordsOfSource(tenantId, source: CreditSource) {
      const options = { pages: 'all' as const, consistent: true };
      return records(
        allocation.query.bySource({ tenantId, sourceId: source.id }).go(options),
        reversal.query.bySource({ tenantId, sourceId: source.id }).go(options),
        source.type === 'payment' ? refund.query.byPayment({ tenantId, paymentId: source.id }).go(options) : null,
      );
    },

    recordsOfInvoice(tenantId, invoiceId) {
      return records(
        allocation.query.byInvoice({ tenantId, invoiceId }).go({ pages: 'all' }),
        reversal.query.byInvoice({ tenantId, invoiceId }).go({ pages: 'all' }),
        null,
      );
    },

    recordsOfClient(tenantId, clientId) {
      return records(
        allocation.query.byClient({ tenantId, clientId }).go({ pages: 'all' }),
        reversal.query.byClient({ tenantId, clientId }).go({ pages: 'all' }),
        refund.query.byClient({ tenantId, clientId }).go({ pages: 'all' }),
      );
    },

    recordsBetween(tenantId, from, to) {
      const range = [{ date: from }, { date: `${to}~` }] as const;
      return records(
        allocation.query
          .byDate({ tenantId })
          .between(...range)
          .go({ pages: 'all' }),
        reversal.query
          .byDate({ tenantId })
          .between(...range)
          .go({ pages: 'all' }),
        refund.query
          .byDate({ tenantId })
          .between(...range)
          .go({ pages: 'all' }),
      );
    },

    async listPayments(tenantId, filter, page): Promise<Page<Payment>> {
      const from = { date: filter.dateFrom ?? '0000-00-00' };
      const to = { date: `${filter.dateTo ?? '9999-12-31'}~` };
      const query = filter.clientId
        ? payment.query.byClient({ tenantId, clientId: filter.clientId }).between(from, to)
        : payment.query.byDate({ tenantId }).between(from, to);
      try {
        const result = await query.go({ order: 'desc', limit: page.limit, cursor: page.cursor ?? null });
        return { data: result.data.map(fromPaymentItem), nextCursor: result.cursor ?? null };
      } catch (error) {
        if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
        throw error;
      }
    },

    async knownRows(tenantId, fingerprints) {
      const known = new Map<string, BankRowRecord>();
      const unique = [...new Set(fingerprints)];
      const chunks = Array.from({ length: Math.ceil(unique.length / 100) }, (_, i) => unique.slice(i * 100, i * 100 + 100));
      await inParallel(chunks, async (chunk) => {
        let pending = chunk.map((fingerprint) => ({ tenantId, fingerprint }));
        for (let round = 0; pending.length > 0 && round < 8; round++) {
          const result = await bankRow.get(pending).go({ consistent: true });
          for (const item of result.data) known.set(item.fingerprint, fromRowItem(item));
          pending = (result.unprocessed ?? []) as typeof pending;
        }
        if (pending.length > 0) throw new Error(`could not read ${pending.length} statement rows (unprocessed keys)`);
      });
      return known;
    },

    async rememberRows(rows) {
      // rows that made no payment: batch puts (a concurrent import of the same rows writes the same facts)
      const items = rows.map((r) => defined({ ...r }) as EntityItem<typeof BankRowEntity>);
      const chunks = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) => items.slice(i * 25, i * 25 + 25));
      await inParallel(chunks, async (chunk) => {
        let unprocessed = (await bankRow.put(chunk).go()).unprocessed;
        for (let round = 0; unprocessed.length > 0 && round < 8; round++) {
          unprocessed = (await bankRow.put(unprocessed as EntityItem<typeof BankRowEntity>[]).go()).unprocessed;
        }
        if (unprocessed.length > 0) throw new Error(`could not write ${unprocessed.length} statement rows`);
      });
    },

    async saveImport(record) {
      await bankImport.create({ ...record }).go();
    },

    commit,
  };
}
