/**
 * The verbs of corrections: make a credit note against an issued invoice, cancel an issued invoice (a full
 * credit note, issued at once, and the original to CANCELLED), delete a draft. The rules are in corrections.ts.
 *
 * Each write is one transaction conditioned on the versions read (the credit note and the original's
 * reservations together): under concurrency the loser re-reads and re-plans, and is refused when the caps
 * no longer allow it. A crash between making a cancel's note and issuing it leaves a draft marked
 * `cancelsOriginal`: a retry of cancel issues that one instead of making another.
 */
import {
  Conflict,
  dec,
  formatAmount,
  initialStage,
  newId,
  NotFound,
  outboxEvent,
  RuleViolation,
  staleVersion,
  timelineEntry,
  today,
  type Actor,
  type FieldError,
  type ItemCommand,
} from '../kernel';
import { correctionRefusal, draftCreditNote, planCreditNote, release, reserve, type CreditNoteRequest } from './corrections';
import { jitteredBackoff } from './issuing';
import { nowOf, withNulls, type Invoice, type InvoiceChange, type InvoicePorts, type CorrectionReason, type CreditRecord, type CreditSettle } from './model';
import { moveToStage } from './move';
import { effective } from './pipeline-settings';
import { settle, settlementOf, settlementView, unpayableReason } from './settlement';

const MAX_ATTEMPTS = 20;

export async function retrying<T>(ports: Pick<InvoicePorts, 'sleep' | 'random'>, what: string, attempt: () => Promise<T | 'retry'>): Promise<T> {
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = ports.random ?? Math.random;
  for (let i = 1; ; i++) {
    const result = await attempt();
    if (result !== 'retry') return result;
    if (i >= MAX_ATTEMPTS) throw new Conflict(`${what} kept colliding with concurrent writes; retry`);
    await sleep(jitteredBackoff(i, random));
  }
}

function createdChange(note: Invoice, actor: Actor, now: Date): InvoiceChange {
  return {
    before: null,
    after: note,
    timeline: [
      timelineEntry({
        tenantId: note.tenantId,
        subjectType: 'invoice',
        subjectId: note.id,
        kind: 'created',
        actor,
        at: now,
        data: { stage: note.stage, type: note.type, source: note.source, corrects: note.corrects },
      }),
    ],
    events: [
      outboxEvent(
        'invoiceCreated',
        note.tenantId,
        { invoiceId: note.id, type: note.type, stage: note.stage, sourceType: 'invoice', sourceId: note.source?.id, version: note.version },
        now,
      ),
    ],
  };
}

/**
 * POST /v1/invoices/{id}/credit-notes: a draft credit note against the issued invoice `id` (its amounts
 * reserved on the original in the same transaction). 422 naming the field (with `remaining` when a cap is hit).
 */
export async function createCreditNote(ports: InvoicePorts, cmd: ItemCommand & { input: CreditNoteRequest; cancelsOriginal?: boolean }): Promise<Invoice> {
  const { tenantId, id, actor, input } = cmd;
  return retrying(ports, 'the credit note', async () => {
    const original = await ports.invoices.get(tenantId, id);
    if (!original) throw new NotFound('invoice');
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== original.version) throw staleVersion(cmd.expectedVersion, original.version);
    const now = nowOf(ports);
    const settings = effective(await ports.pipelines.get(tenantId, 'invoice'));
    const plan = planCreditNote(original, input, today(now));
    const note = draftCreditNote({ original, plan, request: input, pipeline: settings.pipeline, actor, now, cancelsOriginal: cmd.cancelsOriginal });
    const reserved = reserve(original, note, now);
    const result = await ports.invoices.commit({
      changes: [
        createdChange(note, actor, now),
        {
          before: original,
          after: reserved,
          timeline: [
            timelineEntry({
              tenantId,
              subjectType: 'invoice',
              subjectId: original.id,
              kind: 'credit_note_created',
              actor,
              at: now,
              data: { creditNoteId: note.id, total: note.totals.total, reason: note.reason },
            }),
          ],
          events: [],
        },
      ],
    });
    return result.outcome === 'ok' ? withNulls(note) : 'retry';
  });
}

/** The stage a credit note made by the API is issued to: the first open stage after the pipeline's first. */
function issueStage(ports: InvoicePorts, tenantId: string) {
  return ports.pipelines.get(tenantId, 'invoice').then((stored) => {
    const pipeline = effective(stored).pipeline;
    const first = initialStage(pipeline).id;
    const stage = pipeline.stages.find((s) => s.kind === 'open' && s.id !== first);
    if (!stage) throw new RuleViolation('the invoice pipeline has no open stage to issue to', [{ field: 'stage', message: 'no open stage' }]);
    return stage.id;
  });
}

