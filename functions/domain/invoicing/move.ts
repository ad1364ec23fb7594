/**
 * Stage moves with what corrections add to them (the verbs behind POST /v1/invoices/{id}/stage and automation):
 * - a credit note that leaves NEW is issued AND applied to its original in the same transaction
 *   (corrections.ts: allocation up to the balance due, the rest per `settle`; the original's caps entry
 *   gets the note's number; a note made by cancel moves the original to CANCELLED);
 * - a draft credit note moved to the failure stage (never issued) releases what it reserved of the original.
 */
import { NotFound } from '../kernel';
import { creditNoteApplication } from './corrections';
import type { InvoiceChange } from './model';
import { moveToStage as move, reachStage as reach, type MoveExtension, type MoveStageCommand } from './stage-move';
import type { StageMovePorts } from './model';

export const creditNoteExtension: MoveExtension = async (ports, current, plan, context) => {
  if (current.type !== 'credit_note' || !current.corrects?.length || current.status !== 'draft') return null;
  const original = await ports.invoices.get(current.tenantId, current.corrects[0].invoiceId);
  if (!original) throw new NotFound('corrected invoice');
  if (plan.issues) {
    return (change: InvoiceChange) => {
      const applied = creditNoteApplication(change.after, original, context);
      return { ...change, after: applied.note, linked: [applied.original], ledger: applied.records };
    };
  }
  if (plan.statusTo === 'void') {
    return (change: InvoiceChange) => ({
      ...change,
      linked: [
        {
          before: original,
          after: {
            ...original,
            correctedBy: (original.correctedBy ?? []).map((n) => (n.invoiceId === current.id ? { ...n, status: 'void' as const } : n)),
            version: original.version + 1,
            updatedAt: context.now.toISOString(),
          },
          timeline: [],
          events: [],
        },
      ],
    });
  }
  return null;
};

export function moveToStage(ports: StageMovePorts, cmd: MoveStageCommand) {
  return move(ports, cmd, creditNoteExtension);
}

export function reachStage(ports: StageMovePorts, cmd: Omit<MoveStageCommand, 'expectedVersion' | 'issueDate'>) {
  return reach(ports, cmd, creditNoteExtension);
}
