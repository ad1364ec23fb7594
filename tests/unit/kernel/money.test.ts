import DecimalJs from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { Decimal, dec, formatAmount, isCurrency, isDecimalString, minorUnits, roundMoney, sum } from '../../../functions/domain/kernel/money';

describe('minorUnits', () => {
  it.each([
    ['EUR', 2],
    ['USD', 2],
    ['GBP', 2],
    ['CHF', 2],
    ['MXN', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['CLP', 0],
    ['VND', 0],
    ['ISK', 0],
    ['UGX', 0],
    ['XAF', 0],
    ['XOF', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['LYD', 3],
    ['IQD', 3],
    ['CLF', 4],
  ])('%s has %i minor digits', (currency, expected) => {
    // Act
    const digits = minorUnits(currency);

    // Assess
    expect(digits).toBe(expected);
  });

  it('reads lower-case codes like their upper-case form and gives 2 for codes it does not know', () => {
    // Act / Assess
    expect(minorUnits('jpy')).toBe(0);
    expect(minorUnits('kwd')).toBe(3);
    expect(minorUnits('ZZZ')).toBe(2);
  });
});

describe('isCurrency', () => {
  it('knows the common ISO 4217 codes', () => {
    // Prepare
    const common = [
      'EUR',
      'USD',
      'GBP',
      'JPY',
      'CHF',
      'CAD',
      'AUD',
      'NZD',
      'CNY',
      'HKD',
      'SGD',
      'SEK',
      'NOK',
      'DKK',
      'PLN',
      'CZK',
      'HUF',
      'RON',
      'BGN',
      'TRY',
      'RUB',
      'UAH',
      'INR',
      'IDR',
      'KRW',
      'THB',
      'MYR',
      'PHP',
      'VND',
      'BRL',
      'MXN',
      'ARS',
      'CLP',
      'COP',
      'PEN',
      'ZAR',
      'EGP',
      'NGN',
      'KES',
      'MAD',
      'AED',
      'SAR',
      'ILS',
      'KWD',
      'BHD',
      'ISK',
      'XAF',
      'XOF',
    ];

    // Act
    const unknown = common.filter((code) => !isCurrency(code));

    // Assess
    expect(unknown).toEqual([]);
  });

  it.each(['eur', 'EURO', 'EU', '', 'XXX1', 'ZZZ', ' EUR'])('refuses %j', (code) => {
    expect(isCurrency(code)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isCurrency(978)).toBe(false);
    expect(isCurrency(undefined)).toBe(false);
  });
});

describe('dec', () => {
  it('reads decimal strings and numbers exactly', () => {
    // Act
    const fromString = dec('0.1').plus(dec('0.2'));
    const fromNumber = dec(0.1).plus(dec(0.2));

    // Assess: binary floats would give 0.30000000000000004
    expect(fromString.toString()).toBe('0.3');
    expect(fromNumber.toString()).toBe('0.3');
  });

  it('converts a global decimal.js Decimal into the project constructor and its 40-digit precision', () => {
    // Prepare
    const foreign = new DecimalJs('1');

    // Act
    const converted = dec(foreign);

    // Assess: the global constructor divides to 20 significant digits, the local clone to 40
    expect(converted).toBeInstanceOf(Decimal);
    expect(foreign.dividedBy(3).toString()).toBe('0.33333333333333333333');
    expect(converted.dividedBy(3).toString()).toBe('0.' + '3'.repeat(40));
  });

  it('never writes exponential notation', () => {
    // Act / Assess
    expect(dec('1e15').toString()).toBe('1000000000000000');
    expect(dec('0.00000001').toString()).toBe('0.00000001');
  });

  it.each(['abc', '', ' ', '0x10', '0b11', 'NaN', 'Infinity', '-Infinity', '1,5', '1 000'])('refuses %j', (value) => {
    expect(() => dec(value)).toThrow(RangeError);
  });

  it('refuses non-finite numbers', () => {
    expect(() => dec(Number.NaN)).toThrow(RangeError);
    expect(() => dec(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('does not change the global decimal.js configuration', () => {
    // Assess
    expect(DecimalJs.precision).toBe(20);
    expect(DecimalJs.toExpPos).toBe(21);
    expect(Decimal.precision).toBe(40);
    expect(Decimal.rounding).toBe(DecimalJs.ROUND_HALF_UP);
  });
});

describe('roundMoney', () => {
  it.each([
    ['0.005', 'EUR', '0.01'],
    ['0.0049999', 'EUR', '0'],
    ['2.675', 'EUR', '2.68'],
    ['1.005', 'EUR', '1.01'],
    ['-0.005', 'EUR', '-0.01'],
    ['-2.675', 'EUR', '-2.68'],
    ['-0.004', 'EUR', '0'],
    ['1000.5', 'JPY', '1001'],
    ['1000.49', 'JPY', '1000'],
    ['-1000.5', 'JPY', '-1001'],
    ['1.2345', 'KWD', '1.235'],
    ['1.2344', 'KWD', '1.234'],
  ])('rounds %s %s half away from zero to %s', (value, currency, expected) => {
    // Act
    const rounded = roundMoney(value, currency);

    // Assess
    expect(rounded.toString()).toBe(expected);
  });

  it('gets 2.675 right where binary floating point does not', () => {
    // Prepare: 2.675 is stored as 2.67499999999999982236431605997495353221893310546875 in a double
    const float = (2.675).toFixed(2);

    // Act
    const decimal = roundMoney('2.675', 'EUR').toFixed(2);

    // Assess
    expect(float).toBe('2.67');
    expect(decimal).toBe('2.68');
  });

  it('keeps amounts near 1e15 exact', () => {
    // Act
    const rounded = roundMoney('999999999999999.995', 'EUR');

    // Assess
    expect(rounded.toFixed(2)).toBe('1000000000000000.00');
    expect(roundMoney('999999999999999.994', 'EUR').toFixed(2)).toBe('999999999999999.99');
  });
});

describe('formatAmount', () => {
  it.each([
    ['1210', 'EUR', '1210.00'],
    ['1210.5', 'USD', '1210.50'],
    ['1210', 'JPY', '1210'],
    ['1210.4', 'JPY', '1210'],
    ['1.5', 'KWD', '1.500'],
    ['-12.345', 'EUR', '-12.35'],
    ['0', 'EUR', '0.00'],
    ['-0.001', 'EUR', '0.00'],
    ['-0', 'JPY', '0'],
    ['1e15', 'EUR', '1000000000000000.00'],
    ['123456789012345.67', 'EUR', '123456789012345.67'],
  ])('formats %s %s as %s', (value, currency, expected) => {
    // Act
    const text = formatAmount(value, currency);

    // Assess
    expect(text).toBe(expected);
  });

  it('accepts Decimals and numbers', () => {
    // Act / Assess
    expect(formatAmount(dec('7').dividedBy(3), 'EUR')).toBe('2.33');
    expect(formatAmount(0.1 + 0.2, 'EUR')).toBe('0.30');
  });
});

describe('isDecimalString', () => {
  it.each(['0', '1210.00', '1.5', '0.000001', '007', '1000000000000000'])('accepts %j by default', (s) => {
    expect(isDecimalString(s)).toBe(true);
  });

  it.each(['', '-1', '+1', '1.', '.5', '1e3', '1,5', ' 1', '1 ', 'abc', '0x10', 'NaN', 'Infinity', '1.2.3', '--1'])('refuses %j by default', (s) => {
    expect(isDecimalString(s)).toBe(false);
  });

  it('accepts negatives only when allowed', () => {
    // Act / Assess
    expect(isDecimalString('-2.5')).toBe(false);
    expect(isDecimalString('-2.5', { allowNegative: true })).toBe(true);
    expect(isDecimalString('-', { allowNegative: true })).toBe(false);
  });

  it('limits the scale', () => {
    // Act / Assess
    expect(isDecimalString('1.1234', { maxScale: 4 })).toBe(true);
    expect(isDecimalString('1.12345', { maxScale: 4 })).toBe(false);
    expect(isDecimalString('12', { maxScale: 0 })).toBe(true);
    expect(isDecimalString('12.0', { maxScale: 0 })).toBe(false);
  });

  it('limits the integer digits, not counting leading zeros', () => {
    // Act / Assess
    expect(isDecimalString('999999999999999.99', { maxIntegerDigits: 15 })).toBe(true);
    expect(isDecimalString('1000000000000000', { maxIntegerDigits: 15 })).toBe(false);
    expect(isDecimalString('0000001', { maxIntegerDigits: 1 })).toBe(true);
  });

  it('refuses non-strings', () => {
    expect(isDecimalString(12)).toBe(false);
    expect(isDecimalString(null)).toBe(false);
  });
});

describe('sum', () => {
  it('adds mixed inputs exactly', () => {
    // Prepare: ten times 0.1 is 0.9999999999999999 in binary floating point
    const tenths = Array.from({ length: 10 }, () => '0.1');

    // Act
    const total = sum(tenths);

    // Assess
    expect(total.toString()).toBe('1');
    expect(sum(['1210.00', 5, dec('-0.5')]).toString()).toBe('1214.5');
  });

  it('is zero for no values', () => {
    expect(sum([]).toString()).toBe('0');
  });

  it('keeps 1e15 plus a cent exact', () => {
    // Act
    const total = sum(['999999999999999.99', '0.01', '123456789012345.67']);

    // Assess
    expect(total.toFixed(2)).toBe('1123456789012345.67');
  });
});
