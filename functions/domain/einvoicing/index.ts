/**
 * E-invoices (EN 16931): UBL 2.1 (Invoice, CreditNote) and UN/CEFACT CII D16B from the engine's own input
 * model, and the mapping from a stored invoice. Imports the kernel, clients, documents (the tenant's
 * settings) and invoicing (the invoice record). Factur-X (the PDF/A-3 carrying the CII) is an adapter
 * (functions/adapters/pdf/facturx.ts).
 *
 *   EInvoice.compute / toUbl / toCii / build / fromInvoice      EInvoice.SYNTAXES
 */
export * as EInvoice from './einvoice';
export type * from './model';
export type { FromInvoiceOptions, VatTreatment } from './from-invoice';
export { EN16931_CUSTOMIZATION_ID } from './ubl';
export { VAT_CATEGORIES } from './model';
