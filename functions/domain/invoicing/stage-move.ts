/**
 * Moving an invoice between the stages of the tenant's pipeline, and the status changes that follow
 * (leaving the first stage issues a draft: number and issue date, in the same transaction).
 */
import {
  canMove,
  Conflict,
  dec,
  findStage,
  missingFields,
  NotFound,
  outboxEvent,
  RuleViolation,
  staleVersion,
  timelineEntry,
  today,
  type Actor,
  type FieldError,
  type ItemCommand,
  type Pipeline,
  unknownStage,
} from '../kernel';
import { busy, createIssueQueue, jitteredBackoff, writeItems } from './issuing';
import { legalMinimumProblems, type SellerLegalDetails } from './legal-minimum';
import { fiscalTypeOf, nowOf, withNulls, type Invoice, type InvoiceChange, type InvoiceStatus, type StageMovePorts } from './model';
import { effective, issueSlot } from './pipeline-settings';

/** RD 1619/2012 art. 4: a simplified invoice totals at most 400 EUR VAT included, unless the tenant sets more (up to 3000). */
export const DEFAULT_SIMPLIFIED_LIMIT = '400.00';

const STATUS_RANK: Record<InvoiceStatus, number> = { draft: 0, issued: 1, paid: 2, void: 2 };

export interface StageMovePlan {
  from: string;
  to: string;
  statusFrom: InvoiceStatus;
  statusTo: InvoiceStatus;
  /** The move issues the invoice: it takes a number and an issue date. */
  issues: boolean;
  issueDate?: string;
}

/** What an invoice needs to be issued at all, whatever the pipeline says. */
function issueProblems(invoice: Invoice, simplifiedLimit?: string): FieldError[] {
  const errors: FieldError[] = [];
  // a simplified invoice (and the R5 credit note correcting one) may name no recipient
  const clientless = invoice.type === 'simplified' || (invoice.type === 'credit_note' && invoice.reason === 'R5');
  if (!invoice.client && !clientless) errors.push({ field: 'client', message: 'a client is required to issue an invoice' });
  if (invoice.type === 'simplified') {
    const total = dec(invoice.totals.net).plus(invoice.totals.tax);
    const limit = simplifiedLimit ?? DEFAULT_SIMPLIFIED_LIMIT;
    if (total.gt(limit)) {
      errors.push({
        field: 'totals.total',
        message: `a simplified invoice may total at most ${limit} ${invoice.currency} VAT included (settings.simplifiedInvoiceLimit); this one totals ${total.toFixed(2)}: issue a full invoice`,
      });
    }
  }
  if (invoice.lines.length === 0) errors.push({ field: 'lines', message: 'at least one line is required' });
  const total = dec(invoice.totals.total);
  if (invoice.type === 'credit_note' && total.gt(0)) {
    errors.push({ field: 'totals.total', message: "a credit note's total must be zero or negative (use negative quantities)" });
  } else if (invoice.type !== 'credit_note' && total.lt(0)) {
    errors.push({
      field: 'totals.total',
      message: `the total is negative: issue a credit note instead of ${invoice.type === 'proforma' ? 'a proforma' : 'an invoice'}`,
    });
  }
  return errors;
}

/**
 * Whether and how `invoice` may move to stage `to`: 422 for an unknown stage or, listing every one at once,
 * the fields the stage requires (plus, when the move issues the invoice, a client, a line, a total of the
 * right sign and the legal minimum of its type: seller and client details); 409 when the invoice is already
 * there or in a final stage. Pure.
 */
