/**
 * From the project's stored invoice to the register's fields. Kept in one file: the only place that knows
 * both models (when the invoice modules move, only these imports change).
 *
 * - NumSerieFactura is the invoice number exactly as printed (case and all);
 * - TipoFactura: F1 for an invoice, and for a credit note the R type it was issued with (R4, "other
 *   causes", when it does not say);
 * - CuotaTotal is the VAT; ImporteTotal is net + VAT, NOT less the IRPF withholding (AEAT developer FAQ):
 *   it is also the QR's `importe`, while the amount due (total after withholding) is another figure;
 * - a credit note's amounts keep their (negative) sign: it is a correction by differences;
 * - the register's amounts are euros: an invoice in another currency cannot be registered until the
 *   invoice holds its exchange rate (RuleViolation on `currency`).
 */
import type { Invoice } from '../invoicing';
import { Conflict, dec, formatAmount, RuleViolation } from '../kernel';
import { aeatDate } from './formats';
import type { AltaFields, AnulacionFields, TipoFactura } from './model';

function issued(invoice: Invoice.Info): { number: string; issueDate: string } {
  if (invoice.type === 'proforma') throw new Conflict('a proforma is not registered');
  if (!invoice.number || !invoice.issueDate) throw new Conflict('a draft is not registered: only issued invoices are');
  return { number: invoice.number, issueDate: invoice.issueDate };
}

/** The alta fields of an issued invoice or credit note, for the chain of `issuerTaxId`. */
export function altaFieldsOf(invoice: Invoice.Info, issuerTaxId: string, tipoFactura?: TipoFactura): AltaFields {
  const { number, issueDate } = issued(invoice);
  if (invoice.currency !== 'EUR') {
    throw new RuleViolation('the invoice register takes amounts in euros', [
      { field: 'currency', message: `an invoice in ${invoice.currency} cannot be registered: the register's amounts are in EUR` },
    ]);
  }
  const tax = dec(invoice.totals.tax);
  return {
    IDEmisorFactura: issuerTaxId,
    NumSerieFactura: number,
    FechaExpedicionFactura: aeatDate(issueDate),
    TipoFactura: tipoFactura ?? (invoice.type === 'credit_note' ? 'R4' : 'F1'),
    CuotaTotal: formatAmount(tax, 'EUR'),
    ImporteTotal: formatAmount(dec(invoice.totals.net).plus(tax), 'EUR'),
  };
}

/** The anulación fields of a cancelled (voided) invoice. */
export function anulacionFieldsOf(invoice: Invoice.Info, issuerTaxId: string): AnulacionFields {
  const { number, issueDate } = issued(invoice);
  return { IDEmisorFacturaAnulada: issuerTaxId, NumSerieFacturaAnulada: number, FechaExpedicionFacturaAnulada: aeatDate(issueDate) };
}
