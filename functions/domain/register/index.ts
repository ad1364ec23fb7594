/**
 * The register of issued invoices (VERI*FACTU-style hash chain, AEAT field names and formats, the QR
 * code's URL). Imports the kernel (Spanish NIF checks: kernel/spanish-tax-id.ts) and invoicing (the
 * invoice record).
 *
 *   Register.alta / anulacion / verify / recomputeHuella        Register.altaFieldsOf / anulacionFieldsOf
 *   Register.qrUrl          Register.numberProblem / numberFormatProblem
 *   Register.timestamp / date / huella / altaText / anulacionText
 */
export * as Register from './register';
export type * from './model';
export { TIPOS_FACTURA } from './model';
export type { AppendContext } from './chain';
export type { QrParams, RegisterEnvironment } from './qr';
export type { RegisterSettings } from './registration';
export { MAX_CLOCK_SKEW_MS } from './chain';
export { QR_LEGEND, VERIFACTU_LEGEND } from './qr';
export { MAX_NUM_SERIE_LENGTH } from './formats';
