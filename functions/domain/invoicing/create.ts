/**
 * Making a draft invoice: from scratch, from a client, or from a deal or a quote (through the source port).
 */
import { Client, type ClientSnapshot } from '../clients';
import {
  Conflict,
  newId,
  outboxEvent,
  priceLines,
  RuleViolation,
  timelineEntry,
  withoutEmpty,
  initialStage,
  type Actor,
  type Command,
  type FieldError,
  type LineInput,
} from '../kernel';
import {
  nowOf,
  SERIES_OF_TYPE,
  withNulls,
  type CommitResult,
  type Invoice,
  type InvoicePorts,
  type InvoiceType,
  type LineDraft,
  type SourceRef,
} from './model';
import { effective } from './pipeline-settings';
import type { ProductRecord } from '../clients';

/**
 * Lines as given, completed from their products: with a productId, an omitted description, unitPrice,
 * taxRate or unit is the product's (given fields win). A product priced in another currency needs an
 * explicit unitPrice. Every problem is reported at once, with its path.
 */
export function resolveLines(
  drafts: LineDraft[],
  currency: string,
  products: ReadonlyMap<string, ProductRecord | null>,
): { lines: LineInput[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const lines = drafts.map((draft, i) => {
    const at = `lines[${i}]`;
    let { description, unitPrice, taxRate, unit } = draft;
    if (draft.productId) {
      const product = products.get(draft.productId);
      if (!product) {
        errors.push({ field: `${at}.productId`, message: 'no such product' });
      } else {
        description ??= product.name;
        taxRate ??= product.taxRate;
        unit ??= product.unit;
        if (unitPrice === undefined) {
          if (product.currency === currency) unitPrice = product.unitPrice;
          else errors.push({ field: `${at}.unitPrice`, message: `the product is priced in ${product.currency}; give a unitPrice in ${currency}` });
        }
      }
    } else {
      if (description === undefined) errors.push({ field: `${at}.description`, message: 'required without a productId' });
      if (unitPrice === undefined) errors.push({ field: `${at}.unitPrice`, message: 'required without a productId' });
      if (taxRate === undefined) errors.push({ field: `${at}.taxRate`, message: 'required without a productId' });
    }
    return withoutEmpty({
      productId: draft.productId,
      description: description ?? '',
      quantity: draft.quantity,
      unitPrice: unitPrice ?? '0',
      taxRate: taxRate ?? '0',
      discountPercent: draft.discountPercent,
      withholdingRate: draft.withholdingRate,
      unit,
    }) as LineInput;
  });
  return { lines, errors };
}

export async function loadProducts(ports: Pick<InvoicePorts, 'products'>, tenantId: string, drafts: LineDraft[]) {
  const ids = [...new Set(drafts.map((d) => d.productId).filter((id): id is string => !!id))];
  const found = await Promise.all(ids.map((id) => ports.products.getProduct(tenantId, id)));
  return new Map(ids.map((id, i) => [id, found[i]]));
}

export async function loadClient(
  ports: Pick<InvoicePorts, 'clients'>,
  tenantId: string,
  ref: { companyId?: string; contactId?: string },
  fieldPrefix = '',
): Promise<{ snapshot: ClientSnapshot; responsibleUserId?: string }> {
  if (ref.companyId) {
    const company = await ports.clients.company(tenantId, ref.companyId);
    if (!company)
      throw new RuleViolation('the invoice names a company that does not exist', [{ field: `${fieldPrefix}companyId`, message: 'no such company' }]);
    return { snapshot: Client.snapshot(company, null)!, responsibleUserId: company.responsibleUserId };
  }
  if (ref.contactId) {
    const contact = await ports.clients.contact(tenantId, ref.contactId);
    if (!contact)
      throw new RuleViolation('the invoice names a contact that does not exist', [{ field: `${fieldPrefix}contactId`, message: 'no such contact' }]);
    return { snapshot: Client.snapshot(null, contact)!, responsibleUserId: contact.responsibleUserId };
  }
  throw new Error('loadClient needs a companyId or a contactId');
}

export interface CreateInvoiceInput {
  type?: InvoiceType;
  companyId?: string;
  contactId?: string;
  dealId?: string;
  currency?: string;
  lines?: LineDraft[];
  dueDate?: string;
  notes?: string;
  responsibleUserId?: string;
  /** Made by a schedule: the invoice's id is derived from (schedule, period), so a second make of the same period is refused. */
  id?: string;
  recurringInvoiceId?: string;
  period?: string;
  lateFeeFor?: string;
  from?: { companyId?: string; contactId?: string; dealId?: string; quoteId?: string };
}

/** A new draft in the pipeline's first stage, with its totals. Pure. */
export function newInvoice(input: {
  tenantId: string;
  actor: Actor;
  stage: string;
  type: InvoiceType;
  client: ClientSnapshot | null;
  lines: LineInput[];
  currency: string;
  dueDate?: string;
  notes?: string;
  dealId?: string;
  quoteId?: string;
  source?: Invoice['source'];
  responsibleUserId: string;
  now: Date;
  id?: string;
  recurringInvoiceId?: string;
  period?: string;
  lateFeeFor?: string;
}): Invoice {
  const priced = priceLines(input.lines, input.currency);
  const at = input.now.toISOString();
  return withoutEmpty({
    tenantId: input.tenantId,
    id: input.id ?? newId('invoice'),
    number: null,
    series: SERIES_OF_TYPE[input.type],
    type: input.type,
    stage: input.stage,
    status: 'draft' as const,
    client: input.client,
    lines: priced.lines,
    totals: priced.totals,
    currency: input.currency,
    issueDate: null,
    dueDate: input.dueDate ?? null,
    notes: input.notes,
    dealId: input.dealId,
    quoteId: input.quoteId,
    source: input.source,
    recurringInvoiceId: input.recurringInvoiceId,
    period: input.period,
    lateFeeFor: input.lateFeeFor,
    responsibleUserId: input.responsibleUserId,
    createdBy: input.actor.id,
    version: 1,
    createdAt: at,
    updatedAt: at,
  }) as Invoice;
}

/**
 * Creates a draft: from scratch (`companyId` | `contactId`, lines...), or `{ from: { companyId | contactId } }`
 * (the client's details only), or `{ from: { dealId | quoteId } }` through the InvoiceSourceReader port.
 * The invoice, its 'created' timeline entry and the `invoice.created` event are written in one transaction.
 */
export async function create(ports: InvoicePorts, cmd: Command & { input: CreateInvoiceInput }): Promise<Invoice> {
  const { tenantId, actor, input } = cmd;
  const now = nowOf(ports);
  let client: ClientSnapshot | null = null;
  let clientResponsible: string | undefined;
  let drafts: LineDraft[] = input.lines ?? [];
  let currency = input.currency;
  let type = input.type ?? 'invoice';
  let dealId = input.dealId;
  let quoteId: string | undefined;
  let dueDate = input.dueDate;
  let notes = input.notes;
  let responsibleUserId = input.responsibleUserId;
  let source: Invoice['source'];

  const from = input.from;
  if (from?.companyId || from?.contactId) {
    ({ snapshot: client, responsibleUserId: clientResponsible } = await loadClient(ports, tenantId, from, 'from.'));
    source = from.companyId ? { type: 'company', id: from.companyId } : { type: 'contact', id: from.contactId! };
  } else if (from?.dealId || from?.quoteId) {
    const ref: SourceRef = from.dealId ? { dealId: from.dealId } : { quoteId: from.quoteId! };
    const field = from.dealId ? 'from.dealId' : 'from.quoteId';
    if (!ports.sources)
      throw new RuleViolation(`invoices from a ${from.dealId ? 'deal' : 'quote'} are not supported yet`, [{ field, message: 'not supported yet' }]);
    const loaded = await ports.sources.loadSource(tenantId, ref);
    if (!loaded)
      throw new RuleViolation(`the ${from.dealId ? 'deal' : 'quote'} does not exist`, [{ field, message: `no such ${from.dealId ? 'deal' : 'quote'}` }]);
    if (loaded.client !== undefined) client = loaded.client;
    else if (loaded.clientRef) ({ snapshot: client, responsibleUserId: clientResponsible } = await loadClient(ports, tenantId, loaded.clientRef));
    drafts = loaded.lines;
    currency ??= loaded.currency;
    type = input.type ?? loaded.type ?? 'invoice';
    dealId = loaded.dealId ?? (from.dealId || undefined);
    quoteId = loaded.quoteId ?? (from.quoteId || undefined);
    dueDate ??= loaded.dueDate;
    notes ??= loaded.notes;
    responsibleUserId ??= loaded.responsibleUserId;
    source = from.dealId ? { type: 'deal', id: from.dealId } : { type: 'quote', id: from.quoteId! };
  } else if (input.companyId || input.contactId) {
    ({ snapshot: client, responsibleUserId: clientResponsible } = await loadClient(ports, tenantId, input));
  }
  currency ??= await ports.defaultCurrency(tenantId);

  const { lines, errors } = resolveLines(drafts, currency, await loadProducts(ports, tenantId, drafts));
  if (errors.length > 0) throw new RuleViolation('some lines cannot be used', errors);

  const settings = effective(await ports.pipelines.get(tenantId, 'invoice'));
  const invoice = newInvoice({
    tenantId,
    actor,
    stage: initialStage(settings.pipeline).id,
    type,
    client,
    lines,
    currency,
    dueDate,
    notes,
    dealId,
    quoteId,
    source,
    responsibleUserId: responsibleUserId ?? clientResponsible ?? actor.id,
    now,
    id: input.id,
    recurringInvoiceId: input.recurringInvoiceId,
    period: input.period,
    lateFeeFor: input.lateFeeFor,
  });
  const outcome = await commitNew(ports, invoice, { actor, now, source });
  if (outcome === 'stale' && input.id) throw new Conflict(`invoice ${input.id} already exists`, [], { existingId: input.id });
  if (outcome !== 'ok') throw new Conflict('the invoice could not be created; retry');
  return withNulls(invoice);
}

/**
 * Writes a new draft with its 'created' timeline entry and its `invoice.created` event, in one transaction
 * (the store links a deal or quote source back to it in the same one). The store's outcome.
 */
export async function commitNew(
  ports: Pick<InvoicePorts, 'invoices'>,
  invoice: Invoice,
  context: { actor: Actor; now: Date; source?: Invoice['source']; data?: Record<string, unknown> },
): Promise<CommitResult['outcome']> {
  const { tenantId, type } = invoice;
  const { actor, now, source } = context;
  const { outcome } = await ports.invoices.commit({
    changes: [
      {
        before: null,
        after: invoice,
        timeline: [
          timelineEntry({
            tenantId,
            subjectType: 'invoice',
            subjectId: invoice.id,
            kind: 'created',
            actor,
            at: now,
            data: { stage: invoice.stage, type, ...(source ? { source } : {}), ...context.data },
          }),
        ],
        events: [
          outboxEvent(
            'invoiceCreated',
            tenantId,
            {
              invoiceId: invoice.id,
              type,
              stage: invoice.stage,
              sourceType: source?.type,
              sourceId: source?.id,
              version: invoice.version,
            },
            now,
          ),
        ],
      },
    ],
  });
  return outcome;
}