export function planStageMove(
  invoice: Invoice,
  pipeline: Pipeline,
  to: string,
  options: {
    today: string;
    issueDate?: string;
    /** The seller's legal details: when the move issues the invoice, its type's legal minimum is checked (legal-minimum.ts). */
    seller?: SellerLegalDetails | null;
    /** The tenant's limit of a simplified invoice, VAT included (default "400.00"). */
    simplifiedLimit?: string;
  },
): StageMovePlan {
  const target = findStage(pipeline, to);
  if (!target) throw unknownStage(pipeline, to, 'invoice');
  const refusal = findStage(pipeline, invoice.stage) ? canMove(pipeline, invoice.stage, to) : null;
  if (refusal) throw new Conflict(`the invoice cannot move: ${refusal}`, [{ field: 'stage', message: refusal }], { stage: invoice.stage });
  if (invoice.status === 'paid' || invoice.status === 'void') {
    throw new Conflict(`a ${invoice.status} invoice cannot move`, [{ field: 'stage', message: `the invoice is ${invoice.status}` }], { stage: invoice.stage });
  }

  const issues = invoice.status === 'draft' && target.kind !== 'failure';
  const statusTo: InvoiceStatus =
    target.kind === 'failure' ? 'void' : target.kind === 'success' ? 'paid' : invoice.status === 'draft' ? 'issued' : invoice.status;
  if (STATUS_RANK[statusTo] < STATUS_RANK[invoice.status]) throw new Error(`status would go back from ${invoice.status} to ${statusTo}`);

  const errors: FieldError[] = [];
  if (options.issueDate !== undefined && !issues) {
    errors.push({ field: 'issueDate', message: 'only a move that issues the invoice takes an issue date' });
  }
  if (issues && options.issueDate !== undefined && options.issueDate > options.today) {
    errors.push({ field: 'issueDate', message: `the issue date cannot be in the future (today is ${options.today}, UTC)` });
  }
  const seen = new Set<string>();
  const legal = issues && options.seller !== undefined ? legalMinimumProblems(invoice, options.seller) : [];
  // a simplified invoice (or an R5 note) without a recipient: the pipeline's requirements of the client do not apply
  const clientless = !invoice.client && (invoice.type === 'simplified' || (invoice.type === 'credit_note' && invoice.reason === 'R5'));
  const required = missingFields(invoice, target, 'invoice').filter((e) => !(clientless && e.field.startsWith('client')));
  for (const error of [...required, ...(issues ? issueProblems(invoice, options.simplifiedLimit) : []), ...legal]) {
    if (seen.has(error.field)) continue;
    seen.add(error.field);
    errors.push(error);
  }
  if (errors.length > 0) {
    throw new RuleViolation(`the invoice cannot move to ${to}: ${errors.map((e) => e.field).join(', ')}`, errors, { stage: invoice.stage });
  }
  return {
    from: invoice.stage,
    to,
    statusFrom: invoice.status,
    statusTo,
    issues,
    ...(issues ? { issueDate: options.issueDate ?? options.today } : {}),
  };
}

/** The invoice after the move (number given when the move issues it). Pure. */
export function applyStageMove(invoice: Invoice, plan: StageMovePlan, now: Date, numbering?: { number: string; sequence: number }): Invoice {
  const next: Invoice = { ...invoice, stage: plan.to, status: plan.statusTo, version: invoice.version + 1, updatedAt: now.toISOString() };
  if (plan.issues) {
    if (!numbering) throw new Error('issuing needs a number');
    next.number = numbering.number;
    next.sequence = numbering.sequence;
    next.issueDate = plan.issueDate!;
    const fiscalType = fiscalTypeOf(next);
    if (fiscalType) next.fiscalType = fiscalType;
  }
  return next;
}

/**
 * The write of one planned move (pure): the moved invoice, its timeline entry and its events
 * (`invoice.stage_changed`, plus `invoice.paid` when it becomes paid). `before` is `current`, whose version
 * conditions the write. Used by moveToStage and by the payments area's automatic move to the success stage.
 */
export function stageMoveChange(
  current: Invoice,
  plan: StageMovePlan,
  context: { now: Date; actor: Actor; numbering?: { number: string; sequence: number } },
): InvoiceChange {
  const { now, actor, numbering } = context;
  const { tenantId, id: invoiceId } = current;
  const after = applyStageMove(current, plan, now, numbering);
  const events = [
    outboxEvent(
      'invoiceStageChanged',
      tenantId,
      { invoiceId, from: plan.from, to: plan.to, version: after.version, actorId: actor.id, actorType: actor.type },
      now,
    ),
  ];
  if (plan.statusTo === 'paid') {
    events.push(outboxEvent('invoicePaid', tenantId, { invoiceId, total: after.totals.total, currency: after.currency }, now));
  }
  const timeline = [
    timelineEntry({
      tenantId,
      subjectType: 'invoice',
      subjectId: invoiceId,
      kind: 'stage_changed',
      actor,
      at: now,
      data: {
        from: plan.from,
        to: plan.to,
        ...(plan.statusTo !== plan.statusFrom ? { statusFrom: plan.statusFrom, statusTo: plan.statusTo } : {}),
        ...(numbering ? { number: numbering.number, issueDate: plan.issueDate } : {}),
      },
    }),
  ];
  return { before: current, after, timeline, events };
}

/** Re-plans of one move whose invoice changed meanwhile (without an expected version), and retries of a collided write. */
export const MOVE_MAX_ATTEMPTS = 20;

export interface MoveStageCommand extends ItemCommand {
  to: string;
  /** 409 unless the invoice is at this version. Without it, a concurrent change makes the move re-read and re-check. */
  expectedVersion?: number;
  /** When the move issues the invoice: its issue date (default today, UTC); not in the future, not before the series' last. */
  issueDate?: string;
}

