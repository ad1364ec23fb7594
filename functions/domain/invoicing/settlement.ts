/**
 * Money on an invoice after issue, as the invoice itself shows it, and the stage moves that money makes.
 *
 * The figures (`amountPaid`, `amountCredited`, `balanceDue`, `paymentStatus`, `paidAt`) are DERIVED: the
 * payments area computes them from its immutable records (allocations of payments, their reversals, and
 * later credit notes) and caches them here, on the invoice item, in the same transaction as the record that
 * changes them (version-conditioned). This file owns the one rule that turns sums into figures
 * (`settlementOf`) and what happens to the invoice when they change (`settle`):
 * - `balanceDue` reaching exactly 0 moves an issued invoice to the pipeline's success stage (PAID) through
 *   the very stage-move rules of a manual move (planStageMove + stageMoveChange: `invoice.stage_changed`
 *   and `invoice.paid`, once, since a paid invoice never moves again);
 * - a reversal that brings the balance back above 0 on an invoice that money made paid REOPENS it: it goes
 *   back to the stage it had before (`reopenStage`), its status back to issued (the one way status goes
 *   back: paid is a fact about money, and the money went back), and `invoice.reopened` is emitted. No
 *   `invoice.stage_changed` then: the automation of the stage it returns to (e.g. e-mail the invoice on
 *   SENT) must not run again because a bank returned a transfer.
 *
 * Amounts:
 * - `amountPayable` = what the client actually pays = net + VAT - withholding (IRPF) = `totals.total`;
 * - `taxInclusiveTotal` = net + VAT: the invoice total of EN 16931 (BT-112) and of Veri*Factu
 *   (`ImporteTotal`), BEFORE withholding. With 21 % VAT and 15 % IRPF on 100.00: payable 106.00, total 121.00.
 *   Payments, balances, matching and dunning use `amountPayable`, never the tax-inclusive total.
 *
 * An invoice moved to PAID by hand keeps its truthful money figures (it may say `paymentStatus: "unpaid"`):
 * the stage is the tenant's pipeline, the figures are the ledger's.
 */
import { Decimal, dec, findStage, formatAmount, outboxEvent, timelineEntry, type Actor, type DecimalInput, type Pipeline } from '../kernel';
import type { Invoice, InvoiceChange } from './model';
import { planStageMove, stageMoveChange } from './stage-move';

