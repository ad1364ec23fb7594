import * as z from 'zod';
import { isoDate, ListQuery, page } from './common';

/** A register record with the AEAT field names and formats (anyone can recompute its huella from them). */
export const RegisterRecordView = z.object({
  issuerTaxId: z.string().describe('The issuer NIF whose chain holds the record'),
  sequence: z.number().int().describe('1-based position in the chain'),
  invoiceId: z.string(),
  kind: z.enum(['alta', 'anulacion']).describe('alta: the invoice was issued; anulacion: it was cancelled'),
  record: z
    .record(z.string(), z.unknown())
    .describe(
      'The record as the AEAT names it: IDEmisorFactura, NumSerieFactura, FechaExpedicionFactura (dd-mm-aaaa), TipoFactura, CuotaTotal, ImporteTotal, Encadenamiento, FechaHoraHusoGenRegistro, TipoHuella, Huella (anulación: the ...Anulada fields)',
    ),
  huella: z.string().describe('SHA-256 fingerprint, 64 upper-case hex characters'),
  previousHuella: z.string().describe("The previous record's huella ('' for the first record)"),
  qrUrl: z.string().nullable().describe("The AEAT validation URL the invoice's QR code carries (alta records)"),
});

export const RegisterPage = page(RegisterRecordView);

export const RegisterListQuery = ListQuery.extend({
  from: isoDate.optional().describe('Records generated on or after this date (Europe/Madrid)'),
  to: isoDate.optional().describe('Records generated on or before this date (Europe/Madrid)'),
  issuerTaxId: z.string().max(20).optional().describe("The chain's issuer NIF (default: the register settings')"),
});

export const RegisterVerifyQuery = z.strictObject({
  issuerTaxId: z.string().max(20).optional().describe("The chain's issuer NIF (default: the register settings')"),
});

export const ChainVerificationView = z.object({
  ok: z.boolean(),
  records: z.number().int().describe('Records checked'),
  firstBroken: z
    .object({
      sequence: z.number().int(),
      invoiceId: z.string(),
      reason: z.enum(['sequence', 'issuer', 'previous', 'huella', 'timestamp']),
      message: z.string(),
    })
    .optional()
    .describe('The first record that does not verify, and why'),
});

export const EInvoiceQuery = z.strictObject({
  syntax: z.enum(['ubl', 'cii']).default('ubl').describe('ubl: UBL 2.1 Invoice / CreditNote; cii: UN/CEFACT CII D16B'),
});
