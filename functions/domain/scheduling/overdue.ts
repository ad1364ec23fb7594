/**
 * Overdue invoices: an issued invoice with `balanceDue > 0` past its `dueDate` in the tenant's time zone
 * (computed, never stored as a status). `invoice.overdue` is emitted once per overdue episode: the episode
 * record of an invoice is opened (with the event, in one transaction, conditioned on the record as read)
 * when the job first sees it late, and closed when the job sees it settled; late again after that is the
 * next episode.
 */
import { Settlement, type Invoice, type InvoiceStore } from '../invoicing';
import { dec, outboxEvent, type OutboxEvent } from '../kernel';
import { addDays } from './calendar';

export interface OverdueEpisode {
  tenantId: string;
  invoiceId: string;
  episode: number;
  open: boolean;
  openedOn: string;
  closedOn?: string;
  version: number;
}

export interface OverdueStore {
  get(tenantId: string, invoiceId: string): Promise<OverdueEpisode | null>;
  /** The tenant's open episodes. */
  openEpisodes(tenantId: string): Promise<OverdueEpisode[]>;
  /** Writes `next` (and its events) if the stored record is still `expected` (null: none); false when it is not. */
  save(next: OverdueEpisode, expected: OverdueEpisode | null, events: OutboxEvent[]): Promise<boolean>;
}

export interface OverduePorts {
  invoices: Pick<InvoiceStore, 'get' | 'queryStep'>;
  overdue: OverdueStore;
  now: () => Date;
}

/** The invoice's balance when it is overdue on `asOf`, else null. */
export function overdueBalance(invoice: Invoice.Info, asOf: string): string | null {
  if (invoice.status !== 'issued' || !invoice.dueDate || invoice.dueDate >= asOf) return null;
  const { balanceDue } = Settlement.settlementView(invoice);
  return balanceDue !== null && dec(balanceDue).gt(0) ? balanceDue : null;
}

/** Every issued invoice of the tenant due on or before `dueOnOrBefore`, oldest due first (the sparse due-date index). */
export async function issuedDueBy(ports: Pick<OverduePorts, 'invoices'>, tenantId: string, dueOnOrBefore: string): Promise<Invoice.Info[]> {
  const out: Invoice.Info[] = [];
  let cursor: string | null = null;
  for (;;) {
    const rows = await ports.invoices.queryStep(
      tenantId,
      { index: 'byOverdue', order: 'asc', partition: {}, range: { between: ['0000-00-00', addDays(dueOnOrBefore, 1)] }, filters: {} },
      { count: 200, cursor },
    );
    out.push(...rows.map((r) => r.item).filter((i) => i.dueDate !== null && i.dueDate <= dueOnOrBefore));
    if (rows.length < 200) return out;
    cursor = rows[rows.length - 1].cursor;
  }
}

export interface OverdueRun {
  opened: { invoiceId: string; episode: number }[];
  closed: string[];
  overdue: number;
}

/** The overdue job of one tenant as of `asOf` (its date): closes settled episodes, opens new ones with their event. */
export async function run(ports: OverduePorts, input: { tenantId: string; asOf: string; invoices?: Invoice.Info[] }): Promise<OverdueRun> {
  const { tenantId, asOf } = input;
  const result: OverdueRun = { opened: [], closed: [], overdue: 0 };
  // 1. close the episodes of invoices no longer overdue (paid, credited, cancelled, due date moved)
  for (const episode of await ports.overdue.openEpisodes(tenantId)) {
    const invoice = await ports.invoices.get(tenantId, episode.invoiceId);
    if (invoice && overdueBalance(invoice, asOf) !== null) continue;
    const closed = { ...episode, open: false, closedOn: asOf, version: episode.version + 1 };
    if (await ports.overdue.save(closed, episode, [])) result.closed.push(episode.invoiceId);
  }
  // 2. open an episode for each overdue invoice without an open one
  const candidates = input.invoices ?? (await issuedDueBy(ports, tenantId, addDays(asOf, -1)));
  for (const invoice of candidates) {
    const balanceDue = overdueBalance(invoice, asOf);
    if (balanceDue === null) continue;
    result.overdue++;
    const current = await ports.overdue.get(tenantId, invoice.id);
    if (current?.open) continue;
    const episode = (current?.episode ?? 0) + 1;
    const next: OverdueEpisode = { tenantId, invoiceId: invoice.id, episode, open: true, openedOn: asOf, version: (current?.version ?? 0) + 1 };
    const event = outboxEvent(
      'invoiceOverdue',
      tenantId,
      { invoiceId: invoice.id, number: invoice.number, dueDate: invoice.dueDate!, balanceDue, currency: invoice.currency, episode, asOf },
      ports.now(),
    );
    if (await ports.overdue.save(next, current, [event])) result.opened.push({ invoiceId: invoice.id, episode });
  }
  return result;
}
