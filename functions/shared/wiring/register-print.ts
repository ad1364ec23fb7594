/** What a registered invoice prints: its QR code (drawn by the one QR drawer) and the legal texts. Imported by the PDF functions only. */
import { createHash } from 'node:crypto';
import { qrPng } from '../../adapters/qr/qr-code';
import type { DocumentRegister } from '../../domain/documents';
import { QR_LEGEND, VERIFACTU_LEGEND } from '../../domain/register';
import { registerStore } from './register';

/** The asset name of a register QR code: one per URL (a page's context may keep an asset it served before under its name). */
export const registerQrAsset = (url: string) => `register-qr-${createHash('sha256').update(url).digest('hex').slice(0, 16)}.png`;

/**
 * What a registered invoice prints (its alta's QR URL drawn as a PNG, level M, with the legal texts), or null
 * when the invoice has no register record.
 */
export async function registerPrint(tenantId: string, invoiceId: string): Promise<{ model: DocumentRegister; png: Buffer } | null> {
  const alta = (await registerStore().ofInvoice(tenantId, invoiceId)).find((e) => e.kind === 'alta');
  if (!alta || alta.kind !== 'alta') return null;
  const png = await qrPng(alta.qrUrl, { scale: 8 });
  return { model: { qr: registerQrAsset(alta.qrUrl), url: alta.qrUrl, label: QR_LEGEND, mark: 'VERI*FACTU', legend: VERIFACTU_LEGEND }, png };
}
