import { describe, expect, it } from 'vitest';
import { EInvoice, type EInvoiceInput, type EInvoiceSyntax } from '../../../functions/domain/einvoicing';
import { Conflict, computeInvoice, type LineInput, RuleViolation } from '../../../functions/domain/kernel';
import { brokenRules, problemsOf, readBack } from '../../fixtures/einvoice-checks';
import { anIssuedInvoice, EINVOICE_SAMPLES, sellerSettings, spanishBuyer, spanishSeller } from '../../fixtures/einvoices';

const SYNTAXES: EInvoiceSyntax[] = ['ubl', 'cii'];

const minimal = (overrides: Partial<EInvoiceInput> = {}): EInvoiceInput => ({
  kind: 'invoice',
  number: 'T-1',
  issueDate: '2026-03-02',
  currency: 'EUR',
  seller: spanishSeller,
  buyer: spanishBuyer,
  lines: [{ name: 'Item', quantity: '1', unitPrice: '10', vat: { category: 'S', rate: '21' } }],
  ...overrides,
});

describe('e-invoice XML (UBL 2.1 and CII D16B)', () => {
  for (const [name, input] of Object.entries(EINVOICE_SAMPLES)) {
    for (const syntax of SYNTAXES) {
      it(`${name} (${syntax}): well-formed, and the sums and category rules hold when read back from the XML`, () => {
        const xml = EInvoice.build(input, syntax);

        const doc = readBack(xml);

        expect(brokenRules(doc, input.currency === 'JPY' ? 0 : 2)).toEqual([]);
        expect(doc.currency).toBe(input.currency);
        expect(doc.lines).toHaveLength(input.lines.length);
        expect(doc.typeCode).toBe(input.kind === 'invoice' ? '380' : '381');
        if (syntax === 'ubl') expect(doc.root).toBe(input.kind === 'invoice' ? 'Invoice' : 'CreditNote');
      });
    }
  }

  it('computes one rate: line nets rounded once, VAT on the sum', () => {
    const doc = readBack(EInvoice.build(EINVOICE_SAMPLES['one-rate'], 'ubl'));

    expect(doc.lines.map((l) => l.net)).toEqual(['1000.00', '199.99']);
    expect(doc.breakdown).toEqual([{ category: 'S', rate: '21', taxable: '1199.99', tax: '252.00', reason: undefined, reasonCode: undefined }]);
    expect(doc.totals).toMatchObject({ lineNet: '1199.99', taxExclusive: '1199.99', tax: '252.00', taxInclusive: '1451.99', payable: '1451.99' });
  });

  it('computes JPY without decimals, a line discount and a document allowance in its VAT group', () => {
    const doc = readBack(EInvoice.build(EINVOICE_SAMPLES.jpy, 'cii'));

    // 3 x 1234.5 = 3703.5 -> 3704; 2 x 5499 x 0.9 = 9898.2 -> 9898
    expect(doc.lines.map((l) => l.net)).toEqual(['3704', '9898']);
    // 10 %: (9898 - 500) x 0.10 = 939.8 -> 940; 8 %: 3704 x 0.08 = 296.32 -> 296
    expect(doc.breakdown.map((b) => [b.rate, b.taxable, b.tax])).toEqual([
      ['10', '9398', '940'],
      ['8', '3704', '296'],
    ]);
    expect(doc.totals).toMatchObject({ lineNet: '13602', allowances: '500', taxExclusive: '13102', tax: '1236', taxInclusive: '14338', payable: '14338' });
  });

  it('carries several rates with line discounts, a percentage allowance of its group, a fixed allowance and a charge', () => {
    const computed = EInvoice.compute(EINVOICE_SAMPLES['several-rates-discounts']);

    // 3 x 33.333333 x 0.925 = 92.4999990... -> 92.50; gross 100.00 -> discount 7.50
    expect(computed.lines[0]).toMatchObject({ netAmount: '92.50', grossAmount: '100.00', discount: { amount: '7.50', percent: '7.5', reason: 'Loyalty' } });
    // 3 % of the 21 % lines (1837.41 - 19.90 = 1817.51... see below): the base is the group's line net
    const hardware = computed.lines[2];
    expect(hardware.netAmount).toBe('1837.41'); // 2 x 1049.95 x 0.875 = 1837.4125
    const volume = computed.allowancesCharges[0];
    expect(volume).toMatchObject({ baseAmount: '1817.51', percent: '3', amount: '54.53' }); // 1817.51 x 3 % = 54.5253
    const rows = Object.fromEntries(computed.vatBreakdown.map((r) => [r.rate, [r.taxableAmount, r.taxAmount]]));
    expect(rows).toEqual({ '21': ['1777.98', '373.38'], '10': ['87.50', '8.75'], '4': ['86.38', '3.46'] });
    expect(computed.totals).toMatchObject({ allowances: '59.53', charges: '15.00', taxExclusive: '1951.86', tax: '385.59', taxInclusive: '2337.45' });
  });

  it('carries IRPF as the paid amount and a note: total with VAT 121.00, amount due 106.00, like the invoice', () => {
    const lines: LineInput[] = [{ description: 'Professional services', quantity: '1', unitPrice: '100', taxRate: '21', withholdingRate: '15' }];
    const invoiceTotals = computeInvoice(lines, 'EUR').totals;

    for (const syntax of SYNTAXES) {
      const doc = readBack(EInvoice.build(EINVOICE_SAMPLES['irpf-withholding'], syntax));

      expect(doc.totals).toMatchObject({ taxExclusive: '100.00', tax: '21.00', taxInclusive: '121.00', prepaid: '15.00', payable: '106.00' });
      expect(doc.totals.payable).toBe(invoiceTotals.total);
      expect(doc.breakdown).toHaveLength(1); // IRPF is not a VAT category
      expect(doc.notes.join(' ')).toContain('IRPF withholding of 15% on 100.00 EUR: 15.00 EUR');
    }
  });

  it('writes a credit note citing the invoice it corrects (BT-25), with positive amounts', () => {
    for (const syntax of SYNTAXES) {
      const doc = readBack(EInvoice.build(EINVOICE_SAMPLES['credit-note'], syntax));

      expect(doc.precedingInvoices).toEqual(['INV-2026-000001']);
      expect(doc.totals.payable).toBe('241.99');
    }
  });

  it('gives zero-VAT categories their exemption reason: the given one for E, the standard one for AE, K and G', () => {
    const reasons = (name: string) =>
      EInvoice.compute(EINVOICE_SAMPLES[name])
        .vatBreakdown.filter((r) => r.category !== 'S')
        .map((r) => [r.category, r.exemptionReasonCode]);

    expect(reasons('exempt-line')).toEqual([['E', 'VATEX-EU-132-1I']]);
    expect(reasons('reverse-charge')).toEqual([['AE', 'VATEX-EU-AE']]);
    expect(reasons('intra-eu-supply')).toEqual([['K', 'VATEX-EU-IC']]);
    expect(reasons('export-non-eu')).toEqual([['G', 'VATEX-EU-G']]);
    const k = readBack(EInvoice.build(EINVOICE_SAMPLES['intra-eu-supply'], 'ubl'));
    expect([k.deliveryDate, k.deliveryCountry]).toEqual(['2026-02-27', 'FR']);
  });

  it('escapes text and drops characters XML 1.0 cannot carry', () => {
    const input = minimal({ buyer: { ...spanishBuyer, name: 'Smith & <Sons> "Ltd"\u0001' } });

    for (const syntax of SYNTAXES) {
      const xml = EInvoice.build(input, syntax);
      expect(() => readBack(xml)).not.toThrow();
      expect(xml).toContain('Smith &amp; &lt;Sons&gt; &quot;Ltd&quot;<');
    }
  });

  it('agrees with the invoice totals rule on many generated invoices (net, VAT per rate, total)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    for (let n = 0; n < 200; n++) {
      const currency = pick(['EUR', 'EUR', 'USD', 'JPY']);
      const lines: LineInput[] = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => ({
        description: `Item ${i}`,
        quantity: (random() * 40).toFixed(pick([0, 2, 3])),
        unitPrice: (random() * 900).toFixed(pick([2, 4, 6])),
        taxRate: pick(['21', '10', '4', '5.5', '0']),
        discountPercent: pick([undefined, '5', '12.5', '33.3333']),
      }));
      const expected = computeInvoice(lines, currency).totals;
      const input = minimal({
        currency,
        lines: lines.map((l) => ({
          name: l.description,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discountPercent: l.discountPercent,
          vat: l.taxRate === '0' ? { category: 'Z' as const } : { category: 'S' as const, rate: l.taxRate },
        })),
      });

      const computed = EInvoice.compute(input);

      expect([computed.totals.taxExclusive, computed.totals.tax, computed.totals.taxInclusive]).toEqual([expected.net, expected.tax, expected.total]);
      expect(brokenRules(readBack(EInvoice.toCii(computed)), currency === 'JPY' ? 0 : 2)).toEqual([]);
    }
  });
});

