/** Reading the ledger: lists of payments (by client, invoice, date) and a client's balance per currency. */
import { Invoice } from '../invoicing';
import { InvalidInput, NotFound, today, type Page, type PageRequest } from '../kernel';
import { clientBalance, type ClientBalanceRow } from './figures';
import { nowOf, type Payment, type PaymentListFilter, type PaymentPorts } from './model';
import { paymentView, type PaymentView } from './view';

export interface PaymentListQuery extends PaymentListFilter {
  invoiceId?: string;
}

async function withRecords(ports: PaymentPorts, tenantId: string, payments: Payment[]): Promise<PaymentView[]> {
  return Promise.all(payments.map(async (p) => paymentView(p, await ports.ledger.recordsOfSource(tenantId, { type: 'payment', id: p.id }))));
}

/**
 * Payments newest first, by client and/or payment date range, or (invoiceId) those allocated to one invoice
 * (every one, oldest allocation first, in one page).
 */
export async function list(ports: PaymentPorts, query: { tenantId: string; filter: PaymentListQuery; page: PageRequest }): Promise<Page<PaymentView>> {
  const { tenantId, filter, page } = query;
  if (filter.dateFrom && filter.dateTo && filter.dateFrom > filter.dateTo) {
    throw new InvalidInput('dateFrom is after dateTo', [{ field: 'query.dateFrom', message: 'must not be after dateTo' }]);
  }
  if (filter.invoiceId) {
    const { allocations } = await ports.ledger.recordsOfInvoice(tenantId, filter.invoiceId);
    const ids = [...new Set(allocations.filter((a) => a.source.type === 'payment').map((a) => a.source.id))];
    const payments = (await ports.ledger.getPayments(tenantId, ids)).filter(
      (p) =>
        (!filter.clientId || p.clientId === filter.clientId) && (!filter.dateFrom || p.date >= filter.dateFrom) && (!filter.dateTo || p.date <= filter.dateTo),
    );
    payments.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    return { data: await withRecords(ports, tenantId, payments), nextCursor: null };
  }
  const result = await ports.ledger.listPayments(tenantId, filter, page);
  return { data: await withRecords(ports, tenantId, result.data), nextCursor: result.nextCursor };
}

/** The payments allocated to one invoice (404 for an unknown invoice). */
export async function ofInvoice(ports: PaymentPorts, query: { tenantId: string; id: string }): Promise<Page<PaymentView>> {
  await Invoice.get(ports, query);
  return list(ports, { tenantId: query.tenantId, filter: { invoiceId: query.id }, page: { limit: 100 } });
}

/** Every item of a paged read. */
export async function allPages<T>(read: (cursor: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await read(cursor);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** What a client's balance is computed from: its invoices, payments and ledger records. */
export async function clientLedger(ports: PaymentPorts, tenantId: string, clientId: string) {
  const [invoices, payments, records] = await Promise.all([
    allPages((cursor) => Invoice.list(ports, { tenantId, filters: { clientId }, page: { limit: 100, cursor } })),
    allPages((cursor) => ports.ledger.listPayments(tenantId, { clientId }, { limit: 100, cursor })),
    ports.ledger.recordsOfClient(tenantId, clientId),
  ]);
  return { invoices, payments, records };
}

/** GET /v1/companies/{id}/balance, /v1/contacts/{id}/balance: per currency (404 for an unknown client). */
export async function of(ports: PaymentPorts, query: { tenantId: string; clientId: string }): Promise<{ data: ClientBalanceRow[] }> {
  const { tenantId, clientId } = query;
  const found = clientId.startsWith('cmp_') ? await ports.clients.company(tenantId, clientId) : await ports.clients.contact(tenantId, clientId);
  if (!found) throw new NotFound(clientId.startsWith('cmp_') ? 'company' : 'contact');
  return { data: clientBalance(await clientLedger(ports, tenantId, clientId), today(nowOf(ports))) };
}
