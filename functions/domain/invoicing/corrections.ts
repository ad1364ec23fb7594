/**
 * Corrections of issued invoices (Spain, RD 1619/2012): credit notes (facturas rectificativas), pure rules.
 *
 * - A credit note is a document of its own (type credit_note, its own gapless series), made as a draft
 *   against ONE issued invoice: `full`, or per original line a `quantity` or a net `amount`. Its lines are
 *   the original's, negated (by quantity), or one unit of minus the amount (by amount), with the line's VAT
 *   and withholding rates: VAT per rate and IRPF are reversed in proportion by the ordinary pricing.
 * - CAPS: what every credit note (drafts included: their amounts are reserved as soon as they are made)
 *   takes off a line never exceeds the line, in quantity nor in net amount; the VAT rate is the line's, so
 *   the caps per rate follow. The reservations live on the original (`correctedBy[].lines`), written in
 *   the same version-conditioned transaction as the draft: two concurrent credit notes cannot both take
 *   the last amount (the loser re-reads and is refused with `remaining`). Deleting a draft releases them.
 * - Issuing the note (leaving NEW, stage-move.ts) applies it in the transaction that numbers it
 *   (`creditNoteApplication`): an allocation `{ source: { type: 'credit_note', id } }` of up to the
 *   original's balanceDue, the rest per `settle`: `credit` (the client's unapplied credit), `refund` (a refund
 *   record) or `out_of_band` (settled outside). A note made by `cancel` also moves the original to CANCELLED.
 * - Reason: R1-R4 given; a simplified original always gets R5 (R5 on anything else: 422). The original must
 *   be an issued invoice (not a draft, a proforma, a credit note or a cancelled one) at most 4 years old.
 */
import {
  Decimal,
  dec,
  findStage,
  formatAmount,
  initialStage,
  priceLines,
  RuleViolation,
  Conflict,
  newId,
  timelineEntry,
  withoutEmpty,
  type Actor,
  type FieldError,
  type LineInput,
  type Pipeline,
} from '../kernel';
import { newInvoice } from './create';
import type { CorrectingRef, CorrectionMethod, CorrectionReason, CreditedLine, CreditRecord, CreditSettle, FiscalType, Invoice, InvoiceChange } from './model';
import { settle as settleFigures, settlementOf, settlementView } from './settlement';
import { planStageMove, stageMoveChange } from './stage-move';

export interface CreditNoteLineRequest {
  line: number;
  quantity?: string;
  amount?: string;
}

export interface CreditNoteRequest {
  reason?: CorrectionReason;
  reasonText?: string;
  method?: CorrectionMethod;
  full?: boolean;
  lines?: CreditNoteLineRequest[];
  settle?: CreditSettle;
}

/** How long after its issue an invoice may still be corrected (years). */
export const CORRECTION_YEARS = 4;

/** The fiscal type a document shows once issued (null for drafts and proformas). */
export function fiscalTypeOf(invoice: { type: string; status: string; reason?: CorrectionReason; replaces?: unknown[] }): FiscalType | null {
  if (invoice.status === 'draft') return null;
  if (invoice.type === 'credit_note') return invoice.reason ?? 'R4';
  if (invoice.type === 'simplified') return 'F2';
  if (invoice.type === 'invoice') return invoice.replaces?.length ? 'F3' : 'F1';
  return null;
}

/** Whether an invoice is a simplified one (F2): its credit notes are R5. */
export function isSimplified(invoice: { type: string }): boolean {
  return invoice.type === 'simplified';
}

/** What the credit notes made against the original already take off each of its lines (drafts included). */
export function reservedOf(original: Pick<Invoice, 'correctedBy'>, except?: string): Map<number, { quantity: Decimal; net: Decimal }> {
  const reserved = new Map<number, { quantity: Decimal; net: Decimal }>();
  for (const note of original.correctedBy ?? []) {
    if (note.invoiceId === except || note.status === 'void') continue;
    for (const credited of note.lines) {
      const r = reserved.get(credited.line) ?? { quantity: dec(0), net: dec(0) };
      reserved.set(credited.line, { quantity: r.quantity.plus(credited.quantity), net: r.net.plus(credited.net) });
    }
  }
  return reserved;
}

/** What is left to credit on each line of the original: quantity and net amount. */
export function remainingOf(original: Pick<Invoice, 'lines' | 'correctedBy' | 'currency'>): { line: number; quantity: string; amount: string }[] {
  const reserved = reservedOf(original);
  return original.lines.map((line, i) => {
    const r = reserved.get(i) ?? { quantity: dec(0), net: dec(0) };
    return {
      line: i,
      quantity: Decimal.max(dec(line.quantity).minus(r.quantity), 0).toString(),
      amount: formatAmount(Decimal.max(dec(line.netAmount).minus(r.net), 0), original.currency),
    };
  });
}

