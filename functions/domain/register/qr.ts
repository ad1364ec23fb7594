/**
 * The QR code of a registered invoice (Orden HAC/1177/2024 arts. 20-21, AEAT QR specification): a URL of
 * the tax agency's validation service with four parameters, and its image.
 *
 * - production host https://www2.agenciatributaria.gob.es, test host https://prewww2.aeat.es;
 * - path /wlpl/TIKE-CONT/ValidarQR for systems that send records to the AEAT (VERI*FACTU), ValidarQRNoVerifactu
 *   for those that do not;
 * - nif, numserie, fecha (dd-mm-aaaa) and importe (ImporteTotal: point, sign kept), each percent-encoded
 *   as UTF-8 (every character but letters, digits and - _ . ~), e.g. "12345678&G33" -> "12345678%26G33";
 * - the symbol is ISO/IEC 18004 with error correction level M; printed 30-40 mm wide with a blank margin,
 *   once, at the top of the first page, after the text «QR tributario:».
 *
 * This module makes the URL (a rule); the image is drawn by the project's one QR drawer,
 * functions/adapters/qr/qr-code.ts, whose defaults (level M, a quiet zone of 4 modules) are the AEAT's.
 */

export type RegisterEnvironment = 'production' | 'test';

const HOSTS: Record<RegisterEnvironment, string> = {
  production: 'https://www2.agenciatributaria.gob.es',
  test: 'https://prewww2.aeat.es',
};

/** The legends printed with the QR: before it, and (VERI*FACTU systems) beside it. */
export const QR_LEGEND = 'QR tributario:';
export const VERIFACTU_LEGEND = 'Factura verificable en la sede electrónica de la AEAT';

/** encodeURIComponent leaves ! ' ( ) * alone; the AEAT (like RFC 3986 unreserved) wants them encoded. */
function encodeStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface QrParams {
  nif: string;
  numserie: string;
  /** dd-mm-aaaa */
  fecha: string;
  /** ImporteTotal as written in the record. */
  importe: string;
}

export function qrUrl(params: QrParams, options: { verifactu?: boolean; environment?: RegisterEnvironment } = {}): string {
  const host = HOSTS[options.environment ?? 'production'];
  const path = options.verifactu === false ? 'ValidarQRNoVerifactu' : 'ValidarQR';
  const query = (['nif', 'numserie', 'fecha', 'importe'] as const).map((key) => `${key}=${encodeStrict(params[key].trim())}`).join('&');
  return `${host}/wlpl/TIKE-CONT/${path}?${query}`;
}