/**
 * Moves an invoice to another stage: the use case behind POST /v1/invoices/{id}/stage, and the one to call
 * from automation (e.g. "move to VIEWED when the client opens the link": actor { type: 'automation', id }).
 *
 * One transaction writes the invoice (conditioned on its version), the number counter when the move issues
 * it (conditioned on the value read: the counter moves only with the invoices it numbers, so numbers have no
 * gaps and no duplicates; see issuing.ts for retries and group commit), a timeline entry and the
 * `invoice.stage_changed` event (plus `invoice.paid` when it becomes paid).
 */
/**
 * What a move writes besides the moved invoice, decided on the invoice as read (e.g. a credit note applied to
 * its original when issued: corrections.ts): a function of the built change, or null for nothing more.
 */
export type MoveExtension = (
  ports: StageMovePorts,
  current: Invoice,
  plan: StageMovePlan,
  context: { pipeline: Pipeline; now: Date; actor: Actor },
) => Promise<((change: InvoiceChange) => InvoiceChange) | null>;

export async function moveToStage(ports: StageMovePorts, cmd: MoveStageCommand, extension?: MoveExtension): Promise<Invoice> {
  const { tenantId, id: invoiceId, to, actor } = cmd;
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = ports.random ?? Math.random;
  const queue = ports.issueQueue ?? createIssueQueue({ sleep, random });
  let attempts = 0;
  const pause = async () => {
    if (++attempts >= MOVE_MAX_ATTEMPTS) throw busy(invoiceId);
    await sleep(jitteredBackoff(attempts, random));
  };

  // the seller's details, read once: only a move that issues checks them (leaving NEW by any path: the legal minimum)
  let seller: SellerLegalDetails | null | undefined;
  for (;;) {
    // plan the move on the invoice as it is now
    const current = await ports.invoices.get(tenantId, invoiceId);
    if (!current) throw new NotFound('invoice');
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== current.version) throw staleVersion(cmd.expectedVersion, current.version);
    const settings = effective(await ports.pipelines.get(tenantId, 'invoice'));
    const now = nowOf(ports);
    if (current.status === 'draft' && seller === undefined) seller = await ports.seller(tenantId);
    const simplifiedLimit =
      current.type === 'simplified' && current.status === 'draft' && ports.simplifiedLimit ? await ports.simplifiedLimit(tenantId) : undefined;
    const plan = planStageMove(current, settings.pipeline, to, {
      today: today(now),
      issueDate: cmd.issueDate,
      seller: current.status === 'draft' ? seller : undefined,
      simplifiedLimit,
    });

    const extend = extension ? await extension(ports, current, plan, { pipeline: settings.pipeline, now, actor }) : null;
    const build = (numbering?: { number: string; sequence: number }): InvoiceChange => {
      const change = stageMoveChange(current, plan, { now, actor, numbering });
      return extend ? extend(change) : change;
    };

    let outcome: 'ok' | 'stale' | 'busy' | 'contention' | 'too_large'; // too_large: issuing only, answered by the queue
    let moved: Invoice | undefined;
    if (plan.issues) {
      // what its write takes in the transaction (a cancel's note voids its original, which may give back up to 40 sources)
      const items = writeItems(build({ number: '', sequence: 0 }));
      const issued = await queue.issue(ports.invoices, { ...issueSlot(settings, current, plan.issueDate!), items, build: (numbering) => build(numbering) });
      outcome = issued.outcome;
      if (issued.outcome === 'ok') moved = issued.invoice;
    } else {
      const change = build();
      outcome = (await ports.invoices.commit({ changes: [change] })).outcome;
      moved = change.after;
    }
    if (outcome === 'ok') return withNulls(moved!);
    if (outcome === 'busy') throw busy(invoiceId);
    if (outcome === 'stale' && cmd.expectedVersion !== undefined) {
      const latest = await ports.invoices.get(tenantId, invoiceId);
      throw staleVersion(cmd.expectedVersion, latest?.version ?? current.version + 1);
    }
    await pause(); // the invoice changed meanwhile, or the write collided: plan again on what it is now
  }
}

/**
 * Brings an invoice to stage `to` for automation and client views: nothing when it is there already (a retry
 * after the move committed), and a conflict that leaves it there all the same (a concurrent mover, a second
 * view event) counts as done. Any other refusal is thrown.
 */
export async function reachStage(
  ports: StageMovePorts,
  cmd: Omit<MoveStageCommand, 'expectedVersion' | 'issueDate'>,
  extension?: MoveExtension,
): Promise<void> {
  const current = await ports.invoices.get(cmd.tenantId, cmd.id);
  if (!current || current.stage === cmd.to) return;
  try {
    await moveToStage(ports, cmd, extension);
  } catch (error) {
    if (!(error instanceof Conflict && (await ports.invoices.get(cmd.tenantId, cmd.id))?.stage === cmd.to)) throw error;
  }
}