/** Adds years to a YYYY-MM-DD date (Feb 29 -> Feb 28). */
function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const target = new Date(Date.UTC(y + years, m - 1, d));
  if (target.getUTCMonth() !== m - 1) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

/** Why no credit note can be made against this invoice (null when it can). */
export function correctionRefusal(original: Invoice, today: string): { error: RuleViolation | Conflict } | null {
  const field = 'id';
  if (original.type === 'proforma') {
    return {
      error: new RuleViolation('a proforma is not a tax invoice: it is not corrected, it is converted or left', [
        { field, message: 'the invoice is a proforma' },
      ]),
    };
  }
  if (original.type === 'credit_note') {
    return { error: new RuleViolation('a credit note is not corrected by another credit note', [{ field, message: 'the invoice is a credit note' }]) };
  }
  if (original.status === 'draft') {
    return { error: new RuleViolation('a draft is edited or deleted, not corrected: issue it first', [{ field, message: 'the invoice is a draft' }]) };
  }
  if (original.status === 'void') {
    return { error: new Conflict('the invoice is cancelled', [{ field, message: 'the invoice is cancelled' }], { status: original.status }) };
  }
  if (original.issueDate && addYears(original.issueDate, CORRECTION_YEARS) < today) {
    return {
      error: new RuleViolation(`an invoice issued more than ${CORRECTION_YEARS} years ago cannot be corrected`, [
        { field: 'issueDate', message: `issued on ${original.issueDate}, more than ${CORRECTION_YEARS} years ago` },
      ]),
    };
  }
  return null;
}

export interface CreditNotePlan {
  reason: CorrectionReason;
  lines: LineInput[];
  credits: CreditedLine[];
}

function lineInput(line: Invoice['lines'][number]): LineInput {
  const { netAmount: _net, ...input } = line;
  return input;
}

/** One unit of minus `amount` (net), at the line's rates: a credit by amount. */
function amountLine(line: Invoice['lines'][number], amount: string): LineInput {
  return withoutEmpty({
    productId: line.productId,
    description: line.description,
    quantity: '-1',
    unitPrice: amount,
    taxRate: line.taxRate,
    withholdingRate: line.withholdingRate,
    unit: line.unit,
  }) as LineInput;
}

/**
 * The lines of a credit note against `original` (pure): validated against what the other credit notes
 * left (422 naming the field, with `remaining`). `today` decides the 4-year limit.
 */
