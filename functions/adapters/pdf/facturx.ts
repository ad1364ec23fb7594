/**
 * Factur-X / ZUGFeRD: a PDF/A-3 that carries its invoice's CII XML.
 *
 * @cantoo/pdf-lib (the maintained fork of pdf-lib, also what @e-invoice-eu/core uses) does the PDF work:
 * - the document becomes PDF/A-3B: version 1.7 header, a file /ID, an OutputIntent with the sRGB
 *   IEC61966-2.1 ICC profile, and an XMP packet with the PDF/A identification (pdfaid:part 3,
 *   pdfaid:conformance B) kept in step with the Info dictionary;
 * - the XMP also gets the Factur-X properties (fx:DocumentType INVOICE, fx:DocumentFileName factur-x.xml,
 *   fx:Version 1.0, fx:ConformanceLevel "EN 16931") and their PDF/A extension schema description;
 * - the XML is embedded as `factur-x.xml` (text/xml), listed in the catalog's /AF array with
 *   /AFRelationship /Alternative (the XML is an equivalent rendering of the invoice, as Factur-X wants
 *   for the EN 16931 profile), with its creation and modification dates.
 *
 * The visual PDF must already embed its fonts (Chromium's output does). Nothing here checks PDF/A
 * conformance of the page content itself (transparency, colour spaces): that is the renderer's part.
 */
import { AFRelationship, embedFacturX, PDFDocument } from '@cantoo/pdf-lib';

export const FACTURX_FILE_NAME = 'factur-x.xml';

export interface FacturXOptions {
  /** Document title in Info and XMP, e.g. "Invoice INV-2026-000001". */
  title: string;
  /** The seller (Info /Author, XMP dc:creator). */
  author?: string;
  subject?: string;
  /** When the document was made: Info dates and the attachment's dates. */
  now: Date;
}

/** The PDF, made PDF/A-3B, with the CII XML embedded as factur-x.xml. */
export async function toFacturX(pdf: Uint8Array, ciiXml: string, options: FacturXOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  doc.setTitle(options.title, { showInWindowTitleBar: true });
  if (options.author) doc.setAuthor(options.author);
  doc.setSubject(options.subject ?? options.title);
  doc.setKeywords(['Invoice', 'Factur-X', 'EN 16931']);
  doc.setCreator('crm-invoicing');
  doc.setProducer('crm-invoicing with @cantoo/pdf-lib');
  doc.setCreationDate(options.now);
  doc.setModificationDate(options.now);
  doc.setLanguage('en');
  await embedFacturX(doc, new TextEncoder().encode(ciiXml), {
    fileName: FACTURX_FILE_NAME,
    conformanceLevel: 'EN 16931',
    documentType: 'INVOICE',
    version: '1.0',
    description: 'Factur-X invoice data (EN 16931, UN/CEFACT CII D16B)',
    afRelationship: AFRelationship.Alternative,
    creationDate: options.now,
    modificationDate: options.now,
  });
  return doc.save({ useObjectStreams: false });
}
