/**
 * The document template engine without a browser: compile errors located by line, strict rendering,
 * locale-aware helpers that never lose a digit, no prototype access, the i18n labels, and the built-in
 * templates rendering every kind in every locale.
 */
import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_LOCALES,
  documentLocale,
  normalizeDocumentModel,
  sampleDocumentModel,
  type DocumentKind,
} from '../../../functions/domain/documents/print-model';
import { builtinTemplateName, loadBuiltinTemplates } from '../../../functions/adapters/pdf/builtin-templates';
import {
  compileTemplate,
  formatDate,
  formatMoney,
  formatNumber,
  formatPercent,
  intlLocale,
  renderHtml,
  TemplateError,
  translate,
} from '../../../functions/adapters/pdf/template-engine';
import { countPdfPages, sandboxDocument, CONTENT_SECURITY_POLICY } from '../../../functions/adapters/pdf/sandbox';
import { Texts } from '../../../functions/domain/documents';

/** The document labels of each catalogue (templates/i18n/<lang>.json, namespace `document`). */
const LABELS = Object.fromEntries(DOCUMENT_LOCALES.map((l) => [l, Texts.CATALOGUES[l].document])) as Record<string, Record<string, string>>;

/** Intl separates with no-break and narrow no-break spaces: compare them as plain spaces. */
function plain(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

describe('compileTemplate', () => {
  it('reports a syntax error with its line', () => {
    const result = compileTemplate('<h1>{{number}}</h1>\n<p>\n  {{client.name\n</p>');

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(3);
    expect(result.errors[0]!.message).toMatch(/^Parse error on line 3/);
  });

  it('reports a block closed by the wrong name with its line and column', () => {
    const result = compileTemplate('<table>\n{{#each lines}}\n  <tr></tr>\n{{/if}}\n</table>');

    expect(result).toEqual({
      ok: false,
      errors: [{ line: 2, column: 4, message: "each doesn't match if" }],
    });
  });

  it('reports an unclosed block', () => {
    const result = compileTemplate('a\n{{#if notes}}\nb');

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('reports unknown helpers and partials with their lines, before anything renders', () => {
    const result = compileTemplate('<p>{{money totals.total}}</p>\n<p>{{monye totals.total}}</p>\n{{> footer}}', {
      partials: { header: '<header></header>' },
    });

    expect(result).toEqual({
      ok: false,
      errors: [
        { line: 2, column: 4, message: 'Unknown helper "monye"' },
        { line: 3, column: 1, message: 'Unknown partial "footer"' },
      ],
    });
  });

  it('names the partial an error is in', () => {
    const result = compileTemplate('{{> header}}', { partials: { header: '<h1>\n{{#if x}}</h1>' } });

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ partial: 'header', line: expect.any(Number) });
  });

  it('renders strictly: a name the model does not have is an error with its line', () => {
    const result = compileTemplate('<p>{{client.name}}</p>\n<p>{{client.nickname}}</p>');
    expect(result.ok).toBe(true);
    if (!result.ok) return;

    let error: unknown;
    try {
      result.render(sampleDocumentModel());
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).errors[0]).toMatchObject({ line: 2, message: expect.stringContaining('nickname') });
  });

  it('prints nothing, without an error, for optional fields that are absent', () => {
    const model = sampleDocumentModel();
    delete model.notes;
    delete model.client.email;

    expect(renderHtml('[{{notes}}][{{client.email}}][{{seller.bankAccount.iban}}]', model)).toBe('[][][ES91 2100 0418 4502 0005 1332]');
  });

  it('escapes model data as HTML', () => {
    const model = sampleDocumentModel({ client: { name: '<img src=x onerror=alert(1)>', legalName: null } });

    expect(renderHtml('{{client.name}}', model)).toBe('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it('never resolves prototype properties', () => {
    const html = renderHtml('[{{client.constructor}}][{{lookup client "__proto__"}}][{{#with client}}{{__defineGetter__}}{{/with}}]', sampleDocumentModel());

    expect(html).toBe('[][][]');
    // One step further is a strict-mode error, not Object's name.
    expect(() => renderHtml('{{client.constructor.name}}', sampleDocumentModel())).toThrow(TemplateError);
  });
});

describe('helpers', () => {
  it('formats money exactly from the decimal string, however long', () => {
    expect(formatMoney('12345678901234567.89', 'EUR', 'en-GB')).toBe('€12,345,678,901,234,567.89');
    expect(formatMoney('0.1', 'EUR', 'en-GB')).toBe('€0.10');
    expect(formatMoney('0.0125', 'EUR', 'en-GB')).toBe('€0.0125');
    expect(plain(formatMoney('-1234.5', 'EUR', 'es-ES'))).toBe('-1234,50 €');
    expect(plain(formatMoney('1234567.80', 'RUB', 'ru-RU'))).toBe('1 234 567,80 ₽');
    expect(plain(formatMoney('1234567.80', 'RON', 'ro-RO'))).toBe('1.234.567,80 RON');
    expect(formatMoney('1500', 'JPY', 'en-GB')).toBe('JP¥1,500');
    expect(plain(formatMoney('12.5', 'KWD', 'en-GB'))).toBe('KWD 12.500');
  });

  it('formats quantities and rates with the digits they have and no more', () => {
    expect(formatNumber('1.5', 'en-GB')).toBe('1.5');
    expect(formatNumber('1000.125', 'es-ES')).toBe('1000,125');
    expect(formatNumber('12000.125', 'es-ES')).toBe('12.000,125');
    expect(formatNumber('2', 'ru-RU')).toBe('2');
    expect(formatPercent('21', 'en-GB')).toBe('21%');
    expect(plain(formatPercent('5.5', 'es-ES'))).toBe('5,5 %');
    expect(plain(formatPercent('19', 'ro-RO'))).toBe('19 %');
  });

  it('formats dates in UTC, the way each locale writes them', () => {
    expect(formatDate('2026-11-22', 'en-GB')).toBe('22 Nov 2026');
    expect(formatDate('2026-11-22', 'es-ES')).toBe('22 nov 2026');
    expect(formatDate('2026-11-22', 'ru-RU')).toBe('22 нояб. 2026 г.');
    expect(formatDate('2026-11-22', 'ro-RO')).toBe('22 nov. 2026');
    expect(formatDate('2026-01-01T00:30:00+02:00', 'en-GB')).toBe('31 Dec 2025');
    expect(formatDate('not a date', 'en-GB')).toBe('not a date');
  });

  it('uses the model locale, with its region when it has one, and English otherwise', () => {
    const render = (locale: string) => plain(renderHtml('{{money totals.total}}|{{date issueDate}}|{{t "invoice"}}', sampleDocumentModel({ locale })));

    expect(render('en')).toBe('€1,302.65|22 Nov 2026|Invoice');
    expect(render('es')).toBe('1302,65 €|22 nov 2026|Factura');
    expect(render('ru')).toBe('1 302,65 €|22 нояб. 2026 г.|Счёт');
    expect(render('ro')).toBe('1.302,65 EUR|22 nov. 2026|Factură');
    expect(render('es-MX')).toBe('EUR 1,302.65|22 nov 2026|Factura');
    expect(render('de-DE')).toBe('€1,302.65|22 Nov 2026|Invoice');
  });

  it('translates with placeholders and falls back to English, then to the key', () => {
    expect(translate('pageXofY', 'ru', { page: 2, pages: 5 })).toBe('Страница 2 из 5');
    expect(translate('pageXofY', 'xx', { page: 1, pages: 1 })).toBe('Page 1 of 1');
    expect(translate('noSuchLabel', 'es')).toBe('noSuchLabel');
    expect(renderHtml('{{t "pageXofY" page=3 pages=4}}', sampleDocumentModel({ locale: 'ro' }))).toBe('Pagina 3 din 4');
  });

  it('lets only hex colours through to CSS', () => {
    const render = (brandColor: string) => renderHtml('{{color seller.brandColor "#123456"}}', sampleDocumentModel({ seller: { brandColor } }));

    expect(render('#1f5fae')).toBe('#1f5fae');
    expect(render('red;} @import url(http://x)')).toBe('#123456');
    expect(render('#12345z')).toBe('#123456');
  });

  it('tells zero amounts, numbers lines from 1 and links assets', () => {
    const html = renderHtml(
      '{{#if (zero totals.withholding)}}no withholding{{/if}}|{{#each lines}}{{inc @index}}{{/each}}|{{asset "my logo.png"}}',
      sampleDocumentModel(),
    );

    expect(html).toBe('no withholding|123|https://assets.invalid/my%20logo.png');
  });

  it('has no helper named like a model field (a helper would shadow it)', () => {
    const keys = new Set<string>();
    const collect = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object')
        for (const [key, child] of Object.entries(value)) {
          keys.add(key);
          collect(child);
        }
    };
    collect(normalizeDocumentModel(sampleDocumentModel()));

    const helpers = ['money', 'decimal', 'percent', 'date', 't', 'asset', 'color', 'zero', 'inc', 'eq', 'ne', 'not', 'and', 'or'];
    for (const helper of helpers) expect(keys.has(helper), helper).toBe(false);
    expect(renderHtml('{{number}}', sampleDocumentModel())).toBe('INV-2026-0042');
  });
});