export const PAYMENT_STATUSES = ['unpaid', 'partially_paid', 'paid'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** The money figures cached on an invoice (see the file comment). */
export interface InvoiceSettlement {
  amountPaid: string;
  amountCredited: string;
  balanceDue: string;
  paymentStatus: PaymentStatus | null;
  /** When the balance last reached 0 (the instant of the allocation that completed it), else null. */
  paidAt: string | null;
  /** The open stage the invoice was in when payments moved it to the success stage: a reopening returns there. */
  reopenStage?: string;
}

/** What the client actually pays: net + VAT - withholding (today's `totals.total`). */
export function amountPayable(invoice: Pick<Invoice, 'totals'>): string {
  return invoice.totals.total;
}

/** Net + VAT: the EN 16931 (BT-112) and Veri*Factu (ImporteTotal) invoice total, before withholding. */
export function taxInclusiveTotal(invoice: Pick<Invoice, 'totals' | 'currency'>): string {
  return formatAmount(dec(invoice.totals.net).plus(invoice.totals.tax), invoice.currency);
}

/**
 * Why money cannot be applied to this invoice, or null when it can: drafts, proformas (no fiscal
 * document) and cancelled invoices take no payments; credit notes are a source of credit, not a debt.
 */
export function unpayableReason(invoice: Pick<Invoice, 'status' | 'type'>): string | null {
  if (invoice.type === 'proforma') return 'a proforma is not a tax invoice and takes no payments';
  if (invoice.type === 'credit_note') return 'a credit note takes no payments (its credit is applied, not paid)';
  if (invoice.status === 'draft') return 'a draft takes no payments: issue it first';
  if (invoice.status === 'void') return 'a cancelled invoice takes no payments';
  return null;
}

/**
 * THE rule from sums to figures: balanceDue = payable - paid - credited, never below 0; the status follows
 * it exactly (no tolerance). `lastAllocationAt` is the instant of the newest active allocation (paidAt).
 */
export function settlementOf(
  invoice: Pick<Invoice, 'status' | 'type' | 'totals' | 'currency'>,
  sums: { paid: DecimalInput; credited: DecimalInput; lastAllocationAt: string | null },
): InvoiceSettlement {
  const { currency } = invoice;
  const paid = dec(sums.paid);
  const credited = dec(sums.credited);
  const due = Decimal.max(dec(amountPayable(invoice)).minus(paid).minus(credited), 0);
  const payable = (invoice.type === 'invoice' || invoice.type === 'simplified') && invoice.status !== 'draft' && invoice.status !== 'void';
  const paymentStatus: PaymentStatus | null = !payable ? null : due.isZero() ? 'paid' : paid.plus(credited).gt(0) ? 'partially_paid' : 'unpaid';
  return {
    amountPaid: formatAmount(paid, currency),
    amountCredited: formatAmount(credited, currency),
    balanceDue: formatAmount(invoice.status === 'void' ? 0 : due, currency),
    paymentStatus,
    paidAt: paymentStatus === 'paid' ? sums.lastAllocationAt : null,
  };
}

export type SettlementView = { [K in 'amountPayable' | 'amountPaid' | 'amountCredited' | 'balanceDue' | 'paidAt']: string | null } & {
  paymentStatus: PaymentStatus | null;
};

/**
 * The figures an invoice shows: the cached ones, or (no money recorded yet) those of an untouched invoice.
 * Drafts and proformas owe nothing yet: every figure null.
 */
export function settlementView(invoice: Invoice): SettlementView {
  if (invoice.status === 'draft' || invoice.type === 'proforma') {
    return { amountPayable: null, amountPaid: null, amountCredited: null, balanceDue: null, paymentStatus: null, paidAt: null };
  }
  const { amountPaid, amountCredited, balanceDue, paymentStatus, paidAt } =
    invoice.settlement ?? settlementOf(invoice, { paid: 0, credited: 0, lastAllocationAt: null });
  return { amountPayable: amountPayable(invoice), amountPaid, amountCredited, balanceDue, paymentStatus, paidAt };
}

/** The success stage money moves an invoice to: the pipeline's first stage of kind success. */
export function successStage(pipeline: Pipeline): string | undefined {
  return pipeline.stages.find((s) => s.kind === 'success')?.id;
}

export interface SettleContext {
  pipeline: Pipeline;
  now: Date;
  actor: Actor;
}

/**
 * The write that puts new figures on an invoice (pure): version + 1, and the stage move they cause
 * (to the success stage when the balance reaches 0 on an issued invoice; back to `reopenStage` when a paid
 * invoice owes money again). `before` is the invoice as read: its version conditions the write.
 * A move the pipeline refuses (a success stage with required fields the invoice lacks) is not made:
 * the figures are still written, and the invoice stays where it is.
 */
export function settle(invoice: Invoice, figures: InvoiceSettlement, context: SettleContext): InvoiceChange {
  const { pipeline, now, actor } = context;
  const withFigures: Invoice = { ...invoice, settlement: { ...figures } };
  delete withFigures.settlement!.reopenStage;
  if (invoice.settlement?.reopenStage) withFigures.settlement!.reopenStage = invoice.settlement.reopenStage;

  if (figures.paymentStatus === 'paid' && invoice.status === 'issued') {
    const target = successStage(pipeline);
    if (target && findStage(pipeline, invoice.stage)?.kind === 'open') {
      let change: InvoiceChange | null = null;
      try {
        const plan = planStageMove(withFigures, pipeline, target, { today: now.toISOString().slice(0, 10) });
        change = stageMoveChange({ ...withFigures, settlement: { ...withFigures.settlement!, reopenStage: invoice.stage } }, plan, { now, actor });
      } catch {
        change = null; // the pipeline refuses the move: keep the figures, leave the stage
      }
      if (change) return { ...change, before: invoice };
    }
  }

  if (figures.paymentStatus !== 'paid' && invoice.status === 'paid' && invoice.settlement?.reopenStage && findStage(pipeline, invoice.settlement.reopenStage)) {
    const to = invoice.settlement.reopenStage;
    const after: Invoice = { ...withFigures, stage: to, status: 'issued', version: invoice.version + 1, updatedAt: now.toISOString() };
    delete after.settlement!.reopenStage;
    return {
      before: invoice,
      after,
      timeline: [
        timelineEntry({
          tenantId: invoice.tenantId,
          subjectType: 'invoice',
          subjectId: invoice.id,
          kind: 'reopened',
          actor,
          at: now,
          data: { from: invoice.stage, to, statusFrom: 'paid', statusTo: 'issued', balanceDue: figures.balanceDue },
        }),
      ],
      events: [
        outboxEvent(
          'invoiceReopened',
          invoice.tenantId,
          {
            invoiceId: invoice.id,
            from: invoice.stage,
            to,
            version: after.version,
            balanceDue: figures.balanceDue,
            currency: invoice.currency,
            actorId: actor.id,
            actorType: actor.type,
          },
          now,
        ),
      ],
    };
  }

  return { before: invoice, after: { ...withFigures, version: invoice.version + 1, updatedAt: now.toISOString() }, timeline: [], events: [] };
}