export function planCreditNote(original: Invoice, request: CreditNoteRequest, today: string): CreditNotePlan {
  const refusal = correctionRefusal(original, today);
  if (refusal) throw refusal.error;
  const currency = original.currency;
  const errors: FieldError[] = [];
  let reason: CorrectionReason;
  if (isSimplified(original)) {
    reason = 'R5';
  } else {
    if (request.reason === 'R5') errors.push({ field: 'reason', message: 'R5 corrects a simplified invoice only; use R1-R4' });
    if (!request.reason) errors.push({ field: 'reason', message: 'required: R1, R2, R3 or R4' });
    reason = request.reason ?? 'R4';
  }
  if (request.full && request.lines?.length) errors.push({ field: 'full', message: 'give either full: true or lines, not both' });
  if (!request.full && !request.lines?.length) errors.push({ field: 'lines', message: 'give the lines to credit, or full: true' });
  if (errors.length > 0) throw new RuleViolation('the credit note is not valid', errors);

  const reserved = reservedOf(original);
  const left = (i: number) => {
    const line = original.lines[i];
    const r = reserved.get(i) ?? { quantity: dec(0), net: dec(0) };
    return { quantity: dec(line.quantity).minus(r.quantity), net: dec(line.netAmount).minus(r.net), untouched: r.quantity.isZero() && r.net.isZero() };
  };
  const lines: LineInput[] = [];
  const credits: CreditedLine[] = [];
  const push = (i: number, input: LineInput, quantity: Decimal) => {
    const priced = priceLines([input], currency).lines[0];
    lines.push(input);
    credits.push({ line: i, quantity: quantity.toString(), net: formatAmount(dec(priced.netAmount).negated(), currency) });
  };

  if (request.full) {
    original.lines.forEach((line, i) => {
      const l = left(i);
      if (l.untouched) {
        push(i, { ...lineInput(line), quantity: dec(line.quantity).negated().toString() }, dec(line.quantity));
        return;
      }
      if (l.net.lte(0)) return;
      const byQuantity = { ...lineInput(line), quantity: l.quantity.negated().toString() };
      if (
        l.quantity.gt(0) &&
        dec(priceLines([byQuantity], currency).lines[0].netAmount)
          .negated()
          .eq(l.net)
      )
        push(i, byQuantity, l.quantity);
      else push(i, amountLine(line, formatAmount(l.net, currency)), dec(0));
    });
    if (lines.length === 0) {
      throw new RuleViolation('the invoice is fully credited already', [{ field: 'full', message: 'nothing is left to credit' }], {
        remaining: formatAmount(0, currency),
        remainingLines: remainingOf(original),
      });
    }
    return { reason, lines, credits };
  }

  const seen = new Set<number>();
  let remaining: string | undefined;
  request.lines!.forEach((asked, k) => {
    const at = `lines[${k}]`;
    const line = Number.isInteger(asked.line) ? original.lines[asked.line] : undefined;
    if (!line) {
      errors.push({ field: `${at}.line`, message: `no line ${asked.line} in the invoice (it has ${original.lines.length}, from 0)` });
      return;
    }
    if (seen.has(asked.line)) {
      errors.push({ field: `${at}.line`, message: `line ${asked.line} is given twice` });
      return;
    }
    seen.add(asked.line);
    if ((asked.quantity === undefined) === (asked.amount === undefined)) {
      errors.push({ field: `${at}.quantity`, message: 'give either a quantity or an amount' });
      return;
    }
    const l = left(asked.line);
    if (asked.quantity !== undefined) {
      const q = dec(asked.quantity);
      if (!q.gt(0)) {
        errors.push({ field: `${at}.quantity`, message: 'must be greater than 0' });
        return;
      }
      const input = { ...lineInput(line), quantity: q.negated().toString() };
      const net = dec(priceLines([input], currency).lines[0].netAmount).negated();
      if (q.gt(l.quantity) || net.gt(l.net)) {
        remaining ??= formatAmount(Decimal.max(l.net, 0), currency);
        errors.push({
          field: `${at}.quantity`,
          message: `exceeds what remains of line ${asked.line}: quantity ${Decimal.max(l.quantity, 0).toString()}, amount ${formatAmount(Decimal.max(l.net, 0), currency)}`,
        });
        return;
      }
      push(asked.line, input, q);
    } else {
      const a = dec(asked.amount!);
      if (!a.gt(0)) {
        errors.push({ field: `${at}.amount`, message: 'must be greater than 0' });
        return;
      }
      if (!a.eq(dec(formatAmount(a, currency)))) {
        errors.push({ field: `${at}.amount`, message: `at most the decimals of ${currency}` });
        return;
      }
      if (a.gt(l.net)) {
        remaining ??= formatAmount(Decimal.max(l.net, 0), currency);
        errors.push({ field: `${at}.amount`, message: `exceeds what remains of line ${asked.line}: ${formatAmount(Decimal.max(l.net, 0), currency)}` });
        return;
      }
      push(asked.line, amountLine(line, formatAmount(a, currency)), dec(0));
    }
  });
  if (errors.length > 0) {
    throw new RuleViolation(
      remaining !== undefined ? `the credit exceeds what remains of the invoice (${remaining} ${currency})` : 'the credit note is not valid',
      errors,
      remaining !== undefined ? { code: 'CREDIT_EXCEEDS_ORIGINAL', remaining, remainingLines: remainingOf(original) } : {},
    );
  }
  return { reason, lines, credits };
}

/** The draft credit note of a plan (pure): the original's client, currency, deal; `corrects` it. */
export function draftCreditNote(input: {
  original: Invoice;
  plan: CreditNotePlan;
  request: CreditNoteRequest;
  pipeline: Pipeline;
  actor: Actor;
  now: Date;
  cancelsOriginal?: boolean;
}): Invoice {
  const { original, plan, request, actor, now } = input;
  const note = newInvoice({
    tenantId: original.tenantId,
    actor,
    stage: initialStage(input.pipeline).id,
    type: 'credit_note',
    client: isSimplified(original) ? null : original.client,
    lines: plan.lines,
    currency: original.currency,
    // the pipeline may require a due date to leave NEW: the original's (a credit note owes nothing)
    dueDate: original.dueDate ?? undefined,
    dealId: original.dealId,
    source: { type: 'invoice', id: original.id },
    responsibleUserId: original.responsibleUserId,
    now,
  });
  return withoutEmpty({
    ...note,
    reason: plan.reason,
    reasonText: request.reasonText,
    method: request.method ?? 'differences',
    settle: request.settle ?? 'credit',
    corrects: [{ invoiceId: original.id, number: original.number!, issueDate: original.issueDate }],
    credits: plan.credits,
    ...(input.cancelsOriginal ? { cancelsOriginal: true } : {}),
  }) as Invoice;
}

/** The original with a credit note's reservation added (its version conditions the write). */
export function reserve(original: Invoice, note: Invoice, now: Date): Invoice {
  const entry: CorrectingRef = { invoiceId: note.id, number: null, issueDate: null, status: 'draft', lines: note.credits ?? [] };
  return { ...original, correctedBy: [...(original.correctedBy ?? []), entry], version: original.version + 1, updatedAt: now.toISOString() };
}