export interface CancelInput {
  reason?: string;
  reasonText?: string;
  settle?: CreditSettle;
}

const REASONS = new Set(['R1', 'R2', 'R3', 'R4', 'R5']);

/**
 * POST /v1/invoices/{id}/cancel: an issued invoice is never deleted: a full credit note is made and issued,
 * note. 409 while payments are allocated to it unless `settle` says what becomes of that money. The quote it
 * was made from (or the deals and quotes of a recapitulative invoice) are freed in that transaction by the
 * store (source-links.ts): they can be invoiced again.
 */
export async function cancel(ports: InvoicePorts, cmd: ItemCommand & { input: CancelInput }): Promise<{ invoice: Invoice; creditNote: Invoice }> {
  const { tenantId, id, actor, input } = cmd;
  const original = await ports.invoices.get(tenantId, id);
  if (!original) throw new NotFound('invoice');
  if (original.status === 'draft') {
    throw new Conflict('a draft is not cancelled: delete it (DELETE /v1/invoices/{id})', [{ field: 'id', message: 'the invoice is a draft' }], {
      status: original.status,
    });
  }
  const refusal = correctionRefusal(original, today(nowOf(ports)));
  if (refusal) throw refusal.error;
  const paid = dec(settlementView(original).amountPaid ?? 0);
  if (paid.gt(0) && !input.settle) {
    throw new Conflict(
      `payments of ${settlementView(original).amountPaid} ${original.currency} are allocated to the invoice: say how to settle them (settle: credit, refund or out_of_band), or reverse them first`,
      [{ field: 'settle', message: 'required while payments are allocated' }],
      { amountPaid: settlementView(original).amountPaid },
    );
  }
  const reason = input.reason && REASONS.has(input.reason) ? (input.reason as CorrectionReason) : original.type === 'invoice' ? 'R4' : 'R5';
  const reasonText = input.reasonText ?? (input.reason && !REASONS.has(input.reason) ? input.reason : undefined);

  // a note made by an interrupted cancel is issued instead of a second one
  const pending = (original.correctedBy ?? []).filter((n) => n.status === 'draft');
  let note: Invoice | null = null;
  for (const ref of pending) {
    const found = await ports.invoices.get(tenantId, ref.invoiceId);
    if (found?.cancelsOriginal && found.status === 'draft') note = found;
  }
  note ??= await createCreditNote(ports, {
    tenantId,
    id,
    actor,
    cancelsOriginal: true,
    input: { reason, reasonText, full: true, method: 'differences', settle: input.settle ?? 'credit' },
  });
  const issued = await moveToStage(ports, { tenantId, id: note.id, actor, to: await issueStage(ports, tenantId) });
  const invoice = await ports.invoices.get(tenantId, id);
  return { invoice: withNulls(invoice!), creditNote: issued };
}

/** DELETE /v1/invoices/{id}: a draft is deleted (a credit note's reservation on its original released); 409 once issued. */
export async function remove(ports: InvoicePorts, cmd: ItemCommand): Promise<void> {
  const { tenantId, id } = cmd;
  await retrying(ports, 'the deletion', async () => {
    const invoice = await ports.invoices.get(tenantId, id);
    if (!invoice) throw new NotFound('invoice');
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== invoice.version) throw staleVersion(cmd.expectedVersion, invoice.version);
    if (invoice.status !== 'draft') {
      throw new Conflict(
        `an issued document is never deleted: ${invoice.type === 'credit_note' ? 'issue another credit note' : 'cancel it (POST /v1/invoices/{id}/cancel)'}`,
        [{ field: 'id', message: `the ${invoice.type === 'credit_note' ? 'credit note' : 'invoice'} is ${invoice.status}` }],
        { status: invoice.status, number: invoice.number },
      );
    }
    const now = nowOf(ports);
    const changes: InvoiceChange[] = [{ before: invoice, after: invoice, delete: true, timeline: [], events: [] }];
    const originalId = invoice.corrects?.[0]?.invoiceId;
    const original = originalId ? await ports.invoices.get(tenantId, originalId) : null;
    if (original) changes.push({ before: original, after: release(original, invoice.id, now), timeline: [], events: [] });
    const result = await ports.invoices.commit({ changes });
    return result.outcome === 'ok' ? true : 'retry';
  });
}

