/**
 * The EN 16931 engine's verbs (reached as `EInvoice.*` through the area's index.ts):
 *
 * - `compute(input)` checks an EInvoiceInput and computes every figure (RuleViolation on bad input);
 * - `toUbl(doc)` / `toCii(doc)` write UBL 2.1 (Invoice / CreditNote) or CII D16B;
 * - `build(input, syntax)` does both steps;
 * - `fromInvoice(invoice, settings, options)` maps a stored invoice and the tenant's settings to the input.
 */
import { toCii } from './cii';
import { computeEInvoice } from './compute';
import type { EInvoiceInput, EInvoiceSyntax } from './model';
import { toUbl } from './ubl';

export { toCii } from './cii';
export { computeEInvoice as compute } from './compute';
export { fromInvoice, fromTenantInvoice } from './from-invoice';
export { toUbl } from './ubl';

export const SYNTAXES: readonly EInvoiceSyntax[] = ['ubl', 'cii'];

/** The XML of the input in the syntax; throws RuleViolation (every problem, by field) when it cannot be built. */
export function build(input: EInvoiceInput, syntax: EInvoiceSyntax): string {
  const doc = computeEInvoice(input);
  return syntax === 'ubl' ? toUbl(doc) : toCii(doc);
}