/** The original with a deleted draft's reservation released. */
export function release(original: Invoice, noteId: string, now: Date): Invoice {
  return {
    ...original,
    correctedBy: (original.correctedBy ?? []).filter((n) => n.invoiceId !== noteId),
    version: original.version + 1,
    updatedAt: now.toISOString(),
  };
}

export interface ApplicationContext {
  pipeline: Pipeline;
  now: Date;
  actor: Actor;
}

/**
 * What issuing a credit note does to money, in the transaction that numbers it (pure): `issued` is the note
 * as issued (number, issue date), `original` the corrected invoice as read. Returns the note with its
 * credit figures, the original's change (its figures, the note's number in `correctedBy`, and, for a note
 * made by cancel, its move to the pipeline's failure stage) and the ledger records.
 */
export function creditNoteApplication(
  issued: Invoice,
  original: Invoice,
  context: ApplicationContext,
): { note: Invoice; original: InvoiceChange; records: CreditRecord[] } {
  const { now, actor, pipeline } = context;
  const currency = issued.currency;
  const amount = dec(issued.totals.total).negated();
  const view = settlementView(original);
  const due = dec(view.balanceDue ?? 0);
  const applied = original.status === 'void' ? dec(0) : Decimal.min(amount, due);
  const rest = amount.minus(applied);
  const settleAs = issued.settle ?? 'credit';
  const date = issued.issueDate ?? now.toISOString().slice(0, 10);
  const clientId = original.client?.id ?? '';
  const records: CreditRecord[] = [];
  if (applied.gt(0)) {
    records.push({
      kind: 'allocation',
      tenantId: issued.tenantId,
      id: newId('allocation'),
      source: { type: 'credit_note', id: issued.id },
      invoiceId: original.id,
      clientId,
      currency,
      amount: formatAmount(applied, currency),
      date,
      fromCredit: false,
      createdAt: now.toISOString(),
      createdBy: actor.id,
    });
  }
  if (settleAs === 'refund' && rest.gt(0)) {
    records.push({
      kind: 'refund',
      tenantId: issued.tenantId,
      id: newId('refund'),
      paymentId: issued.id,
      clientId,
      currency,
      amount: formatAmount(rest, currency),
      date,
      reference: issued.number,
      createdAt: now.toISOString(),
      createdBy: actor.id,
    });
  }
  const note: Invoice = {
    ...issued,
    credit: {
      amount: formatAmount(amount, currency),
      applied: formatAmount(applied, currency),
      refunded: formatAmount(settleAs === 'refund' ? rest : 0, currency),
      settledOutside: formatAmount(settleAs === 'out_of_band' ? rest : 0, currency),
      unapplied: formatAmount(settleAs === 'credit' ? rest : 0, currency),
    },
  };

  const linked: Invoice = {
    ...original,
    correctedBy: (original.correctedBy ?? []).map((n) =>
      n.invoiceId === issued.id ? { ...n, number: issued.number, issueDate: issued.issueDate, status: 'issued' as const } : n,
    ),
  };
  const sums = {
    paid: view.amountPaid ?? 0,
    credited: dec(view.amountCredited ?? 0).plus(applied),
    lastAllocationAt: applied.gt(0) ? now.toISOString() : (view.paidAt ?? null),
  };
  const entry = timelineEntry({
    tenantId: original.tenantId,
    subjectType: 'invoice',
    subjectId: original.id,
    kind: 'credit_note_issued',
    actor,
    at: now,
    data: { creditNoteId: issued.id, number: issued.number, amount: note.credit!.amount, applied: note.credit!.applied, settle: settleAs },
  });

  let change: InvoiceChange;
  const cancelStage = pipeline.stages.find((s) => s.kind === 'failure')?.id;
  if (issued.cancelsOriginal && cancelStage && original.status !== 'void') {
    const figures = settlementOf({ ...linked, status: 'void' }, sums);
    const withFigures: Invoice = { ...linked, settlement: { ...figures } };
    const plan = planStageMove(withFigures, pipeline, cancelStage, { today: date });
    change = stageMoveChange(withFigures, plan, { now, actor });
    change = { ...change, before: original };
  } else {
    const figures = settlementOf(linked, sums);
    change = settleFigures(linked, figures, { pipeline, now, actor });
    change = { ...change, before: original };
  }
  change.timeline = [entry, ...change.timeline];
  return { note, original: change, records };
}

/** Whether a stage exists and is the pipeline's failure stage. */
export function isFailureStage(pipeline: Pipeline, stage: string): boolean {
  return findStage(pipeline, stage)?.kind === 'failure';
}
