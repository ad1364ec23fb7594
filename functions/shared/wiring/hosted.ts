/**
 * The hosted invoice page's wiring (functions/handlers/public/invoice-page.ts): the invoice store it reads
 * (plain reads, no verbs) and the one QR drawer (adapters/qr) for the EPC bank transfer code.
 */
import { invoicesRepository } from '../../adapters/dynamo/invoicing/invoices-repository';
import { qrPngDataUri } from '../../adapters/qr/qr-code';
import { EpcQr } from '../../domain/payments';
import { once, service } from './core';

export const hostedInvoices = once(() => invoicesRepository(service()));

/** The EPC QR code of a payload as a PNG data URI (error correction M, version at most 13, as EPC069-12 asks). */
export const epcQrDataUri = (payload: string): Promise<string> =>
  qrPngDataUri(payload, { errorCorrection: EpcQr.EPC_ERROR_CORRECTION, maxVersion: 13, scale: 6 });