describe('i18n labels', () => {
  it('has every English label in every locale', () => {
    const keys = Object.keys(LABELS.en).sort();
    for (const locale of DOCUMENT_LOCALES) expect(Object.keys(LABELS[locale]).sort(), locale).toEqual(keys);
    for (const locale of DOCUMENT_LOCALES) {
      expect(LABELS[locale].pageXofY).toContain('{page}');
      expect(LABELS[locale].pageXofY).toContain('{pages}');
    }
  });

  it('covers the document vocabulary', () => {
    for (const key of [
      'invoice',
      'credit_note',
      'proforma',
      'quote',
      'billTo',
      'issueDate',
      'dueDate',
      'description',
      'qty',
      'unitPrice',
      'discount',
      'vat',
      'amount',
      'subtotal',
      'total',
      'withholding',
      'vatBreakdown',
      'base',
      'paymentDetails',
      'iban',
      'pageXofY',
      'notes',
      'taxId',
    ]) {
      expect(LABELS.en[key], key).toBeTruthy();
    }
  });

  it('maps model locales to label locales', () => {
    expect(documentLocale('ru-RU')).toBe('ru');
    expect(documentLocale('ES')).toBe('es');
    expect(documentLocale('de')).toBe('en');
    expect(documentLocale('')).toBe('en');
  });
});

