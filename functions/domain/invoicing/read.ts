/**
 * Reading invoices: one, a filtered and sorted page (through the list plan's index queries), a timeline,
 * and what the API shows of one.
 */
import { InvalidInput, NotFound, today, type ItemQuery, type Page, type PageRequest } from '../kernel';
import { InvalidListCursor, planInvoiceList, runListPlan, type InvoiceListFilters } from './list';
import { nowOf, withNulls, type Invoice, type InvoicePorts } from './model';
import { fiscalTypeOf } from './corrections';
import { settlementView, taxInclusiveTotal } from './settlement';

export async function get(ports: Pick<InvoicePorts, 'invoices'>, query: ItemQuery): Promise<Invoice> {
  const invoice = await ports.invoices.get(query.tenantId, query.id);
  if (!invoice) throw new NotFound('invoice');
  return withNulls(invoice);
}

/** A page of invoices matching the filters, in the requested order (see list.ts for the indexes). */
export async function list(
  ports: Pick<InvoicePorts, 'invoices' | 'now'>,
  query: { tenantId: string; filters: InvoiceListFilters; page: PageRequest },
): Promise<Page<Invoice>> {
  const { tenantId, filters, page } = query;
  if (filters.issueDateFrom && filters.issueDateTo && filters.issueDateFrom > filters.issueDateTo) {
    throw new InvalidInput('issueDateFrom is after issueDateTo', [{ field: 'query.issueDateFrom', message: 'must not be after issueDateTo' }]);
  }
  const plan = planInvoiceList(filters, today(nowOf(ports)));
  try {
    const result = await runListPlan(plan, page, (step, options) => ports.invoices.queryStep(tenantId, step, options));
    return { data: result.data.map(withNulls), nextCursor: result.nextCursor };
  } catch (error) {
    if (error instanceof InvalidListCursor) {
      throw new InvalidInput('the cursor is not valid for this query', [{ field: 'cursor', message: 'invalid' }]);
    }
    throw error;
  }
}

export async function timeline(ports: Pick<InvoicePorts, 'invoices'>, query: ItemQuery & { page: PageRequest }) {
  await get(ports, query);
  return ports.invoices.timeline(query.tenantId, query.id, query.page);
}

/** What the API shows of an invoice: no tenant, no internal sequence or keys; absent values as null. */
export function view(invoice: Invoice) {
  const { tenantId: _tenant, sequence: _sequence, settlement: _settlement, cancelsOriginal: _cancels, ...rest } = withNulls(invoice);
  return { ...rest, fiscalType: fiscalTypeOf(invoice), ...settlementView(invoice), taxInclusiveTotal: taxInclusiveTotal(invoice) };
}