/**
 * Applies part of an issued credit note's unapplied credit (settle: credit) to another open invoice of the same
 * client and currency: an allocation `{ source: { type: 'credit_note', id } }` with `fromCredit` (it counts as
 * `creditUsed`), the note's figures and the invoice's (maybe its move to PAID) in one conditioned transaction.
 * 422 with `remaining` (and `limitedBy: "credit_note" | "invoice"`) beyond either.
 */
export async function applyCredit(
  ports: Pick<InvoicePorts, 'invoices' | 'pipelines' | 'now' | 'sleep' | 'random'>,
  cmd: ItemCommand & { invoiceId: string; amount: string },
): Promise<Invoice> {
  const { tenantId, id, actor } = cmd;
  return retrying(ports, 'the credit application', async () => {
    const note = await ports.invoices.get(tenantId, id);
    if (!note) throw new NotFound('credit note');
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== note.version) throw staleVersion(cmd.expectedVersion, note.version);
    if (note.type !== 'credit_note' || note.status === 'draft' || !note.credit) {
      throw new RuleViolation('only an issued credit note has credit to apply', [{ field: 'id', message: `the document is a ${note.status} ${note.type}` }]);
    }
    const currency = note.currency;
    const amount = dec(cmd.amount);
    if (!amount.gt(0) || !amount.eq(dec(formatAmount(amount, currency)))) {
      throw new RuleViolation('the amount is not valid', [{ field: 'amount', message: `must be greater than 0, with at most the decimals of ${currency}` }]);
    }
    const invoice = await ports.invoices.get(tenantId, cmd.invoiceId);
    if (!invoice) throw new RuleViolation('unknown invoice', [{ field: 'invoiceId', message: 'no such invoice' }]);
    const problems: FieldError[] = [];
    const unpayable = unpayableReason(invoice);
    if (unpayable) problems.push({ field: 'invoiceId', message: unpayable });
    if (invoice.client?.id !== note.client?.id) problems.push({ field: 'invoiceId', message: "the invoice is another client's" });
    if (invoice.currency !== currency) problems.push({ field: 'invoiceId', message: `the invoice is in ${invoice.currency}, the credit in ${currency}` });
    if (problems.length > 0) throw new RuleViolation('the invoice cannot take this credit', problems);
    if (amount.gt(note.credit.unapplied)) {
      throw new RuleViolation(
        'the amount exceeds the credit left on the credit note',
        [{ field: 'amount', message: `exceeds the credit note's unapplied ${note.credit.unapplied} ${currency}` }],
        { remaining: note.credit.unapplied, limitedBy: 'credit_note' },
      );
    }
    const view = settlementView(invoice);
    if (amount.gt(view.balanceDue ?? 0)) {
      throw new RuleViolation(
        "the amount exceeds the invoice's balance due",
        [{ field: 'amount', message: `exceeds the invoice's balance due ${view.balanceDue} ${currency}` }],
        { remaining: view.balanceDue, limitedBy: 'invoice' },
      );
    }
    const now = nowOf(ports);
    const pipeline = effective(await ports.pipelines.get(tenantId, 'invoice')).pipeline;
    const applied = formatAmount(amount, currency);
    const allocation: CreditRecord = {
      kind: 'allocation',
      tenantId,
      id: newId('allocation'),
      source: { type: 'credit_note', id: note.id },
      invoiceId: invoice.id,
      clientId: invoice.client?.id ?? '',
      currency,
      amount: applied,
      date: today(now),
      fromCredit: true,
      createdAt: now.toISOString(),
      createdBy: actor.id,
    };
    const figures = settlementOf(invoice, {
      paid: view.amountPaid ?? 0,
      credited: dec(view.amountCredited ?? 0).plus(amount),
      lastAllocationAt: allocation.createdAt,
    });
    const settled = settle(invoice, figures, { pipeline, now, actor });
    settled.timeline.unshift(
      timelineEntry({
        tenantId,
        subjectType: 'invoice',
        subjectId: invoice.id,
        kind: 'credit_applied',
        actor,
        at: now,
        data: { creditNoteId: note.id, number: note.number, allocationId: allocation.id, amount: applied, currency, balanceDue: figures.balanceDue },
      }),
    );
    const after: Invoice = {
      ...note,
      credit: {
        ...note.credit,
        applied: formatAmount(dec(note.credit.applied).plus(amount), currency),
        unapplied: formatAmount(dec(note.credit.unapplied).minus(amount), currency),
      },
      version: note.version + 1,
      updatedAt: now.toISOString(),
    };
    const result = await ports.invoices.commit({ changes: [{ before: note, after, timeline: [], events: [], linked: [settled], ledger: [allocation] }] });
    return result.outcome === 'ok' ? withNulls(after) : 'retry';
  });
}
