/**
 * Factur-X: a standard invoice printed by real Chromium, made PDF/A-3 with its CII XML embedded, then read
 * back with pdfjs (attachment, XMP, Info) and with pdf-lib (catalog: /AF, /AFRelationship, OutputIntent).
 */
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFStream, PDFString } from '@cantoo/pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinTemplates, builtinTemplateName, type BuiltinTemplates } from '../../functions/adapters/pdf/builtin-templates';
import { FACTURX_FILE_NAME, toFacturX } from '../../functions/adapters/pdf/facturx';
import { renderDocumentPdf } from '../../functions/adapters/pdf/render-document';
import { createPdfRenderer, type PdfRenderer } from '../../functions/adapters/pdf/renderer';
import { PrintModel } from '../../functions/domain/documents';
import { EInvoice } from '../../functions/domain/einvoicing';
import { readBack } from '../fixtures/einvoice-checks';
import { EINVOICE_SAMPLES } from '../fixtures/einvoices';
import { pdfPageTexts } from '../fixtures/pdf-text';

let renderer: PdfRenderer;
let builtins: BuiltinTemplates;

beforeAll(async () => {
  renderer = createPdfRenderer();
  builtins = await loadBuiltinTemplates();
});

afterAll(async () => {
  await renderer?.close();
});

async function printedInvoice(): Promise<Buffer> {
  const model = PrintModel.sampleDocumentModel({ number: 'INV-2026-000001' });
  const result = await renderDocumentPdf(renderer, builtins.templates[builtinTemplateName(model.kind)], model, { builtins });
  return result.pdf;
}

const now = new Date('2026-03-02T10:15:00Z');

describe('Factur-X', () => {
  it('embeds the CII as factur-x.xml, declares PDF/A-3B and the Factur-X profile in the XMP, and keeps the pages', async () => {
    const pdf = await printedInvoice();
    const cii = EInvoice.build(EINVOICE_SAMPLES['one-rate'], 'cii');

    const facturx = await toFacturX(pdf, cii, { title: 'Invoice INV-2026-000001', author: 'Ejemplo Servicios SL', now });

    const loaded = await getDocument({ data: new Uint8Array(facturx), isEvalSupported: false }).promise;
    const attachments = (await loaded.getAttachments()) as Record<string, { filename: string; content: Uint8Array }>;
    expect(Object.keys(attachments)).toEqual([FACTURX_FILE_NAME]);
    const embedded = new TextDecoder().decode(attachments[FACTURX_FILE_NAME].content);
    expect(embedded).toBe(cii);
    expect(readBack(embedded).totals.payable).toBe('1451.99');

    const { info, metadata } = await loaded.getMetadata();
    expect(info).toMatchObject({ Title: 'Invoice INV-2026-000001', Author: 'Ejemplo Servicios SL' });
    const xmp = metadata!.getRaw();
    expect(xmp).toMatch(/<pdfaid:part>3<\/pdfaid:part>/);
    expect(xmp).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(xmp).toContain('<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>');
    expect(xmp).toContain('<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>');
    expect(xmp).toContain('<fx:DocumentType>INVOICE</fx:DocumentType>');
    expect(xmp).toContain('<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>');
    expect(loaded.numPages).toBe((await PDFDocument.load(pdf)).getPageCount());
    expect((await pdfPageTexts(facturx)).join('\n')).toContain('INV-2026-000001');
    await loaded.destroy();
  });

  it('lists the attachment in the catalog /AF with /AFRelationship /Alternative, and has an sRGB OutputIntent', async () => {
    const facturx = await toFacturX(await printedInvoice(), EInvoice.build(EINVOICE_SAMPLES['credit-note'], 'cii'), { title: 'Credit note', now });

    const doc = await PDFDocument.load(facturx);
    const catalog = doc.catalog;
    const af = catalog.lookup(PDFName.of('AF'), PDFArray);
    expect(af.size()).toBe(1);
    const fileSpec = af.lookup(0, PDFDict);
    expect(fileSpec.get(PDFName.of('AFRelationship'))).toEqual(PDFName.of('Alternative'));
    expect(fileSpec.lookup(PDFName.of('UF'), PDFString, PDFHexString).decodeText()).toBe(FACTURX_FILE_NAME);
    const embeddedFile = fileSpec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F'), PDFStream);
    expect(embeddedFile.dict.get(PDFName.of('Subtype'))).toEqual(PDFName.of('text/xml'));
    const intent = catalog.lookup(PDFName.of('OutputIntents'), PDFArray).lookup(0, PDFDict);
    expect(intent.get(PDFName.of('S'))).toEqual(PDFName.of('GTS_PDFA1'));
    expect(intent.lookup(PDFName.of('DestOutputProfile'))).toBeInstanceOf(PDFStream);
    expect(Buffer.from(facturx.subarray(0, 8)).toString('latin1')).toBe('%PDF-1.7');
  });
});
