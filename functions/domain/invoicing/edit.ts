/**
 * Editing an invoice: what its status allows (a draft everything; an issued invoice only its CRM data and
 * payment term), re-snapshotting the client and re-pricing the lines when they change.
 */
import { Conflict, NotFound, priceLines, RuleViolation, staleVersion, timelineEntry, type FieldError, type ItemCommand } from '../kernel';
import { loadClient, loadProducts, resolveLines } from './create';
import { nowOf, SERIES_OF_TYPE, withNulls, type Invoice, type InvoicePorts, type InvoiceType, type LineDraft } from './model';

export interface InvoicePatch {
  type?: InvoiceType;
  companyId?: string;
  contactId?: string;
  dealId?: string | null;
  currency?: string;
  lines?: LineDraft[];
  dueDate?: string | null;
  notes?: string | null;
  responsibleUserId?: string;
}

/** Fields that stay editable once an invoice is issued: CRM data and the payment term, not the legal content. */
const EDITABLE_WHEN_ISSUED: ReadonlySet<keyof InvoicePatch> = new Set(['dueDate', 'dealId', 'responsibleUserId']);
const EDITABLE_WHEN_CLOSED: ReadonlySet<keyof InvoicePatch> = new Set(['dealId', 'responsibleUserId']);

/**
 * The fields of `patch` that the invoice's status forbids changing (empty: the edit may go ahead).
 * Drafts: everything. Issued: dueDate, dealId, responsibleUserId (client, lines, amounts, currency, type and
 * notes are the legal content: frozen). Paid or void: dealId and responsibleUserId only.
 */
export function frozenFields(invoice: Pick<Invoice, 'status'>, patch: InvoicePatch): FieldError[] {
  if (invoice.status === 'draft') return [];
  const allowed = invoice.status === 'issued' ? EDITABLE_WHEN_ISSUED : EDITABLE_WHEN_CLOSED;
  return (Object.keys(patch) as (keyof InvoicePatch)[])
    .filter((key) => patch[key] !== undefined && !allowed.has(key))
    .map((key) => ({ field: key, message: `cannot change once the invoice is ${invoice.status}` }));
}

function refuseFrozen(invoice: Invoice, patch: InvoicePatch): void {
  const frozen = frozenFields(invoice, patch);
  if (frozen.length === 0) return;
  const message =
    invoice.status === 'issued'
      ? `issued invoices cannot be edited; issue a credit note to correct invoice ${invoice.number}`
      : `a ${invoice.status} invoice cannot be edited`;
  throw new Conflict(message, frozen, { status: invoice.status });
}

/**
 * PATCH: applies the changes the status allows (409 listing the frozen fields otherwise), re-snapshots the
 * client when companyId/contactId is given, re-prices when lines or currency change. Optimistic: 409 when
 * `expectedVersion` (or, without it, the version read) is no longer current.
 */
export async function update(ports: InvoicePorts, cmd: ItemCommand & { changes: InvoicePatch }): Promise<Invoice> {
  const { tenantId, id: invoiceId, actor, changes: patch } = cmd;
  const current = await ports.invoices.get(tenantId, invoiceId);
  if (!current) throw new NotFound('invoice');
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) throw staleVersion(cmd.expectedVersion, current.version);
  refuseFrozen(current, patch);
  if (current.corrects?.length) {
    const fixed = (['type', 'companyId', 'contactId', 'currency', 'lines'] as const).filter((key) => patch[key] !== undefined);
    if (fixed.length > 0) {
      throw new Conflict(
        'a credit note keeps the lines and client of the invoice it corrects; delete the draft and make another',
        fixed.map((field) => ({ field, message: 'fixed by the corrected invoice' })),
      );
    }
  }

  const now = nowOf(ports);
  const next: Invoice = { ...current };
  const changed = (Object.keys(patch) as (keyof InvoicePatch)[]).filter((k) => patch[k] !== undefined);
  if (patch.companyId || patch.contactId) {
    const loaded = await loadClient(ports, tenantId, patch);
    next.client = loaded.snapshot;
  }
  if (patch.type) {
    next.type = patch.type;
    next.series = SERIES_OF_TYPE[patch.type];
  }
  if (patch.dealId !== undefined) {
    if (patch.dealId === null) delete next.dealId;
    else next.dealId = patch.dealId;
  }
  if (patch.dueDate !== undefined) next.dueDate = patch.dueDate;
  if (patch.notes !== undefined) {
    if (patch.notes === null) delete next.notes;
    else next.notes = patch.notes;
  }
  if (patch.responsibleUserId) next.responsibleUserId = patch.responsibleUserId;
  if (patch.lines || patch.currency) {
    next.currency = patch.currency ?? current.currency;
    const drafts: LineDraft[] = patch.lines ?? current.lines.map(({ netAmount: _net, ...line }) => line);
    const { lines, errors } = resolveLines(drafts, next.currency, await loadProducts(ports, tenantId, drafts));
    if (errors.length > 0) throw new RuleViolation('some lines cannot be used', errors);
    const priced = priceLines(lines, next.currency);
    next.lines = priced.lines;
    next.totals = priced.totals;
  }
  next.version = current.version + 1;
  next.updatedAt = now.toISOString();

  const { outcome } = await ports.invoices.commit({
    changes: [
      {
        before: current,
        after: next,
        timeline: [timelineEntry({ tenantId, subjectType: 'invoice', subjectId: invoiceId, kind: 'updated', actor, at: now, data: { fields: changed } })],
        events: [],
      },
    ],
  });
  if (outcome !== 'ok') {
    const latest = await ports.invoices.get(tenantId, invoiceId);
    throw staleVersion(cmd.expectedVersion ?? current.version, latest?.version ?? current.version);
  }
  return withNulls(next);
}
