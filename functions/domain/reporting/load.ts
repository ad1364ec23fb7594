/**
 * What the reports read, through the stores' indexes only (never a scan): invoices by issue date (the invoice
 * store's byIssueDate index, one key range), ledger records by their own date, payments by payment date.
 */
import type { Payment } from '../payments';
import type { ReportInvoice, ReportingPorts } from './model';

const PAGE = 500;

/** Every invoice issued from `from` to `to` (inclusive), drafts never (they have no issue date). */
export async function issuedBetween(ports: Pick<ReportingPorts, 'invoices'>, tenantId: string, from: string, to: string): Promise<ReportInvoice[]> {
  const out: ReportInvoice[] = [];
  let cursor: string | null = null;
  for (;;) {
    const rows = await ports.invoices.queryStep(
      tenantId,
      { index: 'byIssueDate', order: 'asc', partition: {}, range: { between: [from, `${to}#~`] }, filters: {} },
      { count: PAGE, cursor },
    );
    for (const row of rows) out.push(row.item as ReportInvoice);
    if (rows.length < PAGE) return out;
    cursor = rows[rows.length - 1].cursor;
  }
}

/** The invoices of these ids (those that exist). */
export async function invoicesByIds(ports: Pick<ReportingPorts, 'invoices'>, tenantId: string, ids: string[]): Promise<Map<string, ReportInvoice>> {
  const out = new Map<string, ReportInvoice>();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const invoice = await ports.invoices.get(tenantId, id);
        if (invoice) out.set(id, invoice as ReportInvoice);
      }
    }),
  );
  return out;
}

/** Every payment received from `from` to `to` (inclusive). */
export async function paymentsBetween(ports: Pick<ReportingPorts, 'ledger'>, tenantId: string, from: string, to: string): Promise<Payment.Info[]> {
  const out: Payment.Info[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await ports.ledger.listPayments(tenantId, { dateFrom: from, dateTo: to }, { limit: 100, cursor });
    out.push(...page.data);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}