describe('built-in templates', () => {
  const kinds: DocumentKind[] = ['invoice', 'proforma', 'quote', 'credit_note'];

  it.each(kinds.flatMap((kind) => DOCUMENT_LOCALES.map((locale) => [kind, locale] as const)))(
    'renders a %s in %s with the sample data',
    async (kind, locale) => {
      const builtins = await loadBuiltinTemplates();
      const model = sampleDocumentModel({ kind, locale, validUntil: '2026-12-31' });

      const html = renderHtml(builtins.templates[builtinTemplateName(kind)], model, { partials: builtins.partials });

      expect(html).toContain(`<html lang="${locale}">`);
      expect(html).toContain(`<h1>${translate(kind, locale)}</h1>`);
      expect(html).toContain('INV-2026-0042');
      expect(html).toContain('thead');
      expect(html).toContain('https://assets.invalid/fonts.css');
    },
  );

  it.each(DOCUMENT_LOCALES)("titles a recapitulative invoice so in %s and prints each line's operation date", async (locale) => {
    const builtins = await loadBuiltinTemplates();
    const sample = sampleDocumentModel({ kind: 'invoice', locale });
    const model = { ...sample, recapitulative: true, lines: sample.lines.map((line, i) => ({ ...line, operationDate: `2026-11-0${i + 1}` })) };

    const html = renderHtml(builtins.templates.invoice, model, { partials: builtins.partials });

    expect(html).toContain(`<h1>${translate('recapitulative', locale)}</h1>`);
    expect(html).toContain(translate('recapitulativeNotice', locale));
    expect(plain(html)).toContain(plain(`${translate('operationDate', locale)}: ${formatDate('2026-11-01', intlLocale(model.locale))}`));
    expect(plain(html)).toContain(plain(`${translate('operationDate', locale)}: ${formatDate('2026-11-02', intlLocale(model.locale))}`));
  });

  it('renders a minimal model: a draft with no optional data at all', async () => {
    const builtins = await loadBuiltinTemplates();
    const model = {
      kind: 'invoice' as const,
      locale: 'en',
      number: null,
      issueDate: null,
      currency: 'EUR',
      seller: { name: 'Seller' },
      client: { kind: 'contact' as const, name: 'Client' },
      lines: [],
      totals: { net: '0.00', tax: '0.00', withholding: '0.00', total: '0.00', taxBreakdown: [] },
    };

    const html = renderHtml(builtins.templates.invoice, model, { partials: builtins.partials });

    expect(html).toContain('Draft');
    expect(html).not.toContain('<img');
  });

  it('ships the stylesheet and the embedded fonts as assets', async () => {
    const { assets } = await loadBuiltinTemplates();

    const css = Buffer.from(assets['fonts.css']!.body).toString('utf8');
    for (const subset of ['latin', 'latin-ext', 'cyrillic']) {
      expect(css).toContain(`https://assets.invalid/fonts/noto-sans-${subset}-400-normal.woff2`);
      expect(assets[`fonts/noto-sans-${subset}-700-normal.woff2`]?.contentType).toBe('font/woff2');
    }
    expect(Buffer.from(assets['invoice.css']!.body).toString('utf8')).toContain('table-header-group');
  });
});

