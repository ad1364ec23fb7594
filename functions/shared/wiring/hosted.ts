/**
 * The hosted invoice page's wiring (functions/handlers/public/invoice-page.ts): the invoice store it reads
 * (plain reads, no verbs) and the one QR drawer (adapters/qr) for the EPC bank transfer code.
 */
import { invoiceReader } from '../../adapters/dynamo/invoicing/invoice-record';
import { qrPngDataUri } from '../../adapters/qr/qr-code';

import { once, service } from './core';

export const hostedInvoices = /* @__PURE__ */ once(() => invoiceReader(service()));

/** The EPC QR code of a payload as a PNG data URI (error correction M, version at most 13, as EPC069-12 asks: EpcQr.EPC_ERROR_CORRECTION). */
export const epcQrDataUri = (payload: string): Promise<string> => qrPngDataUri(payload, { errorCorrection: 'M', maxVersion: 13, scale: 6 });
