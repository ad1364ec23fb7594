/**
 * E-invoices and the register, in process (no I/O), for a 10-line and a 200-line invoice:
 * the baseline is the invoice totals rule (computeInvoice) on the same lines; then the e-invoice engine's
 * compute, UBL and CII writing, a register record (SHA-256 huella), the QR PNG, and Factur-X embedding
 * into a PDF (a 1-page PDF made by pdf-lib, so only the embedding is measured, not Chromium).
 */
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { toFacturX } from '../../functions/adapters/pdf/facturx';
import { qrPng, qrSvg } from '../../functions/adapters/qr/qr-code';
import { EInvoice, type EInvoiceInput } from '../../functions/domain/einvoicing';
import { computeInvoice, type LineInput } from '../../functions/domain/kernel';
import { Register } from '../../functions/domain/register';
import { EINVOICE_SAMPLES } from '../fixtures/einvoices';
import { measure, report, type Stats } from './harness';
import type { BenchContext } from './run';

function lines(n: number): LineInput[] {
  return Array.from({ length: n }, (_, i) => ({
    description: `Line ${i + 1}: consulting`,
    quantity: String(1 + (i % 7)),
    unitPrice: (19.99 + i).toFixed(2),
    taxRate: ['21', '10', '4'][i % 3],
    discountPercent: i % 4 === 0 ? '5' : undefined,
  }));
}

function input(of: LineInput[]): EInvoiceInput {
  return {
    ...EINVOICE_SAMPLES['one-rate'],
    lines: of.map((l) => ({
      name: l.description,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discountPercent: l.discountPercent,
      vat: { category: 'S', rate: l.taxRate },
    })),
  };
}

export async function run(ctx: BenchContext): Promise<string> {
  const n = ctx.quick ? 200 : 2000;
  const rows: Stats[] = [];
  const baselines = new Map<string, Stats>();
  const pdfDoc = await PDFDocument.create();
  pdfDoc.addPage().drawText('Invoice', { font: await pdfDoc.embedFont(StandardFonts.Helvetica) });
  const pdf = await pdfDoc.save();
  const now = new Date('2026-03-02T10:00:00Z');

  for (const size of [10, 200]) {
    const l = lines(size);
    const doc = EInvoice.compute(input(l));
    const cii = EInvoice.toCii(doc);
    const base = await measure(`${size} lines: invoice totals (baseline)`, n, 1, async () => computeInvoice(l, 'EUR'));
    baselines.set(String(size), base);
    rows.push(
      base,
      await measure(`${size} lines: e-invoice compute`, n, 1, async () => EInvoice.compute(input(l))),
      await measure(`${size} lines: UBL XML`, n, 1, async () => EInvoice.toUbl(doc)),
      await measure(`${size} lines: CII XML`, n, 1, async () => EInvoice.toCii(doc)),
      await measure(`${size} lines: Factur-X embed`, Math.ceil(n / 10), 1, () => toFacturX(pdf, cii, { title: 'Invoice', now })),
    );
  }
  const alta = {
    IDEmisorFactura: '89890001K',
    NumSerieFactura: 'INV-2026-000001',
    FechaExpedicionFactura: '02-03-2026',
    TipoFactura: 'F1' as const,
    CuotaTotal: '21.00',
    ImporteTotal: '121.00',
  };
  const head = Register.alta(null, alta, { invoiceId: 'i', now });
  const url = head.kind === 'alta' ? head.qrUrl : '';
  const regBase = baselines.get('10')!;
  rows.push(
    await measure('register record (huella)', n, 1, async () => Register.alta(head, alta, { invoiceId: 'j', now })),
    await measure('register QR PNG', Math.ceil(n / 10), 1, () => qrPng(url)),
    await measure('register QR SVG', Math.ceil(n / 10), 1, () => qrSvg(url)),
  );
  return report('E-invoices and register (in process)', rows, (row) => {
    const size = /^(\d+) lines/.exec(row.name)?.[1];
    return size ? baselines.get(size) : regBase;
  });
}
