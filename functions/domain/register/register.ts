/**
 * The register's verbs (reached as `Register.*` through the area's index.ts):
 *
 * - `alta(head, fields, ctx)` / `anulacion(head, fields, ctx)`: the next record of an issuer's chain (pure;
 *   the caller stores it and moves the head in the issuing transaction);
 * - `altaFieldsOf(invoice, nif)` / `anulacionFieldsOf(invoice, nif)`: from a stored invoice;
 * - `verify(entries)`: the whole chain, with the first broken link; `recomputeHuella(entry)`;
 * - `qrUrl(params, options)`: the AEAT validation URL the printed QR code carries (the image itself is
 *   drawn by functions/adapters/qr/qr-code.ts, the project's one QR drawer);
 * - `numberProblem(number)` and `numberFormatProblem(format, series)`: the AEAT limits of NumSerieFactura,
 *   for issuing and for the numbering settings;
 * - `timestamp(date)`, `date(isoDate)`, `huella(text)`, `altaText(...)`, `anulacionText(...)`.
 */
export { appendAlta as alta, appendAnulacion as anulacion, recomputeHuella, verifyChain as verify } from './chain';
export {
  aeatDate as date,
  madridTimestamp as timestamp,
  numberFormatRegisterProblem as numberFormatProblem,
  numSerieFacturaProblem as numberProblem,
} from './formats';
export { altaFieldsOf, anulacionFieldsOf } from './from-invoice';
export { altaText, anulacionText, huellaOf as huella } from './huella';
export { qrUrl } from './qr';
export {
  activeIssuer,
  checkSettings,
  recordsFor,
  registrationOf,
  settingsOf,
  tipoFacturaOf,
  touchesRegister,
  view,
} from './registration';
