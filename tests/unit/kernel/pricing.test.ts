import { describe, expect, it } from 'vitest';
import { computeInvoice, computeLine, InvoiceTotalsError, type LineInput } from '../../../functions/domain/kernel/pricing';
import { roundMoney, sum } from '../../../functions/domain/kernel/money';

/** Test data builder: a line with sensible defaults. */
function line(overrides: Partial<LineInput> = {}): LineInput {
  return { description: 'Consulting', quantity: '1', unitPrice: '100.00', taxRate: '21', ...overrides };
}

function caught(fn: () => unknown): InvoiceTotalsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvoiceTotalsError) return error;
    throw error;
  }
  throw new Error('expected an InvoiceTotalsError');
}

describe('computeLine', () => {
  it('multiplies quantity by unit price, applies the discount and rounds once', () => {
    // Prepare: 3 x 19.99 = 59.97; minus 10 % = 53.973
    const input = line({ quantity: '3', unitPrice: '19.99', discountPercent: '10', unit: 'h', productId: 'prd_1' });

    // Act
    const computed = computeLine(input, 'EUR');

    // Assess
    expect(computed).toEqual({ ...input, netAmount: '53.97' });
  });

  it('rounds to the currency minor unit', () => {
    // Act / Assess: 3 x 333.5 = 1000.5 yen -> 1001; 2 x 1.2345 dinar = 2.469
    expect(computeLine(line({ quantity: '3', unitPrice: '333.5' }), 'JPY').netAmount).toBe('1001');
    expect(computeLine(line({ quantity: '2', unitPrice: '1.2345' }), 'KWD').netAmount).toBe('2.469');
  });

  it('refuses an invalid line with the field at fault', () => {
    // Act
    const error = caught(() => computeLine(line({ quantity: 'two' }), 'EUR'));

    // Assess
    expect(error.errors).toEqual([{ field: 'quantity', message: 'quantity must be a decimal string with at most 6 decimals' }]);
  });

  it('does not change its input', () => {
    // Prepare
    const input = line();
    const copy = structuredClone(input);

    // Act
    computeLine(input, 'EUR');

    // Assess
    expect(input).toEqual(copy);
  });
});