describe('e-invoice input checks', () => {
  it('names every missing or malformed field at once', () => {
    const problems = problemsOf(
      minimal({
        number: '',
        issueDate: '2026-02-30',
        currency: 'KWD',
        seller: { ...spanishSeller, vatId: 'B12345674' },
        buyer: { name: '', address: { country: 'Spain' } },
        lines: [{ name: 'x', quantity: '1.1234567', unitPrice: '-1', vat: { category: 'S' } }],
      }),
    );

    expect(problems.map((p) => p.field)).toEqual([
      'number',
      'issueDate',
      'currency',
      'seller.vatId',
      'buyer.name',
      'buyer.address.country',
      'lines[0].quantity',
      'lines[0].unitPrice',
      'lines[0].vat.rate',
    ]);
  });

  it('applies the VAT-category rules to the parties', () => {
    const noSellerVat = { ...spanishSeller, vatId: undefined };
    expect(problemsOf(minimal({ seller: noSellerVat })).map((p) => p.field)).toEqual(['seller.vatId']);
    const foreignNoVat = { ...spanishBuyer, vatId: undefined, address: { country: 'DE' } };
    expect(problemsOf(minimal({ buyer: foreignNoVat, lines: [{ name: 'x', quantity: '1', unitPrice: '1', vat: { category: 'AE' } }] }))).toEqual([
      expect.objectContaining({ field: 'buyer.vatId', message: expect.stringContaining('BR-AE-02') }),
    ]);
    expect(problemsOf(minimal({ lines: [{ name: 'x', quantity: '1', unitPrice: '1', vat: { category: 'K' } }] })).map((p) => p.field)).toEqual([
      'operationDate',
    ]);
    expect(problemsOf(minimal({ lines: [{ name: 'x', quantity: '1', unitPrice: '1', vat: { category: 'E' } }] }))).toEqual([
      expect.objectContaining({ field: 'lines[0].vat.exemptionReason', message: expect.stringContaining('BR-E-10') }),
    ]);
    expect(problemsOf(minimal({ lines: [{ name: 'x', quantity: '1', unitPrice: '1', vat: { category: 'Z', rate: '21' } }] })).map((p) => p.field)).toEqual([
      'lines[0].vat.rate',
    ]);
    expect(problemsOf(minimal({ lines: [{ name: 'x', quantity: '1', unitPrice: '1', vat: { category: 'Z', exemptionReason: 'Zero' } }] }))).toEqual([
      expect.objectContaining({ field: 'lines[0].vat.exemptionReason', message: expect.stringContaining('BR-Z-10') }),
    ]);
    const outOfScope = minimal({
      lines: [
        { name: 'x', quantity: '1', unitPrice: '1', vat: { category: 'O' } },
        { name: 'y', quantity: '1', unitPrice: '1', vat: { category: 'S', rate: '21' } },
      ],
    });
    expect(problemsOf(outOfScope).map((p) => p.field)).toEqual(['lines', 'seller.vatId', 'buyer.vatId']);
  });

  it('refuses two exemption reasons in one VAT group and a credit transfer without an account', () => {
    const twoReasons = minimal({
      lines: [
        { name: 'a', quantity: '1', unitPrice: '1', vat: { category: 'E', exemptionReason: 'Education' } },
        { name: 'b', quantity: '1', unitPrice: '1', vat: { category: 'E', exemptionReason: 'Health care' } },
      ],
    });
    expect(problemsOf(twoReasons).map((p) => p.field)).toEqual(['lines[1].vat.exemptionReason']);
    expect(problemsOf(minimal({ paymentMeans: { code: '58' } })).map((p) => p.field)).toEqual(['paymentMeans.iban']);
  });

  it('writes an O (not subject to VAT) invoice with no rate and no VAT ids', () => {
    const input = minimal({
      seller: { ...spanishSeller, vatId: undefined, legalId: 'B12345674' },
      buyer: { ...spanishBuyer, vatId: undefined },
      lines: [{ name: 'Membership fee', quantity: '1', unitPrice: '50', vat: { category: 'O' } }],
    });

    const doc = readBack(EInvoice.build(input, 'ubl'));

    expect(brokenRules(doc)).toEqual([]);
    expect(doc.breakdown).toEqual([{ category: 'O', rate: undefined, taxable: '50.00', tax: '0.00', reason: 'Not subject to VAT', reasonCode: 'VATEX-EU-O' }]);
  });
});