describe('document model', () => {
  it('merges overrides deeply into the sample, replacing arrays', () => {
    const model = sampleDocumentModel({ seller: { taxId: 'X1' }, lines: [] });

    expect(model.seller.taxId).toBe('X1');
    expect(model.seller.name).toBe('Acme Cloud Services');
    expect(model.lines).toEqual([]);
  });

  it('normalizes absent optional fields to null', () => {
    const normalized = normalizeDocumentModel({
      kind: 'quote',
      locale: 'es',
      number: null,
      issueDate: null,
      currency: 'EUR',
      seller: { name: 'S' },
      client: { kind: 'company', name: 'C' },
      lines: [{ description: 'd', quantity: '1', unitPrice: '1', taxRate: '21', netAmount: '1.00' }],
      totals: { net: '1.00', tax: '0.21', withholding: '0.00', total: '1.21', taxBreakdown: [] },
    });

    expect(normalized.dueDate).toBeNull();
    expect(normalized.images).toEqual({ logo: null, stamp: null, signature: null });
    expect(normalized.seller.bankAccount).toBeNull();
    expect(normalized.client.address).toBeNull();
    expect(normalized.lines[0]).toMatchObject({ unit: null, discountPercent: null });
  });
});

describe('sandbox document', () => {
  it('puts the CSP first, before anything of the template, keeping one doctype', () => {
    const html = sandboxDocument('\n<!DOCTYPE html>\n<html><head><link rel="stylesheet" href="x"></head></html>');

    expect(html.startsWith('<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"')).toBe(true);
    expect(html.match(/<!doctype/gi)).toHaveLength(1);
    expect(html.indexOf(CONTENT_SECURITY_POLICY)).toBeLessThan(html.indexOf('<link'));
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
  });

  it('counts the pages of a PDF', () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R]>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page>>');

    expect(countPdfPages(pdf)).toBe(2);
  });
});
