/**
 * The standard templates printed by real Chromium and read back with pdfjs: content, embedded fonts
 * (Cyrillic, Romanian and Spanish letters come out exactly, from Noto Sans only), locale formats and
 * pagination of long invoices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDocumentModel, type DocumentLine, type DocumentModel } from '../../functions/domain/documents/print-model';
import { loadBuiltinTemplates, builtinTemplateName, type BuiltinTemplates } from '../../functions/adapters/pdf/builtin-templates';
import { renderDocumentPdf } from '../../functions/adapters/pdf/render-document';
import { createPdfRenderer, type PdfRenderer } from '../../functions/adapters/pdf/renderer';
import { renderHtml } from '../../functions/adapters/pdf/template-engine';
import { pdfFontNames, pdfPageTexts } from '../fixtures/pdf-text';

let renderer: PdfRenderer;
let builtins: BuiltinTemplates;

beforeAll(async () => {
  renderer = createPdfRenderer();
  builtins = await loadBuiltinTemplates();
});

afterAll(async () => {
  await renderer?.close();
});

const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function internationalInvoice(overrides: Parameters<typeof sampleDocumentModel>[0] = {}): DocumentModel {
  return sampleDocumentModel({
    number: 'INV-2026-0042',
    seller: { name: 'Ștefănescu', legalName: 'Societatea Ștefănescu Țară', taxId: 'RO12345678' },
    client: { name: 'Ромашка', legalName: 'ООО «Ромашка»', taxId: '7701234567' },
    lines: [
      {
        description: 'Diseño web – Peña y Núñez',
        quantity: '10',
        unit: 'h',
        unitPrice: '1234.50',
        discountPercent: '0',
        taxRate: '21',
        netAmount: '12345.00',
      },
    ],
    totals: {
      net: '12345.00',
      tax: '2592.45',
      withholding: '0.00',
      total: '14937.45',
      taxBreakdown: [{ rate: '21', base: '12345.00', amount: '2592.45' }],
    },
    ...overrides,
  });
}

async function renderModel(model: DocumentModel, assets = {}) {
  const source = builtins.templates[builtinTemplateName(model.kind)];
  const result = await renderDocumentPdf(renderer, source, model, { builtins, assets });
  return { ...result, pages: await pdfPageTexts(result.pdf) };
}

describe('standard invoice', () => {
  it('prints the number, both parties, lines and totals, with every letter from the embedded Noto Sans', async () => {
    const model = internationalInvoice({
      images: { logo: 'logo.png', stamp: 'stamp.png', signature: 'signature.png' },
    });
    const assets = {
      'logo.png': { contentType: 'image/png', body: PNG_1X1 },
      'stamp.png': { contentType: 'image/png', body: PNG_1X1 },
      'signature.png': { contentType: 'image/png', body: PNG_1X1 },
    };

    const { pdf, sha256, size, blocked, pages } = await renderModel(model, assets);

    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(size).toBe(pdf.byteLength);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(blocked).toEqual([]);
    const text = pages.join('\n');
    expect(text).toContain('INV-2026-0042');
    expect(text).toContain('ООО «Ромашка»');
    expect(text).toContain('Societatea Ștefănescu Țară');
    expect(text).toContain('Diseño web – Peña y Núñez');
    expect(text).toContain('RO12345678');
    expect(text).toContain('7701234567');
    expect(text).toContain('€14,937.45');
    expect(text).toContain('€2,592.45');
    expect(text).toContain('ES91 2100 0418 4502 0005 1332');
    expect(text).toContain('22 Nov 2026');
    expect(text).toContain('22 Dec 2026');
    expect(text).toMatch(/Page 1 of 1/);
  });

  it('embeds no font but Noto Sans for the document body (no fallback to system fonts)', async () => {
    // Without the page footer, which Chromium draws with system fonts.
    const html = renderHtml(builtins.templates.invoice, internationalInvoice(), { partials: builtins.partials });
    const { pdf } = await renderer.render(html, { assets: builtins.assets });

    const fonts = pdfFontNames(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font).toMatch(/^[A-Z]{6}\+NotoSans-(Regular|Bold)$/);
    const text = (await pdfPageTexts(pdf)).join('\n');
    expect(text).toContain('ООО «Ромашка»');
    expect(text).toContain('Societatea Ștefănescu Țară');
  });

  it.each([
    ['es', 'Factura', 'Fecha de emisión', '14.937,45 €', '22 nov 2026', 'Página 1 de 1', '21 %'],
    ['ru', 'Счёт', 'Дата выставления', '14 937,45 €', '22 нояб. 2026 г.', 'Страница 1 из 1', '21 %'],
    ['ro', 'Factură', 'Data emiterii', '14.937,45 EUR', '22 nov. 2026', 'Pagina 1 din 1', '21 %'],
    ['en', 'Invoice', 'Issue date', '€14,937.45', '22 Nov 2026', 'Page 1 of 1', '21%'],
  ])('formats labels, amounts and dates in %s', async (locale, title, issueDate, total, date, footer, rate) => {
    const { pages } = await renderModel(internationalInvoice({ locale }));

    const text = pages.join('\n');
    expect(text).toContain(title);
    expect(text).toContain(issueDate);
    expect(text).toContain(total);
    expect(text).toContain(date);
    expect(text).toContain(footer);
    expect(text).toContain(rate);
  });

  it('falls back to English for a locale without labels', async () => {
    const { pages } = await renderModel(internationalInvoice({ locale: 'de' }));
    expect(pages.join('\n')).toContain('BILL TO');
  });

  it('prints quotes and credit notes with their own titles', async () => {
    const quote = await renderModel(sampleDocumentModel({ kind: 'quote', locale: 'es', validUntil: '2026-12-31' }));
    const quoteText = quote.pages.join('\n');
    expect(quoteText).toContain('Presupuesto');
    expect(quoteText).toContain('Válido hasta');
    expect(quoteText).toContain('31 dic 2026');

    const credit = await renderModel(sampleDocumentModel({ kind: 'credit_note', locale: 'ro', totals: { withholding: '15.00' } }));
    const creditText = credit.pages.join('\n');
    expect(creditText).toContain('Factură de stornare');
    expect(creditText).toContain('Total stornat');
    expect(creditText).toContain('Reținere');
  });
});

describe('a long invoice', () => {
  const LINE_COUNT = 200;

  function longInvoice(): DocumentModel {
    const lines: DocumentLine[] = [];
    let cents = 0;
    for (let i = 1; i <= LINE_COUNT; i++) {
      const id = String(i).padStart(3, '0');
      const quantity = (i % 3) + 1;
      cents += quantity * 1250;
      lines.push({
        // Every fifth description wraps over several lines: such a row must still stay on one page.
        description:
          i % 5 === 0
            ? `S${id} consulting work on the migration of the accounting ledgers, reconciliation of the` +
              ` opening balances and training of the finance team in the new procedures E${id}`
            : `S${id} support hours E${id}`,
        quantity: String(quantity),
        unit: 'h',
        unitPrice: '12.50',
        taxRate: '21',
        netAmount: (quantity * 12.5).toFixed(2),
      });
    }
    const net = (cents / 100).toFixed(2);
    const tax = ((cents * 21) / 10000).toFixed(2);
    const total = ((cents * 121) / 10000).toFixed(2);
    return sampleDocumentModel({
      lines,
      totals: { net, tax, withholding: '0.00', total, taxBreakdown: [{ rate: '21', base: net, amount: tax }] },
    });
  }

  it('repeats the table header and numbers every page, never splits a row, and ends with the totals', async () => {
    const model = longInvoice();

    const { pages, pages: texts } = await renderModel(model);

    const count = texts.length;
    expect(count).toBeGreaterThan(3);
    texts.forEach((text, index) => {
      expect(text, `page ${index + 1}`).toContain(`Page ${index + 1} of ${count}`);
      // The header row of the lines table, on every page.
      expect(text, `page ${index + 1}`).toMatch(/DESCRIPTION\s+QTY\s+UNIT PRICE\s+DISCOUNT\s+VAT\s+AMOUNT/);
    });
    for (let i = 1; i <= LINE_COUNT; i++) {
      const id = String(i).padStart(3, '0');
      const start = pages.findIndex((text) => text.includes(`S${id} `));
      const end = pages.findIndex((text) => text.includes(`E${id}`));
      expect(start, `line ${id} is printed`).toBeGreaterThanOrEqual(0);
      expect(end, `line ${id} is on one page`).toBe(start);
    }
    const total = `€${Number(model.totals.total).toLocaleString('en-GB', { minimumFractionDigits: 2 })}`;
    const last = texts[count - 1]!;
    expect(last).toContain('Total due');
    expect(last).toContain(total);
    for (const text of texts.slice(0, -1)) expect(text).not.toContain('Total due');
  });

  it('prints the number on every page, and never a last page with only the notes', async () => {
    const notes = Array.from({ length: 8 }, (_, i) => `Note line ${i + 1}: goods remain ours until paid in full.`).join('\n');
    const texts: string[][] = [];
    // lines that end at every height of a page: wherever they end, the notes never stand alone on a page
    for (let count = 18; count <= 42; count += 3) {
      const model = longInvoice();
      const lines = model.lines.slice(0, count);
      const { pages } = await renderModel({ ...model, lines, notes });
      texts.push(pages);
      pages.forEach((text, index) => expect(text, `${count} lines, page ${index + 1}`).toContain(`INV-2026-0042 · Page ${index + 1} of ${pages.length}`));
      const withNotes = pages.filter((text) => text.includes('Note line 1'));
      expect(withNotes, `${count} lines`).toHaveLength(1);
      expect(withNotes[0], `${count} lines: the notes' page has the totals`).toContain('Total due');
    }
    expect(texts.some((pages) => pages.length > 1)).toBe(true);
  });
});

describe('withholding, words and corrections', () => {
  const withholding = {
    net: '1000.00',
    tax: '210.00',
    withholding: '150.00',
    total: '1060.00',
    taxBreakdown: [{ rate: '21', base: '1000.00', amount: '210.00' }],
    withholdingBreakdown: [{ rate: '15', base: '1000.00', amount: '150.00' }],
  };
  const lines = [{ description: 'Consultoría', quantity: '1', unitPrice: '1000.00', taxRate: '21', netAmount: '1000.00' }];

  it('prints the withholding with its rate and base, in the language of the document', async () => {
    const es = (await renderModel(sampleDocumentModel({ locale: 'es', lines, totals: withholding }))).pages.join('\n');
    expect(es.replace(/[\u00a0\u202f]/g, ' ')).toMatch(/IRPF 15 % sobre 1000,00 €\s+−150,00 €/);
    const en = (await renderModel(sampleDocumentModel({ locale: 'en', lines, totals: withholding }))).pages.join('\n');
    expect(en).toMatch(/Withholding 15% on €1,000.00\s+−€150.00/);
  });

  it('prints a Russian settlement account, a 9-digit БИК and the amount in words', async () => {
    const model = sampleDocumentModel({
      locale: 'ru',
      currency: 'RUB',
      seller: { bankAccount: { iban: null, bic: '044525225', bankName: 'ПАО Сбербанк', accountNumber: '40702810400000000001' } },
      lines,
      totals: { ...withholding, withholding: '0.00', total: '1210.00', withholdingBreakdown: [] },
      amountInWords: 'Одна тысяча двести десять рублей 00 копеек',
    });
    const text = (await renderModel(model)).pages.join('\n');
    expect(text).toContain('Расчётный счёт 40702810400000000001');
    expect(text).toContain('БИК 044525225');
    expect(text).toContain('Сумма прописью Одна тысяча двести десять рублей 00 копеек');
  });

  it('says which invoice a credit note corrects', async () => {
    const model = sampleDocumentModel({ kind: 'credit_note', locale: 'es', corrects: [{ number: 'F-2026-000007', issueDate: '2026-03-01' }] });
    const text = (await renderModel(model)).pages.join('\n');
    expect(text).toContain('Rectifica la factura F-2026-000007 del 1 mar 2026');
  });
});
