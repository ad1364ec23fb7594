/**
 * Recapitulative invoices (factura recapitulativa, art. 13 RD 1619/2012): one draft grouping the operations of
 * one client in one calendar month, each line with its operation date and its source (deal or quote). Which
 * operations may be grouped is sales' rule (the source port's `recapitulativeSources`); here the draft is made
 * and written with `sources`: the store links every source to it in the SAME transaction, each under the
 * condition that it has no invoice yet, so two racing requests make one invoice. Issued, it is an ordinary
 * invoice (F1) that prints "Factura recapitulativa" and each line's operation date.
 */
import { Conflict, initialStage, RuleViolation, type Actor, type LineInput } from '../kernel';
import { commitNew, loadClient, newInvoice } from './create';
import { retrying } from './credit-notes';
import { nowOf, withNulls, type Invoice, type InvoicePorts, type RecapitulativeRequest, type RecapitulativeSource } from './model';
import { effective } from './pipeline-settings';

/** The lines of a recapitulative invoice: each source's lines in operation-date order, with its date and id. Pure. */
export function recapitulativeLines(sources: readonly RecapitulativeSource[]): LineInput[] {
  return [...sources]
    .sort((a, b) => (a.operationDate < b.operationDate ? -1 : a.operationDate > b.operationDate ? 1 : 0))
    .flatMap((source) => source.lines.map((line) => ({ ...line, operationDate: source.operationDate, sourceId: source.id })));
}

/** `YYYY-MM`, a real month. */
export function isMonth(month: string): boolean {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/**
 * Makes the draft: the client (422 naming companyId / contactId when unknown), the sources (refusals by name,
 * from the rule), the lines. The store's refusal of a source another invoice took meanwhile comes back as 409.
 */
export async function create(ports: InvoicePorts, cmd: { tenantId: string; actor: Actor; input: RecapitulativeRequest }): Promise<Invoice> {
  const { tenantId, actor, input } = cmd;
  if (!isMonth(input.month)) throw new RuleViolation('month must be a calendar month', [{ field: 'month', message: 'a month as YYYY-MM' }]);
  if (!ports.sources?.recapitulativeSources)
    throw new RuleViolation('recapitulative invoices are not supported yet', [{ field: 'month', message: 'not supported yet' }]);
  const { snapshot: client, responsibleUserId } = await loadClient(ports, tenantId, input);
  const settings = effective(await ports.pipelines.get(tenantId, 'invoice'));
  // a write that collided with another (the sources' items) is tried again from the sources: the rule then names
  // what the other request took
  return retrying(ports, 'the recapitulative invoice', async () => {
    const sources = [...(await ports.sources!.recapitulativeSources!(tenantId, input))].sort((a, b) =>
      a.operationDate < b.operationDate ? -1 : a.operationDate > b.operationDate ? 1 : 0,
    );
    const now = nowOf(ports);
    const invoice: Invoice = {
      ...newInvoice({
        tenantId,
        actor,
        stage: initialStage(settings.pipeline).id,
        type: 'invoice',
        client,
        lines: recapitulativeLines(sources),
        currency: sources[0]!.currency,
        dueDate: input.dueDate,
        notes: input.notes,
        responsibleUserId: responsibleUserId ?? actor.id,
        now,
      }),
      recapitulative: true,
      sources: sources.map((s) => ({ type: s.type, id: s.id })),
    };
    let outcome: Awaited<ReturnType<typeof commitNew>>;
    try {
      outcome = await commitNew(ports, invoice, { actor, now, data: { recapitulative: true, month: input.month, sources: invoice.sources } });
    } catch (error) {
      throw takenRefusal(error, input) ?? error;
    }
    if (outcome === 'contention') return 'retry';
    if (outcome !== 'ok') throw new Conflict('the invoice could not be created; retry');
    return withNulls(invoice);
  });
}

/** A source the store found already linked to another invoice (a race lost): `{ type, id, invoiceId }`. */
export interface TakenSource {
  type: 'deal' | 'quote';
  id: string;
  invoiceId?: string;
}

/** The store's refusal (a Conflict with `taken`) as the request names it: `dealIds[1]: already invoiced: inv_...`. */
function takenRefusal(error: unknown, request: RecapitulativeRequest): Conflict | null {
  const taken = error instanceof Conflict ? (error.extra.taken as TakenSource[] | undefined) : undefined;
  if (!Array.isArray(taken)) return null;
  const errors = taken.map((t) => {
    const index = (t.type === 'deal' ? request.dealIds : request.quoteIds)?.indexOf(t.id) ?? -1;
    return { field: index >= 0 ? `${t.type}Ids[${index}]` : `${t.type}Ids`, message: `already invoiced: ${t.invoiceId ?? 'another invoice'}` };
  });
  const invoiceIds = taken.map((t) => t.invoiceId).filter((id): id is string => !!id);
  return new Conflict('some operations already have an invoice', errors, { ...(invoiceIds[0] ? { invoiceId: invoiceIds[0] } : {}), invoiceIds });
}
