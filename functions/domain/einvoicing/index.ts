/**
 * E-invoices (EN 16931): the public surface of the area.
 *
 * - `EInvoice.compute(input)` checks an EInvoiceInput and computes every figure (RuleViolation on bad input);
 * - `EInvoice.toUbl(doc)` / `EInvoice.toCii(doc)` write UBL 2.1 (Invoice / CreditNote) or CII D16B;
 * - `EInvoice.build(input, syntax)` does both steps;
 * - `EInvoice.fromInvoice(invoice, settings, options)` maps a stored invoice and the tenant's settings to the input.
 */
import { computeEInvoice } from './compute';
import { toCii } from './cii';
import { fromInvoice } from './from-invoice';
import type { EInvoiceInput, EInvoiceSyntax } from './model';
import { toUbl } from './ubl';

export type * from './model';
export type { FromInvoiceOptions, VatTreatment } from './from-invoice';
export { EN16931_CUSTOMIZATION_ID } from './ubl';
export { VAT_CATEGORIES } from './model';

export const EINVOICE_SYNTAXES: readonly EInvoiceSyntax[] = ['ubl', 'cii'];

/** The XML of the input in the syntax; throws RuleViolation (every problem, by field) when it cannot be built. */
function build(input: EInvoiceInput, syntax: EInvoiceSyntax): string {
  const doc = computeEInvoice(input);
  return syntax === 'ubl' ? toUbl(doc) : toCii(doc);
}

export const EInvoice = { compute: computeEInvoice, toUbl, toCii, build, fromInvoice };
