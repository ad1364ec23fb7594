/**
 * Documents made from other documents, each in ONE transaction that also links them both ways (a retry or a
 * concurrent second call finds the link and answers 409 with the document already made):
 * - `convert`: an issued proforma becomes an invoice (F1), issued at once with the invoice series' next
 *   number (`convertedTo` on the proforma, `convertedFrom` on the invoice);
 * - `replace`: a simplified invoice (F2) is replaced by a full invoice (F3) for a named client (`replacedBy`,
 *   `replaces`), issued at once; the simplified invoice itself never changes otherwise.
 */
import { Conflict, initialStage, lineInputs, NotFound, outboxEvent, RuleViolation, timelineEntry, today, type Actor, type ItemCommand } from '../kernel';
import { loadClient, newInvoice } from './create';
import { retrying } from './credit-notes';
import { busy, createIssueQueue } from './issuing';
import { nowOf, withNulls, type Invoice, type InvoiceChange, type InvoicePorts } from './model';
import { effective, issueSlot } from './pipeline-settings';
import { planStageMove, stageMoveChange } from './stage-move';

/** The stage a document made here is issued to: the first open stage after the pipeline's first. */
function issueStageOf(pipeline: ReturnType<typeof effective>['pipeline']): string {
  const first = initialStage(pipeline).id;
  const stage = pipeline.stages.find((s) => s.kind === 'open' && s.id !== first);
  if (!stage) throw new RuleViolation('the invoice pipeline has no open stage to issue to', [{ field: 'stage', message: 'no open stage' }]);
  return stage.id;
}

function createdEntries(invoice: Invoice, actor: Actor, now: Date): Pick<InvoiceChange, 'timeline' | 'events'> {
  return {
    timeline: [
      timelineEntry({
        tenantId: invoice.tenantId,
        subjectType: 'invoice',
        subjectId: invoice.id,
        kind: 'created',
        actor,
        at: now,
        data: { stage: invoice.stage, type: invoice.type, source: invoice.source },
      }),
    ],
    events: [
      outboxEvent(
        'invoiceCreated',
        invoice.tenantId,
        { invoiceId: invoice.id, type: invoice.type, stage: invoice.stage, sourceType: 'invoice', sourceId: invoice.source?.id, version: invoice.version },
        now,
      ),
    ],
  };
}

/**
 * Issues `draft` (a new invoice, not stored yet) with the next number of its series, in one transaction with
 * `linkOf(now)`: the change of the document it comes from (conditioned on its version). 'stale' when that
 * document changed meanwhile (the caller reads it again).
 */
async function issueNew(
  ports: InvoicePorts,
  input: { draft: Invoice; actor: Actor; source: Invoice; link: (source: Invoice, now: Date) => InvoiceChange },
): Promise<Invoice | 'stale'> {
  const { draft, actor, source } = input;
  const tenantId = draft.tenantId;
  const now = nowOf(ports);
  const settings = effective(await ports.pipelines.get(tenantId, 'invoice'));
  const plan = planStageMove(draft, settings.pipeline, issueStageOf(settings.pipeline), { today: today(now), seller: await ports.seller(tenantId) });
  const queue = ports.issueQueue ?? createIssueQueue({ sleep: ports.sleep, random: ports.random });
  const created = createdEntries(draft, actor, now);
  const issued = await queue.issue(ports.invoices, {
    ...issueSlot(settings, draft, plan.issueDate!),
    build: (numbering) => {
      const moved = stageMoveChange(draft, plan, { now, actor, numbering });
      return {
        ...moved,
        before: null,
        timeline: [...created.timeline, ...moved.timeline],
        events: [...created.events, ...moved.events],
        linked: [input.link(source, now)],
      };
    },
  });
  if (issued.outcome === 'busy') throw busy(draft.id);
  if (issued.outcome === 'stale') return 'stale';
  return issued.invoice;
}

/** One attempt again while it collides with concurrent writes (`stale`), the same way as the other derived documents. */
const repeat = (ports: InvoicePorts, attempt: () => Promise<Invoice | 'stale'>): Promise<Invoice> =>
  retrying(ports, 'the conversion', async () => {
    const result = await attempt();
    return result === 'stale' ? 'retry' : withNulls(result);
  });

function linkEntry(source: Invoice, kind: string, data: Record<string, unknown>, actor: Actor, now: Date) {
  return timelineEntry({ tenantId: source.tenantId, subjectType: 'invoice', subjectId: source.id, kind, actor, at: now, data });
}

/**
 * A full invoice (F1 or F3) made from an issued original and issued at once, linked both ways: the original
 * gets `linkField` (and a timeline entry `kind`) in the transaction that numbers the new invoice.
 */