describe('e-invoice from a stored invoice', () => {
  it('maps an issued invoice and the tenant settings: VAT ids with prefixes, units, SEPA transfer, same totals', () => {
    const invoice = anIssuedInvoice();

    const input = EInvoice.fromInvoice(invoice, sellerSettings);

    expect(input).toMatchObject({
      kind: 'invoice',
      number: 'INV-2026-000001',
      seller: { name: 'Ejemplo Servicios SL', tradingName: 'Ejemplo', vatId: 'ESB12345674', address: { country: 'ES' } },
      buyer: { name: 'Cliente Industrial SA', vatId: 'ESA87654323' },
      paymentMeans: { code: '58', iban: 'ES91 2100 0418 4502 0005 1332' },
      lines: [{ quantity: '10', unitCode: 'hours', netAmount: '1000.00', vat: { category: 'S', rate: '21' } }],
    });
    const doc = readBack(EInvoice.build(input, 'ubl'));
    expect(doc.totals.taxInclusive).toBe(invoice.totals.total);
    expect(EInvoice.build(input, 'ubl')).toContain('unitCode="HUR"');
  });

  it('flips a credit note to positive figures and cites the corrected invoice; IRPF follows', () => {
    const creditNote = anIssuedInvoice({
      type: 'credit_note',
      number: 'CN-2026-000001',
      lineInputs: [{ description: 'Consulting', quantity: '-2', unitPrice: '100', taxRate: '21', withholdingRate: '15' }],
    });

    const input = EInvoice.fromInvoice(creditNote, sellerSettings, { precedingInvoices: [{ number: 'INV-2026-000001', issueDate: '2026-03-02' }] });
    const doc = readBack(EInvoice.build(input, 'cii'));

    expect(doc.typeCode).toBe('381');
    expect(doc.totals).toMatchObject({ taxExclusive: '200.00', tax: '42.00', taxInclusive: '242.00', prepaid: '30.00', payable: '212.00' });
    expect(doc.precedingInvoices).toEqual(['INV-2026-000001']);
    expect(input.withholdings).toEqual([{ label: 'IRPF', rate: '15', base: '200.00', amount: '30.00' }]);
  });

  it('derives zero-rate categories from the parties: export G, EU reverse charge AE, domestic Z', () => {
    const zero: LineInput[] = [{ description: 'Service', quantity: '1', unitPrice: '100', taxRate: '0' }];
    const category = (client: Parameters<typeof anIssuedInvoice>[0]) =>
      EInvoice.fromInvoice(anIssuedInvoice({ lineInputs: zero, ...client }), sellerSettings).lines[0].vat.category;

    expect(category({ client: { kind: 'company', id: 'c', name: 'US Inc', taxId: '12-3456789', address: { country: 'US' } } })).toBe('G');
    expect(category({ client: { kind: 'company', id: 'c', name: 'DE GmbH', taxId: 'DE123456789', address: { country: 'de' } } })).toBe('AE');
    expect(category({})).toBe('Z');
    const exempt = EInvoice.fromInvoice(anIssuedInvoice({ lineInputs: zero }), sellerSettings, {
      vat: [{ category: 'E', exemptionReason: 'Art. 20.1.9 LIVA' }],
    });
    expect(EInvoice.compute(exempt).vatBreakdown[0]).toMatchObject({ category: 'E', exemptionReason: 'Art. 20.1.9 LIVA' });
  });

  it('refuses drafts and proformas (Conflict) and names what is missing (RuleViolation)', () => {
    expect(() => EInvoice.fromInvoice(anIssuedInvoice({ status: 'draft', number: null, issueDate: null }), sellerSettings)).toThrow(Conflict);
    expect(() => EInvoice.fromInvoice(anIssuedInvoice({ type: 'proforma', number: 'PRO-2026-000001' }), sellerSettings)).toThrow(Conflict);
    let caught: unknown;
    try {
      EInvoice.fromInvoice(anIssuedInvoice({ client: { kind: 'contact', id: 'ct', name: 'Lucía' } }), { locale: 'es', legalName: 'X SL' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuleViolation);
    expect((caught as RuleViolation).errors.map((e) => e.field)).toEqual(['settings.address.country', 'client.address.country']);
  });
});