describe('computeInvoice', () => {
  it('computes a breakdown per VAT rate, highest rate first', () => {
    // Prepare: Spanish rates 21 %, 10 %, 4 %
    const lines = [
      line({ description: 'Laptop stand', quantity: '2', unitPrice: '100.00', taxRate: '21' }),
      line({ description: 'Catering', quantity: '3', unitPrice: '15.50', taxRate: '10' }),
      line({ description: 'Book', quantity: '1', unitPrice: '9.99', taxRate: '4' }),
      line({ description: 'Cable', quantity: '1', unitPrice: '50', taxRate: '21' }),
    ];

    // Act
    const invoice = computeInvoice(lines, 'EUR');

    // Assess: 21 %: 250.00 -> 52.50; 10 %: 46.50 -> 4.65; 4 %: 9.99 -> 0.3996 -> 0.40
    expect(invoice.lines.map((l) => l.netAmount)).toEqual(['200.00', '46.50', '9.99', '50.00']);
    expect(invoice.totals).toEqual({
      net: '306.49',
      tax: '57.55',
      withholding: '0.00',
      total: '364.04',
      taxBreakdown: [
        { rate: '21', base: '250.00', amount: '52.50' },
        { rate: '10', base: '46.50', amount: '4.65' },
        { rate: '4', base: '9.99', amount: '0.40' },
      ],
      withholdingBreakdown: [],
    });
  });

  it('sorts rates numerically, groups equal rates written differently and keeps 0 % in the breakdown', () => {
    // Prepare
    const lines = [
      line({ unitPrice: '10', taxRate: '4' }),
      line({ unitPrice: '20', taxRate: '21.00' }),
      line({ unitPrice: '30', taxRate: '10.50' }),
      line({ unitPrice: '40', taxRate: '0' }),
      line({ unitPrice: '5', taxRate: '21' }),
    ];

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess: 21 %: 25 -> 5.25; 10.5 %: 30 -> 3.15; 4 %: 10 -> 0.40; 0 %: 40 -> 0
    expect(totals.taxBreakdown).toEqual([
      { rate: '21', base: '25.00', amount: '5.25' },
      { rate: '10.5', base: '30.00', amount: '3.15' },
      { rate: '4', base: '10.00', amount: '0.40' },
      { rate: '0', base: '40.00', amount: '0.00' },
    ]);
    expect(totals).toMatchObject({ net: '105.00', tax: '8.80', total: '113.80' });
  });

  it('applies line discounts before tax', () => {
    // Prepare
    const lines = [
      line({ quantity: '10', unitPrice: '12.50', discountPercent: '15' }), // 125 x 0.85 = 106.25
      line({ quantity: '3', unitPrice: '10', discountPercent: '33.3333' }), // 30 x 0.666667 = 20.00001
      line({ quantity: '1', unitPrice: '99', discountPercent: '100' }), // free
      line({ quantity: '1', unitPrice: '10', discountPercent: '0' }),
    ];

    // Act
    const invoice = computeInvoice(lines, 'EUR');

    // Assess: 21 % of 136.25 = 28.6125 -> 28.61
    expect(invoice.lines.map((l) => l.netAmount)).toEqual(['106.25', '20.00', '0.00', '10.00']);
    expect(invoice.totals).toMatchObject({ net: '136.25', tax: '28.61', total: '164.86' });
  });

  it('subtracts withholding grouped per withholding rate (Spanish IRPF)', () => {
    // Prepare: a freelancer's invoice; IRPF 15 % on services, 7 % (new professional) on another, none on goods
    const lines = [
      line({ description: 'Design services', quantity: '1', unitPrice: '1000', withholdingRate: '15' }),
      line({ description: 'Workshop', quantity: '1', unitPrice: '200', withholdingRate: '7' }),
      line({ description: 'Printed material', quantity: '1', unitPrice: '50' }),
      line({ description: 'Travel', quantity: '1', unitPrice: '20', taxRate: '0', withholdingRate: '0' }),
    ];

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess: VAT 21 % of 1250 = 262.50; IRPF 150 + 14 = 164; total 1270 + 262.50 - 164
    expect(totals).toEqual({
      net: '1270.00',
      tax: '262.50',
      withholding: '164.00',
      total: '1368.50',
      taxBreakdown: [
        { rate: '21', base: '1250.00', amount: '262.50' },
        { rate: '0', base: '20.00', amount: '0.00' },
      ],
      withholdingBreakdown: [
        { rate: '15', base: '1000.00', amount: '150.00' },
        { rate: '7', base: '200.00', amount: '14.00' },
      ],
    });
  });

  it('rounds withholding once per rate on the sum of the line nets', () => {
    // Prepare: per line 0.35 x 15 % = 0.0525 -> 0.05, three times 0.15; per rate 1.05 x 15 % = 0.1575 -> 0.16
    const lines = Array.from({ length: 3 }, () => line({ unitPrice: '0.35', withholdingRate: '15' }));

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess
    expect(totals.withholdingBreakdown).toEqual([{ rate: '15', base: '1.05', amount: '0.16' }]);
    expect(totals).toMatchObject({ net: '1.05', tax: '0.22', withholding: '0.16', total: '1.11' });
  });

  it('handles decimal quantities up to 6 decimals', () => {
    // Prepare
    const lines = [
      line({ quantity: '1.5', unitPrice: '45.00', unit: 'h' }), // 67.50
      line({ quantity: '0.333333', unitPrice: '30' }), // 9.99999 -> 10.00
      line({ quantity: '2.125', unitPrice: '3.99', unit: 'kg' }), // 8.47875 -> 8.48
      line({ quantity: '0.000001', unitPrice: '1000000' }), // 1.00
    ];

    // Act
    const invoice = computeInvoice(lines, 'EUR');

    // Assess: 21 % of 86.98 = 18.2658 -> 18.27
    expect(invoice.lines.map((l) => l.netAmount)).toEqual(['67.50', '10.00', '8.48', '1.00']);
    expect(invoice.totals).toMatchObject({ net: '86.98', tax: '18.27', total: '105.25' });
  });

  it('handles unit prices with 4 and 6 decimals', () => {
    // Prepare
    const lines = [
      line({ description: 'SMS', quantity: '1000', unitPrice: '0.0125' }), // 12.50
      line({ description: 'API calls', quantity: '3', unitPrice: '0.3333' }), // 0.9999 -> 1.00
      line({ description: 'kWh', quantity: '7', unitPrice: '1.2345' }), // 8.6415 -> 8.64
      line({ description: 'Tokens', quantity: '1', unitPrice: '0.123456' }), // 0.12
    ];

    // Act
    const invoice = computeInvoice(lines, 'EUR');

    // Assess: 21 % of 22.26 = 4.6746 -> 4.67
    expect(invoice.lines.map((l) => l.netAmount)).toEqual(['12.50', '1.00', '8.64', '0.12']);
    expect(invoice.totals).toMatchObject({ net: '22.26', tax: '4.67', total: '26.93' });
  });

  it('rounds half-cent boundaries half away from zero, exactly', () => {
    // Prepare
    const lines = [
      line({ unitPrice: '0.005', taxRate: '0' }), // 0.01
      line({ unitPrice: '0.0049', taxRate: '0' }), // 0.00
      line({ unitPrice: '2.675', taxRate: '0' }), // 2.68 (a double holds 2.67499999...)
      line({ quantity: '3', unitPrice: '0.335', taxRate: '0' }), // 1.005 -> 1.01
      line({ quantity: '-1', unitPrice: '0.005', taxRate: '0' }), // -0.01
    ];

    // Act
    const invoice = computeInvoice(lines, 'EUR');

    // Assess
    expect(invoice.lines.map((l) => l.netAmount)).toEqual(['0.01', '0.00', '2.68', '1.01', '-0.01']);
    expect(invoice.totals.net).toBe('3.69');
    expect([(2.675).toFixed(2), (1.005).toFixed(2)]).toEqual(['2.67', '1.00']); // what floats would have given
  });

  it('rounds a VAT amount of exactly half a cent up', () => {
    // Prepare: 0.50 at 1 % = 0.005
    const lines = [line({ unitPrice: '0.50', taxRate: '1' })];

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess
    expect(totals.taxBreakdown).toEqual([{ rate: '1', base: '0.50', amount: '0.01' }]);
    expect(totals.total).toBe('0.51');
  });

  it('computes VAT on the sum per rate (EN 16931), not per line', () => {
    // Prepare: three lines of 0.35 at 21 %
    const lines = Array.from({ length: 3 }, () => line({ unitPrice: '0.35' }));
    const perLineRounding = sum(lines.map(() => roundMoney('0.35', 'EUR').times('0.21').toDecimalPlaces(2))).toFixed(2);

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess: per line 0.0735 -> 0.07, summed 0.21; per rate 1.05 x 21 % = 0.2205 -> 0.22
    expect(perLineRounding).toBe('0.21');
    expect(totals.tax).toBe('0.22');
    expect(totals.taxBreakdown).toEqual([{ rate: '21', base: '1.05', amount: '0.22' }]);
    expect(totals.total).toBe('1.27');
  });

  it('computes VAT per rate on ten 0.10 lines: 0.21, where per-line rounding gives 0.20', () => {
    // Prepare: per line 0.021 -> 0.02, ten lines 0.20
    const lines = Array.from({ length: 10 }, () => line({ unitPrice: '0.10' }));

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess
    expect(totals).toMatchObject({ net: '1.00', tax: '0.21', total: '1.21' });
  });

  it('computes yen invoices without decimals', () => {
    // Prepare: Japan 10 % standard, 8 % reduced
    const lines = [
      line({ quantity: '3', unitPrice: '333.5', taxRate: '10' }), // 1000.5 -> 1001
      line({ quantity: '1', unitPrice: '1500', taxRate: '8' }),
    ];

    // Act
    const { totals } = computeInvoice(lines, 'JPY');

    // Assess: 10 % of 1001 = 100.1 -> 100; 8 % of 1500 = 120
    expect(totals).toEqual({
      net: '2501',
      tax: '220',
      withholding: '0',
      total: '2721',
      taxBreakdown: [
        { rate: '10', base: '1001', amount: '100' },
        { rate: '8', base: '1500', amount: '120' },
      ],
      withholdingBreakdown: [],
    });
  });

  it('computes Kuwaiti dinar invoices with 3 decimals', () => {
    // Prepare
    const lines = [
      line({ quantity: '2', unitPrice: '1.2345', taxRate: '5' }), // 2.469
      line({ quantity: '1', unitPrice: '10.0005', taxRate: '5' }), // 10.0005 -> 10.001
    ];

    // Act
    const invoice = computeInvoice(lines, 'KWD');

    // Assess: 5 % of 12.470 = 0.6235 -> 0.624
    expect(invoice.lines.map((l) => l.netAmount)).toEqual(['2.469', '10.001']);
    expect(invoice.totals).toMatchObject({
      net: '12.470',
      tax: '0.624',
      total: '13.094',
      taxBreakdown: [{ rate: '5', base: '12.470', amount: '0.624' }],
    });
  });

  it('keeps 1e12 amounts exact to the cent', () => {
    // Prepare
    const lines = [
      line({ quantity: '1000000', unitPrice: '1000000.0001' }), // 1 000 000 000 100.00
      line({ quantity: '1', unitPrice: '0.01' }),
    ];

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess: 21 % of 1000000000100.01 = 210000000021.0021 -> 210000000021.00
    expect(totals).toMatchObject({
      net: '1000000000100.01',
      tax: '210000000021.00',
      total: '1210000000121.01',
    });
  });

  it('keeps amounts near 1e15 exact where a double cannot hold the cents', () => {
    // Prepare
    const lines = [line({ quantity: '1', unitPrice: '999999999999999.99' })];

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess: 21 % = 209999999999999.9979 -> 210000000000000.00
    expect(totals).toMatchObject({
      net: '999999999999999.99',
      tax: '210000000000000.00',
      total: '1209999999999999.99',
    });
    expect(String(999999999999999.99 * 1.21)).not.toBe('1209999999999999.99');
  });

  it('computes credit notes with negative quantities', () => {
    // Prepare
    const lines = [line({ quantity: '-2', unitPrice: '100', withholdingRate: '15' })];

    // Act
    const invoice = computeInvoice(lines, 'EUR');

    // Assess
    expect(invoice.lines[0].netAmount).toBe('-200.00');
    expect(invoice.totals).toEqual({
      net: '-200.00',
      tax: '-42.00',
      withholding: '-30.00',
      total: '-212.00',
      taxBreakdown: [{ rate: '21', base: '-200.00', amount: '-42.00' }],
      withholdingBreakdown: [{ rate: '15', base: '-200.00', amount: '-30.00' }],
    });
  });

  it('nets a returned item against sold ones of the same rate', () => {
    // Prepare
    const lines = [line({ quantity: '5', unitPrice: '10' }), line({ quantity: '-1', unitPrice: '10', description: 'Return' })];

    // Act
    const { totals } = computeInvoice(lines, 'EUR');

    // Assess
    expect(totals.taxBreakdown).toEqual([{ rate: '21', base: '40.00', amount: '8.40' }]);
    expect(totals.total).toBe('48.40');
  });

  it('gives zero totals for no lines', () => {
    // Act
    const eur = computeInvoice([], 'EUR');
    const jpy = computeInvoice([], 'JPY');

    // Assess
    expect(eur).toEqual({
      lines: [],
      totals: { net: '0.00', tax: '0.00', withholding: '0.00', total: '0.00', taxBreakdown: [], withholdingBreakdown: [] },
    });
    expect(jpy.totals).toMatchObject({ net: '0', tax: '0', withholding: '0', total: '0' });
  });

  it('copies every line field and adds the net amount', () => {
    // Prepare
    const input = line({ productId: 'prd_01J', unit: 'pcs', discountPercent: '5', withholdingRate: '15' });

    // Act
    const invoice = computeInvoice([input], 'EUR');

    // Assess
    expect(invoice.lines).toEqual([{ ...input, netAmount: '95.00' }]);
  });

  it('lists every invalid field at once, with its JSON path', () => {
    // Prepare
    const lines = [
      line({ quantity: '1.1234567' }),
      line({ unitPrice: '-5', taxRate: '101' }),
      line({ discountPercent: 'abc', withholdingRate: '15.12345' }),
      line({ quantity: '1e3' }),
    ];

    // Act
    const error = caught(() => computeInvoice(lines, 'EURO'));

    // Assess
    expect(error.errors).toEqual([
      { field: 'currency', message: 'currency must be an ISO 4217 code, e.g. "EUR"' },
      { field: 'lines[0].quantity', message: 'quantity must be a decimal string with at most 6 decimals' },
      { field: 'lines[1].unitPrice', message: 'unitPrice must be a non-negative decimal string with at most 6 decimals' },
      { field: 'lines[1].taxRate', message: 'taxRate must be between 0 and 100' },
      { field: 'lines[2].discountPercent', message: 'discountPercent must be a decimal string with at most 4 decimals' },
      { field: 'lines[2].withholdingRate', message: 'withholdingRate must be a decimal string with at most 4 decimals' },
      { field: 'lines[3].quantity', message: 'quantity must be a decimal string with at most 6 decimals' },
    ]);
  });

  it('refuses amounts of 1e15 and more', () => {
    // Act
    const error = caught(() => computeInvoice([line({ unitPrice: '1000000000000000' })], 'EUR'));

    // Assess
    expect(error.errors.map((e) => e.field)).toEqual(['lines[0].unitPrice']);
  });
});
