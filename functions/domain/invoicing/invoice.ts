/**
 * The verbs of an invoice, as the `Invoice` namespace (functions/domain/invoicing/index.ts):
 * `Invoice.create`, `Invoice.update`, `Invoice.moveToStage`, `Invoice.reachStage`, `Invoice.get`,
 * `Invoice.list`, `Invoice.timeline`, `Invoice.view`; the record type is `Invoice.Info`.
 * Each verb takes its ports and one command: `(ports, { tenantId, id, actor, ..., expectedVersion })`.
 */
export { create, newInvoice, resolveLines, type CreateInvoiceInput } from './create';
export { frozenFields, update, type InvoicePatch } from './edit';
export { get, list, timeline, view } from './read';
export {
  applyStageMove,
  MOVE_MAX_ATTEMPTS,
  planStageMove,
  stageMoveChange,
  type MoveStageCommand,
  type StageMovePlan,
} from './stage-move';
export type { Invoice as Info } from './model';
export { moveToStage, reachStage, creditNoteExtension } from './move';
export { applyCredit, createCreditNote, cancel, remove, type CancelInput } from './credit-notes';
export { fiscalTypeOf, planCreditNote, remainingOf, creditNoteApplication, type CreditNoteRequest } from './corrections';
