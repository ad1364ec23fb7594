/**
 * What issuing a credit note does to money (pure; corrections.ts says the rules): the allocation to its
 * original, the rest per `settle`, the original's figures and caps entry, and for a note made by cancel the
 * original's move to the failure stage. Kept apart from the planning so that every stage move (move.ts) does
 * not carry the whole of corrections.
 */
import { Decimal, dec, formatAmount, newId, timelineEntry, type Actor, type Pipeline } from '../kernel';
import type { CreditRecord, Invoice, InvoiceChange } from './model';
import { settle as settleFigures, settlementOf, settlementView } from './settlement';
import { planStageMove, stageMoveChange } from './stage-move';

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
