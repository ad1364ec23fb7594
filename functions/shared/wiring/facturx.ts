/** Factur-X documents: the rendered PDF made PDF/A-3 with the invoice's CII XML (pdf-lib). Imported by the PDF functions only. */
import { toFacturX } from '../../adapters/pdf/facturx';
import { EInvoice } from '../../domain/einvoicing';
import type { Invoice } from '../../domain/invoicing';

/** The Factur-X PDF of an issued invoice (throws Conflict for drafts and proformas, RuleViolation when data EN 16931 needs is missing). */
export async function facturXDocument(
  pdf: Uint8Array,
  invoice: Invoice.Info,
  tenant: { name?: string; settings?: unknown } | null,
  now: Date,
): Promise<Uint8Array> {
  const input = EInvoice.fromTenantInvoice(invoice, tenant);
  const xml = EInvoice.build(input, 'cii');
  const title = `${invoice.type === 'credit_note' ? 'Credit note' : 'Invoice'} ${invoice.number}`;
  return toFacturX(pdf, xml, { title, author: input.seller.name, now });
}
