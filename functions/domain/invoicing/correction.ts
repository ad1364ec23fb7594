/**
 * The verbs of corrections and invoice types, as the `Corrections` namespace (its own, so that the functions
 * that only read or move invoices do not bundle them): `Corrections.createCreditNote`, `cancel`, `remove`
 * (drafts), `applyCredit`, `convert` (proforma -> invoice), `replace` (simplified -> F3); the pure rules
 * `planCreditNote`, `remainingOf`, `creditNoteApplication`.
 */
export { applyCredit, cancel, createCreditNote, remove, type CancelInput } from './credit-notes';
export { convert, replace } from './conversion';
export { planCreditNote, remainingOf, type CreditNoteRequest } from './corrections';
export { creditNoteApplication } from './credit-application';
