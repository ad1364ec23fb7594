/**
 * QR code images, drawn with the `qrcode` library: the one place the project makes QR codes (the EPC
 * bank transfer code of the hosted invoice page, payments/epc-qr.ts; the AEAT code of registered
 * invoices, register/qr.ts), so both look and scan alike. The domain makes the texts (rules: what a code
 * says); this draws them. Pure computation, no I/O; it sits with the adapters because it is a rendering
 * library (qrcode brings pngjs and node:zlib), like the PDF renderer and Factur-X, and keeps the domain's
 * short list of pure packages (tests/unit/architecture.test.ts) free of image code.
 *
 * The text goes in as one byte-mode segment of its UTF-8 bytes (what EPC069-12 expects of its UTF-8
 * payloads, and what every reader decodes), with a quiet zone of 4 modules (ISO/IEC 18004).
 */
import { onFirstUse } from '../../domain/kernel';

/**
 * The library loads on the first code drawn (~10 ms at cold start otherwise): the functions that wire it (the
 * hosted page's, the register's) mostly answer requests that draw none (a PDF download, the Pay button).
 */
const QRCode = onFirstUse<typeof import('qrcode')>('qrcode');

export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export interface QrOptions {
  /** Default M (15 %): what EPC069-12 and the AEAT ask for. */
  errorCorrection?: QrErrorCorrection;
  /** Largest symbol version allowed (EPC: 13); a text needing more is refused. */
  maxVersion?: number;
  /** Quiet zone in modules (default 4). */
  margin?: number;
  /** PNG only: pixels per module (default 8). */
  scale?: number;
}

export class QrTooLarge extends Error {
  constructor(version: number, max: number) {
    super(`the text needs a version ${version} QR code; at most ${max} is allowed`);
    this.name = 'QrTooLarge';
  }
}

const segments = (text: string) => [{ data: Buffer.from(text, 'utf8'), mode: 'byte' as const }];

/** The symbol's version and size in modules (without the quiet zone). */
export function qrSymbol(text: string, options: QrOptions = {}): { version: number; size: number; errorCorrection: QrErrorCorrection } {
  const errorCorrection = options.errorCorrection ?? 'M';
  const symbol = QRCode().create(segments(text), { errorCorrectionLevel: errorCorrection });
  if (options.maxVersion && symbol.version > options.maxVersion) throw new QrTooLarge(symbol.version, options.maxVersion);
  return { version: symbol.version, size: symbol.modules.size, errorCorrection };
}

/** A PNG image of the code (black on white). */
export async function qrPng(text: string, options: QrOptions = {}): Promise<Buffer> {
  const { errorCorrection, version } = qrSymbol(text, options);
  return QRCode().toBuffer(segments(text), {
    type: 'png',
    errorCorrectionLevel: errorCorrection,
    version,
    margin: options.margin ?? 4,
    scale: options.scale ?? 8,
  });
}

/** An SVG document of the code, scalable, to inline in HTML (no external request, fits a strict CSP) or a PDF. */
export async function qrSvg(text: string, options: QrOptions = {}): Promise<string> {
  const { errorCorrection, version } = qrSymbol(text, options);
  return QRCode().toString(segments(text), { type: 'svg', errorCorrectionLevel: errorCorrection, version, margin: options.margin ?? 4 });
}

/** A `data:image/png;base64,...` URI of the code (for an <img> in a document template). */
export async function qrPngDataUri(text: string, options: QrOptions = {}): Promise<string> {
  return `data:image/png;base64,${(await qrPng(text, options)).toString('base64')}`;
}