async function issueFrom(
  ports: InvoicePorts,
  original: Invoice,
  cmd: { actor: Actor; client: Invoice['client']; dueDate: string | null | undefined; carry: Partial<Invoice>; link: 'convertedTo' | 'replacedBy' },
): Promise<Invoice | 'stale'> {
  const { actor } = cmd;
  const settings = effective(await ports.pipelines.get(original.tenantId, 'invoice'));
  const draft: Invoice = {
    ...newInvoice({
      tenantId: original.tenantId,
      actor,
      stage: initialStage(settings.pipeline).id,
      type: 'invoice',
      client: cmd.client,
      lines: lineInputs(original.lines),
      currency: original.currency,
      dueDate: cmd.dueDate ?? undefined,
      notes: original.notes,
      dealId: original.dealId,
      quoteId: cmd.link === 'convertedTo' ? original.quoteId : undefined, // a replacement does not take over the quote
      source: { type: 'invoice', id: original.id },
      responsibleUserId: original.responsibleUserId,
      now: nowOf(ports),
    }),
    ...cmd.carry,
  };
  const kind = cmd.link === 'convertedTo' ? 'converted' : 'replaced';
  return issueNew(ports, {
    draft,
    actor,
    source: original,
    link: (source, at) => ({
      before: source,
      after: { ...source, [cmd.link]: draft.id, version: source.version + 1, updatedAt: at.toISOString() },
      timeline: [linkEntry(source, kind, { invoiceId: draft.id }, actor, at)],
      events: [],
    }),
  });
}

/** The original's checks before a convert or a replace: the right type, not done already (409 with the id), issued, not cancelled. */
function assertDerivable(original: Invoice, expected: 'proforma' | 'simplified', link: 'convertedTo' | 'replacedBy'): void {
  const noun = expected === 'proforma' ? 'proforma' : 'simplified invoice';
  const done = original[link];
  if ((original.type as string) !== expected) {
    const what = expected === 'proforma' ? 'only a proforma is converted into an invoice' : 'only a simplified invoice is replaced by a full one';
    throw new RuleViolation(what, [{ field: 'id', message: `the document is a ${original.type}` }]);
  }
  if (done) {
    const verb = link === 'convertedTo' ? 'converted' : 'replaced';
    throw new Conflict(`the ${noun} is ${verb} already`, [{ field: 'id', message: `${verb} ${link === 'convertedTo' ? 'into' : 'by'} ${done}` }], {
      invoiceId: done,
      existingId: done,
    });
  }
  if (original.status === 'draft') {
    const what = expected === 'proforma' ? 'a draft proforma is not converted: issue it first' : 'a draft is not replaced: issue it first';
    throw new RuleViolation(what, [{ field: 'id', message: `the ${expected === 'proforma' ? 'proforma' : 'invoice'} is a draft` }]);
  }
  if (original.status === 'void') {
    const what = expected === 'proforma' ? 'a cancelled proforma is not converted' : 'a cancelled invoice is not replaced';
    throw new Conflict(what, [{ field: 'id', message: `the ${expected === 'proforma' ? 'proforma' : 'invoice'} is cancelled` }]);
  }
}

/** POST /v1/invoices/{id}/convert: an issued proforma -> a new invoice (F1), once; 409 with its id the second time. */
export async function convert(ports: InvoicePorts, cmd: ItemCommand): Promise<Invoice> {
  const { tenantId, id, actor } = cmd;
  return repeat(ports, async () => {
    const proforma = await ports.invoices.get(tenantId, id);
    if (!proforma) throw new NotFound('invoice');
    assertDerivable(proforma, 'proforma', 'convertedTo');
    return issueFrom(ports, proforma, {
      actor,
      client: proforma.client,
      dueDate: proforma.dueDate,
      carry: { convertedFrom: proforma.id },
      link: 'convertedTo',
    });
  });
}

/**
 * POST /v1/invoices/{id}/replace `{ companyId | contactId }`: a simplified invoice replaced by a full invoice
 * (F3) for the client, issued at once; 409 with its id when it is replaced already.
 */
export async function replace(ports: InvoicePorts, cmd: ItemCommand & { client: { companyId?: string; contactId?: string } }): Promise<Invoice> {
  const { tenantId, id, actor } = cmd;
  const { snapshot } = await loadClient(ports, tenantId, cmd.client);
  return repeat(ports, async () => {
    const simplified = await ports.invoices.get(tenantId, id);
    if (!simplified) throw new NotFound('invoice');
    assertDerivable(simplified, 'simplified', 'replacedBy');
    return issueFrom(ports, simplified, {
      actor,
      client: snapshot,
      dueDate: simplified.dueDate ?? simplified.issueDate,
      carry: { replaces: [{ invoiceId: simplified.id, number: simplified.number, issueDate: simplified.issueDate }] },
      link: 'replacedBy',
    });
  });
}
