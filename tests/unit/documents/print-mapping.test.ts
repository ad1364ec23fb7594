/**
 * Records -> document models (pure), the tenant settings rules (images by magic bytes, size, keys, how a
 * PUT merges), and the template checks the templates API runs on upload, all without a browser.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PARTIAL_NAMES, loadBuiltinTemplates } from '../../../functions/adapters/pdf/builtin-templates';
import { checkTemplate, describeTemplateError, renderHtml } from '../../../functions/adapters/pdf/template-engine';
import { DocumentDataError, PrintModel, Printing, Settings, Template } from '../../../functions/domain/documents';
import type { Invoice } from '../../../functions/domain/invoicing';
import type { Quote } from '../../../functions/domain/sales';

const { sampleDocumentModel } = PrintModel;
const { invoiceDocumentModel, previewDocumentModel, quoteDocumentModel, sellerOf, templateFits } = Printing;
const { applySettings, decodeImage, decodeUploads, documentSettingsOf, imageKey, MAX_IMAGE_BYTES, sniffImage } = Settings;
const templateSourceKey = Template.sourceKey;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

const anInvoice = (overrides: Partial<Invoice.Info> = {}): Invoice.Info => ({
  tenantId: 'ten_1',
  id: 'inv_1',
  number: 'INV-2026-000007',
  series: 'invoice',
  type: 'invoice',
  stage: 'SENT',
  status: 'issued',
  client: {
    kind: 'company',
    id: 'cmp_1',
    name: 'Núñez',
    legalName: 'Núñez Ingeniería',
    legalForm: 'S.A.',
    taxId: 'A87654323',
    email: 'a@b.example',
    address: { line1: 'Diagonal 640', city: 'Barcelona', postalCode: '08017', country: 'ES' },
  },
  lines: [
    { description: 'Consulting', quantity: '10', unitPrice: '95.00', taxRate: '21', netAmount: '950.00', unit: 'h' },
    { description: 'Licence', quantity: '1', unitPrice: '100.00', taxRate: '21', discountPercent: '0', netAmount: '100.00' },
  ],
  totals: {
    net: '1050.00',
    tax: '220.50',
    withholding: '0.00',
    total: '1270.50',
    taxBreakdown: [{ rate: '21', base: '1050.00', amount: '220.50' }],
    withholdingBreakdown: [],
  },
  currency: 'EUR',
  issueDate: '2026-11-22',
  dueDate: '2026-12-22',
  notes: 'Thanks',
  responsibleUserId: 'usr_1',
  createdBy: 'usr_1',
  version: 2,
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
  ...overrides,
});

const tenant = (settings: Record<string, unknown> = {}) => ({ name: 'Acme', settings: { locale: 'en', ...settings } });

describe('invoice and quote document models', () => {
  it('maps an invoice, its client snapshot, lines and totals, with the tenant as seller', () => {
    // Act
    const model = invoiceDocumentModel(
      anInvoice(),
      tenant({
        legalName: 'Acme Cloud S.L.',
        taxId: 'B12345674',
        locale: 'es',
        brandColor: '#112233',
        address: { line1: 'Alcalá 42', city: 'Madrid', postalCode: '28014', country: 'ES' },
        bankAccount: { iban: 'ES9121000418450200051332', bic: 'CAIXESBBXXX' },
        paymentTerms: '30 days',
        images: { logo: { key: 'tenant/ten_1/assets/logo-0badcafe.png', contentType: 'image/png', size: 10, sha256: '0badcafe00' } },
      }),
    );

    // Assess
    expect(model).toMatchObject({
      kind: 'invoice',
      locale: 'es',
      number: 'INV-2026-000007',
      issueDate: '2026-11-22',
      dueDate: '2026-12-22',
      currency: 'EUR',
      seller: {
        name: 'Acme Cloud S.L.',
        legalName: 'Acme Cloud S.L.',
        taxId: 'B12345674',
        brandColor: '#112233',
        bankAccount: { iban: 'ES9121000418450200051332', bic: 'CAIXESBBXXX', bankName: null },
      },
      client: { kind: 'company', name: 'Núñez', legalName: 'Núñez Ingeniería S.A.', taxId: 'A87654323', address: { city: 'Barcelona', line2: null } },
      totals: { total: '1270.50', taxBreakdown: [{ rate: '21', base: '1050.00', amount: '220.50' }] },
      notes: 'Thanks',
      paymentTerms: '30 days',
      images: { logo: 'logo-0badcafe.png', stamp: null, signature: null },
    });
    expect(model.lines[0]).toEqual({
      description: 'Consulting',
      quantity: '10',
      unit: 'h',
      unitPrice: '95.00',
      discountPercent: null,
      taxRate: '21',
      netAmount: '950.00',
    });
    expect(model.totals.withholdingBreakdown).toEqual([]);
  });

  it('prints credit notes and proformas with their own kind, a draft without a number', () => {
    expect(invoiceDocumentModel(anInvoice({ type: 'credit_note' }), tenant()).kind).toBe('credit_note');
    expect(invoiceDocumentModel(anInvoice({ type: 'proforma', number: null, issueDate: null }), tenant())).toMatchObject({
      kind: 'proforma',
      number: null,
      issueDate: null,
    });
  });

  it('uses the tenant name when the settings give no seller name, and ignores a malformed colour', () => {
    expect(sellerOf(tenant({ brandColor: 'red; background:url(x)' }))).toMatchObject({
      name: 'Acme',
      legalName: null,
      brandColor: null,
      address: null,
      bankAccount: null,
    });
  });

  it('refuses to print an invoice without a client', () => {
    expect(() => invoiceDocumentModel(anInvoice({ client: null }), tenant())).toThrow(DocumentDataError);
  });

  it('maps a quote with its validity date', () => {
    const quote = { ...anInvoice(), series: 'quote', status: 'sent', validUntil: '2026-12-31', number: 'QUO-2026-000001' } as unknown as Quote.Info;
    expect(quoteDocumentModel(quote, tenant())).toMatchObject({ kind: 'quote', number: 'QUO-2026-000001', validUntil: '2026-12-31', dueDate: null });
  });

  it('renders an invoice model with the standard template', async () => {
    // Prepare
    const builtins = await loadBuiltinTemplates();

    // Act
    const html = renderHtml(builtins.templates.invoice, invoiceDocumentModel(anInvoice(), tenant()), { partials: builtins.partials });

    // Assess
    expect(html).toContain('Núñez Ingeniería S.A.');
    expect(html).toContain('INV-2026-000007');
    expect(html).toContain('1,270.50');
  });

  it('previews sample data as the tenant: its seller details and images when it has them, the sample seller otherwise', () => {
    const own = previewDocumentModel(tenant({ legalName: 'Mine S.L.', locale: 'ro' }), 'quote');
    expect(own).toMatchObject({ kind: 'quote', locale: 'ro', seller: { name: 'Mine S.L.' }, client: sampleDocumentModel().client });
    expect(previewDocumentModel(tenant(), 'invoice', 'ru').seller.name).toBe(sampleDocumentModel().seller.name);
    expect(previewDocumentModel(tenant(), 'invoice', 'ru').locale).toBe('ru');
  });

  it('lets invoice templates print invoices, proformas and credit notes, quote templates only quotes', () => {
    expect(templateFits('invoice', 'proforma')).toBe(true);
    expect(templateFits('invoice', 'credit_note')).toBe(true);
    expect(templateFits('invoice', 'quote')).toBe(false);
    expect(templateFits('quote', 'invoice')).toBe(false);
    expect(templateFits('credit_note', 'invoice')).toBe(false);
  });
});

describe('settings images', () => {
  it('accepts PNG and JPEG by their bytes, with or without a data: prefix', () => {
    const png = decodeImage('logo', { data: PNG.toString('base64') });
    const jpeg = decodeImage('stamp', { data: `data:image/jpeg;base64,${JPEG.toString('base64')}` });
    expect(png).toMatchObject({ ok: true, image: { contentType: 'image/png' } });
    expect(jpeg).toMatchObject({ ok: true, image: { contentType: 'image/jpeg' } });
    expect(sniffImage(SVG)).toBeNull();
  });

  it('refuses SVG, other bytes, a lying content type, bad base64 and images over 512 KB', () => {
    expect(decodeImage('logo', { data: SVG.toString('base64') })).toMatchObject({
      ok: false,
      errors: [{ field: 'images.logo.data', message: expect.stringContaining('SVG') }],
    });
    expect(decodeImage('logo', { data: PNG.toString('base64'), contentType: 'image/svg+xml' })).toMatchObject({
      ok: false,
      errors: [{ field: 'images.logo.contentType' }],
    });
    expect(decodeImage('logo', { data: Buffer.from('GIF89a......').toString('base64') })).toMatchObject({
      ok: false,
      errors: [{ message: 'the data is not a PNG or JPEG image' }],
    });
    expect(decodeImage('logo', { data: PNG.toString('base64'), contentType: 'image/jpeg' })).toMatchObject({
      ok: false,
      errors: [{ message: 'the data is image/png, not image/jpeg' }],
    });
    expect(decodeImage('logo', { data: 'not base64!' })).toMatchObject({ ok: false });
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES)]);
    expect(decodeImage('logo', { data: big.toString('base64') })).toMatchObject({ ok: false, errors: [{ message: expect.stringContaining('512 KB') }] });
  });

  it('lists every bad image at once', () => {
    expect(() => decodeUploads({ locale: 'en', images: { logo: { data: SVG.toString('base64') }, stamp: { data: 'xx' } } })).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ field: 'images.logo.data' }), expect.objectContaining({ field: 'images.stamp.data' })] }),
    );
  });

  it('stores an image under a key of its content', () => {
    const decoded = decodeImage('signature', { data: PNG.toString('base64') });
    if (!decoded.ok) throw new Error('expected a valid image');
    expect(imageKey('ten_1', decoded.image)).toBe(`tenant/ten_1/assets/signature-${decoded.image.sha256.slice(0, 8)}.png`);
    expect(templateSourceKey('ten_1', 'tpl_1', 3, 'abcdef0123')).toBe('tenant/ten_1/templates/tpl_1/3-abcdef01.hbs');
  });

  it('replaces managed fields, keeps other keys, and keeps, removes or replaces images one by one', () => {
    // Prepare
    const logo = { key: 'tenant/t/assets/logo-11111111.png', contentType: 'image/png' as const, size: 1, sha256: '11111111' };
    const stamp = { key: 'tenant/t/assets/stamp-22222222.png', contentType: 'image/png' as const, size: 1, sha256: '22222222' };
    const signature = { key: 'tenant/t/assets/signature-33333333.png', contentType: 'image/png' as const, size: 1, sha256: '33333333' };
    const stored = { locale: 'es', taxId: 'OLD', numberFormats: { quote: 'Q-{YYYY}-{000}' }, images: { logo, stamp } };
    const newSignature = { ...signature, sha256: '44444444' };

    // Act
    const next = applySettings(stored, { locale: 'ro', legalName: 'New S.L.', images: { stamp: null, signature: { data: 'x' } } }, [
      { name: 'signature', image: newSignature },
    ]);

    // Assess
    expect(next).toEqual({ locale: 'ro', legalName: 'New S.L.', numberFormats: { quote: 'Q-{YYYY}-{000}' }, images: { logo, signature: newSignature } });
    expect(documentSettingsOf(next)).toMatchObject({ locale: 'ro', legalName: 'New S.L.', images: { logo, signature: newSignature } });
    expect(documentSettingsOf({ locale: 'xx' }).locale).toBe('en');
  });
});

describe('template checks on upload', () => {
  const partials = Object.fromEntries(BUILTIN_PARTIAL_NAMES.map((name) => [name, '']));

  it('knows exactly the built-in partials of templates/partials', () => {
    const files = readdirSync(resolve(import.meta.dirname, '../../../templates/partials'))
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => f.replace(/\.hbs$/, ''));
    expect([...BUILTIN_PARTIAL_NAMES].sort()).toEqual(files.sort());
  });

  it('accepts the built-in templates, built-in partials included', async () => {
    const builtins = await loadBuiltinTemplates();
    expect(checkTemplate(builtins.templates.invoice, sampleDocumentModel(), { partials })).toEqual([]);
    expect(checkTemplate(builtins.templates.quote, sampleDocumentModel({ kind: 'quote' }), { partials })).toEqual([]);
  });

  it('locates syntax errors, unknown helpers and partials, and names the sample lacks', () => {
    const syntax = checkTemplate('<h1>\n{{#if number}}\n  {{number}}\n', sampleDocumentModel(), { partials });
    expect(syntax[0]).toMatchObject({ line: expect.any(Number) });
    expect(describeTemplateError(syntax[0]!)).toMatch(/^line \d+/);

    const helper = checkTemplate('<p>\n\n  {{shout client.name}}</p>', sampleDocumentModel(), { partials });
    expect(helper.map(describeTemplateError)).toEqual(['line 3, column 3: Unknown helper "shout"']);

    const partial = checkTemplate('{{> nope}}', sampleDocumentModel(), { partials });
    expect(partial[0]!.message).toContain('Unknown partial "nope"');

    const missing = checkTemplate('<p>\n{{client.nickname}}</p>', sampleDocumentModel(), { partials });
    expect(missing[0]).toMatchObject({ line: 2 });
    expect(missing[0]!.message).toContain('nickname');
  });
});

describe('what the documents print besides the lines', () => {
  it('prints the legal form once, whether the name carries it first, last or not at all', () => {
    expect(Printing.withLegalForm('Acme Iberia', 'S.L.')).toBe('Acme Iberia S.L.');
    expect(Printing.withLegalForm('Acme Iberia S.L.', 'S.L.')).toBe('Acme Iberia S.L.');
    expect(Printing.withLegalForm('Acme Iberia SL', 'S.L.')).toBe('Acme Iberia SL');
    expect(Printing.withLegalForm('АО «Северный ветер»', 'АО')).toBe('АО «Северный ветер»');
    expect(Printing.withLegalForm('ООО «Ромашка»', 'АО')).toBe('ООО «Ромашка» АО');
    expect(Printing.withLegalForm('Núñez', null)).toBe('Núñez');
  });

  it("speaks the client's own language when it has one, else the tenant's", () => {
    const own = invoiceDocumentModel(anInvoice({ client: { ...anInvoice().client!, locale: 'ru' } }), tenant());
    expect(own.locale).toBe('ru');
    expect(invoiceDocumentModel(anInvoice(), tenant({ locale: 'es' })).locale).toBe('es');
  });

  it('writes a Russian total in words, and nothing in words for other languages', () => {
    const ru = invoiceDocumentModel(anInvoice({ client: { ...anInvoice().client!, locale: 'ru' }, currency: 'RUB' }), tenant());
    expect(ru.amountInWords).toMatch(/^[А-Я][а-я ]+ рубл(ь|я|ей) \d\d копе(йка|йки|ек)$/);
    expect(invoiceDocumentModel(anInvoice(), tenant()).amountInWords).toBeNull();
  });

  it('names the invoices a credit note corrects, when it says which', () => {
    const creditNote = { ...anInvoice({ type: 'credit_note' }), corrects: [{ invoiceId: 'inv_1', number: 'F-2026-7', issueDate: '2026-03-01' }] };
    const model = invoiceDocumentModel(creditNote, tenant());
    expect(model.corrects).toEqual([{ number: 'F-2026-7', issueDate: '2026-03-01' }]);
    expect(invoiceDocumentModel(anInvoice({ type: 'credit_note' }), tenant()).corrects).toBeNull();
  });
});
