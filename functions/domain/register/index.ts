/**
 * The register of issued invoices (VERI*FACTU-style hash chain with QR): the public surface of the area.
 *
 * - `Register.alta(head, fields, ctx)` / `Register.anulacion(head, fields, ctx)`: the next record of an
 *   issuer's chain (pure; the caller stores it and moves the head in the issuing transaction);
 * - `Register.altaFieldsOf(invoice, nif)` / `Register.anulacionFieldsOf(invoice, nif)`: from a stored invoice;
 * - `Register.verify(entries)`: the whole chain, with the first broken link;
 * - `Register.qrUrl(...)`, `Register.qrSvg(url)`, `Register.qrPng(url)`, `Register.qrPngDataUri(url)`;
 * - `Register.numberProblem(number)` and `Register.numberFormatProblem(format, series)`: the AEAT limits of
 *   NumSerieFactura, for issuing and for the numbering settings;
 * - `Register.timestamp(date)`, `Register.huella(text)`, `Register.altaText(...)`, `Register.anulacionText(...)`.
 *
 * Spanish NIF validation lives in functions/domain/kernel/spanish-tax-id.ts (shared with other areas).
 */
import { appendAlta, appendAnulacion, recomputeHuella, verifyChain } from './chain';
import { aeatDate, madridTimestamp, numberFormatRegisterProblem, numSerieFacturaProblem } from './formats';
import { altaFieldsOf, anulacionFieldsOf } from './from-invoice';
import { altaText, anulacionText, huellaOf } from './huella';
import { qrPng, qrPngDataUri, qrSvg, qrUrl } from './qr';

export type * from './model';
export { TIPOS_FACTURA } from './model';
export type { AppendContext } from './chain';
export type { QrParams, RegisterEnvironment } from './qr';
export { MAX_CLOCK_SKEW_MS } from './chain';
export { QR_LEGEND, VERIFACTU_LEGEND } from './qr';
export { MAX_NUM_SERIE_LENGTH } from './formats';

export const Register = {
  alta: appendAlta,
  anulacion: appendAnulacion,
  altaFieldsOf,
  anulacionFieldsOf,
  verify: verifyChain,
  recomputeHuella,
  huella: huellaOf,
  altaText,
  anulacionText,
  qrUrl,
  qrSvg,
  qrPng,
  qrPngDataUri,
  timestamp: madridTimestamp,
  date: aeatDate,
  numberProblem: numSerieFacturaProblem,
  numberFormatProblem: numberFormatRegisterProblem,
};
