/**
 * The register's storage: records of an issuer's chain (immutable, read in order), the chain's head, and
 * the invoice store that appends to the chain in the transaction that issues or cancels invoices.
 */
import type { CommitResult, InvoiceCommit } from '../../../domain/invoicing';
import { InvalidInput, type Page } from '../../../domain/kernel';
import { Register, type RegisterEntry } from '../../../domain/register';
import { isInvalidCursor } from '../errors';
import { commitInvoices, type ExtensibleInvoiceStore, type TransactionEntities } from '../invoicing/invoices-repository';
import type { CrmService } from '../service';
import { RegisterHeadEntity, RegisterRecordEntity } from './register-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ registerHead: RegisterHeadEntity, registerRecord: RegisterRecordEntity });

const position = (sequence: number) => String(sequence).padStart(12, '0');

type RecordItem = {
  issuerTaxId: string;
  sequence: number;
  invoiceId: string;
  kind: 'alta' | 'anulacion';
  previousHuella: string;
  huella: string;
  record: unknown;
  qrUrl?: string;
};

function fromItem(item: RecordItem): RegisterEntry {
  const base = { issuerTaxId: item.issuerTaxId, sequence: item.sequence, invoiceId: item.invoiceId, previousHuella: item.previousHuella, huella: item.huella };
  return item.kind === 'alta'
    ? ({ ...base, kind: 'alta', record: item.record, qrUrl: item.qrUrl ?? '' } as RegisterEntry)
    : ({ ...base, kind: 'anulacion', record: item.record } as RegisterEntry);
}

/** The Madrid date (YYYY-MM-DD) of a record's FechaHoraHusoGenRegistro. */
const genDateOf = (entry: RegisterEntry) => entry.record.FechaHoraHusoGenRegistro.slice(0, 10);

export interface RegisterStore {
  head(tenantId: string, issuerTaxId: string): Promise<RegisterEntry | null>;
  /** The whole chain, in order (for verification). */
  chain(tenantId: string, issuerTaxId: string): Promise<RegisterEntry[]>;
  /** A page of the chain in order, generated between the dates (inclusive, Madrid dates). */
  list(
    tenantId: string,
    issuerTaxId: string,
    filter: { from?: string; to?: string },
    page: { limit: number; cursor: string | null },
  ): Promise<Page<RegisterEntry>>;
  /** The records about one invoice (its alta, then its anulación if cancelled), in chain order. */
  ofInvoice(tenantId: string, invoiceId: string): Promise<RegisterEntry[]>;
}

export function registerRepository(service: CrmService): RegisterStore {
  const { registerRecord, registerHead } = service.entities;
  return {
    async head(tenantId, issuerTaxId) {
      const { data } = await registerHead.get({ tenantId, issuerTaxId }).go({ consistent: true });
      return data ? (data.entry as RegisterEntry) : null;
    },
    async chain(tenantId, issuerTaxId) {
      const { data } = await registerRecord.query.byChain({ tenantId, issuerTaxId }).go({ pages: 'all' });
      return (data as RecordItem[]).map(fromItem);
    },
    async list(tenantId, issuerTaxId, filter, page) {
      let query = registerRecord.query.byChain({ tenantId, issuerTaxId });
      const { from, to } = filter;
      if (from || to) {
        query = query.where((a, { gte, lte }) =>
          [from ? gte(a.genDate, from) : '', to ? lte(a.genDate, to) : ''].filter(Boolean).join(' AND '),
        ) as typeof query;
      }
      try {
        const result = await query.go({ limit: page.limit, count: page.limit, cursor: page.cursor, pages: from || to ? 'all' : undefined });
        return { data: (result.data as RecordItem[]).map(fromItem), nextCursor: result.cursor ?? null };
      } catch (error) {
        if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
        throw error;
      }
    },
    async ofInvoice(tenantId, invoiceId) {
      const { data } = await registerRecord.query.byInvoice({ tenantId, invoiceId }).go({ pages: 'all' });
      return (data as RecordItem[]).map(fromItem).sort((a, b) => a.sequence - b.sequence);
    },
  };
}

/**
 * The invoice store of a tenant with the register on: a write that issues or cancels invoices also writes,
 * in the SAME transaction, their register records (created, never overwritten) and the chain's head,
 * conditioned on the head read (created when the chain is new). Another writer of the chain in between
 * makes the transaction fail on the head: 'contention', and the caller (the issue queue, the stage move)
 * retries from the new head. Every other write goes to `base`.
 *
 * `issuerOf` reads the tenant's settings (null: the register is off); `clock` gives the records' time,
 * never earlier than the head's (a record never goes back in time, whatever the clocks of two processes).
 */
export function registeringInvoiceStore(
  service: CrmService,
  base: ExtensibleInvoiceStore,
  options: { issuerOf: (tenantId: string) => Promise<string | null>; clock?: () => Date },
): ExtensibleInvoiceStore {
  const registers = registerRepository(service);
  const clock = options.clock ?? (() => new Date());
  /** The commit, with `extra` items of the caller's (after the register's) in the same transaction. */
  async function commit(commit: InvoiceCommit, extra?: (entities: TransactionEntities) => unknown[]): Promise<CommitResult> {
    if (!Register.touchesRegister(commit.changes)) return base.commit(commit, extra);
    const tenantId = commit.changes[0]!.after.tenantId;
    const issuerTaxId = await options.issuerOf(tenantId);
    if (!issuerTaxId) return base.commit(commit, extra);
    const head = await registers.head(tenantId, issuerTaxId);
    const headTime = head ? Date.parse(head.record.FechaHoraHusoGenRegistro) : Number.NaN;
    const now = clock();
    const at = Number.isNaN(headTime) || headTime <= now.getTime() ? now : new Date(headTime);
    const entries = Register.recordsFor(commit.changes, head, issuerTaxId, { now: at });
    const last = entries[entries.length - 1];
    if (!last) return base.commit(commit, extra);
    return commitInvoices(service, commit, (entities) => {
      const { registerRecord, registerHead } = entities;
      return [
        ...entries.map((entry) =>
          registerRecord
            .create({
              tenantId,
              issuerTaxId,
              position: position(entry.sequence),
              sequence: entry.sequence,
              invoiceId: entry.invoiceId,
              kind: entry.kind,
              previousHuella: entry.previousHuella,
              huella: entry.huella,
              record: entry.record,
              ...(entry.kind === 'alta' ? { qrUrl: entry.qrUrl } : {}),
              genDate: genDateOf(entry),
            })
            .commit(),
        ),
        head
          ? registerHead
              .patch({ tenantId, issuerTaxId })
              .set({ sequence: last.sequence, huella: last.huella, entry: last })
              .where((a, { eq }) => `${eq(a.sequence, head.sequence)} AND ${eq(a.huella, head.huella)}`)
              .commit()
          : registerHead.create({ tenantId, issuerTaxId, sequence: last.sequence, huella: last.huella, entry: last }).commit(),
        ...(extra?.(entities) ?? []),
      ];
    });
  }
  return { ...base, commit };
}
