import { describe, expect, it } from 'vitest';
import {
  counterPeriod,
  DEFAULT_CREDIT_NOTE_FORMAT,
  DEFAULT_SIMPLIFIED_FORMAT,
  DEFAULT_INVOICE_FORMAT,
  DEFAULT_NUMBER_FORMATS,
  DEFAULT_PROFORMA_FORMAT,
  DEFAULT_QUOTE_FORMAT,
  defaultNumberFormat,
  formatDocumentNumber,
  validateNumberFormat,
} from '../../../functions/domain/kernel/numbering';

describe('default formats', () => {
  it('has one default per series', () => {
    // Assess
    expect(DEFAULT_NUMBER_FORMATS).toEqual({
      invoice: 'INV-{YYYY}-{000000}',
      proforma: 'PRO-{YYYY}-{000000}',
      credit_note: 'CN-{YYYY}-{000000}',
      simplified: 'FS-{YYYY}-{000000}',
      quote: 'QUO-{YYYY}-{000000}',
    });
    expect([DEFAULT_INVOICE_FORMAT, DEFAULT_PROFORMA_FORMAT, DEFAULT_CREDIT_NOTE_FORMAT, DEFAULT_SIMPLIFIED_FORMAT, DEFAULT_QUOTE_FORMAT]).toEqual(
      Object.values(DEFAULT_NUMBER_FORMATS),
    );
  });

  it('are all valid and reset yearly', () => {
    // Act
    const results = Object.values(DEFAULT_NUMBER_FORMATS).map((f) => [validateNumberFormat(f), counterPeriod(f, '2026-11-05')]);

    // Assess
    expect(results).toEqual([
      [null, '2026'],
      [null, '2026'],
      [null, '2026'],
      [null, '2026'],
      [null, '2026'],
    ]);
  });

  it('falls back to the invoice format for a series without its own default', () => {
    // Act / Assess
    expect(defaultNumberFormat('credit_note')).toBe('CN-{YYYY}-{000000}');
    expect(defaultNumberFormat('export')).toBe('INV-{YYYY}-{000000}');
    expect(defaultNumberFormat('toString')).toBe('INV-{YYYY}-{000000}');
  });
});

describe('validateNumberFormat', () => {
  it.each(['INV-{YYYY}-{000000}', '{0}', '{SERIES}/{YY}/{MM}/{0000}', 'F{YYYY}{MM}{00000}', 'A-{000000000000}', 'Factura nº {0000}'])(
    'accepts %j',
    (format) => {
      expect(validateNumberFormat(format)).toBeNull();
    },
  );

  it.each([
    ['', 'the format must be a non-empty string'],
    ['INV-{YYYY}', 'the format must contain exactly one counter token like {000000}, found 0'],
    ['INV-{0000}-{0000}', 'the format must contain exactly one counter token like {000000}, found 2'],
    ['INV-{DD}-{0000}', 'unknown token {DD}; use {YYYY}, {YY}, {MM}, {SERIES} or a counter like {000000}'],
    ['INV-{yyyy}-{0000}', 'unknown token {yyyy}; use {YYYY}, {YY}, {MM}, {SERIES} or a counter like {000000}'],
    ['INV-{}-{0000}', 'unknown token {}; use {YYYY}, {YY}, {MM}, {SERIES} or a counter like {000000}'],
    ['INV-{0001}', 'unknown token {0001}; use {YYYY}, {YY}, {MM}, {SERIES} or a counter like {000000}'],
    ['INV-{YYYY-{0000}', 'unknown token {YYYY-{0000}; use {YYYY}, {YY}, {MM}, {SERIES} or a counter like {000000}'],
    ['INV-{0000', 'unmatched "{" in the format'],
    ['INV}-{0000}', 'unmatched "}" in the format'],
    ['INV-{0000000000000}', 'the counter must be at most 12 digits wide'],
    ['INV-{MM}-{0000}', 'a format with {MM} must also contain {YYYY} or {YY}, or numbers would repeat every year'],
    ['INV\n{0000}', 'the format must not contain control characters'],
    [`${'X'.repeat(60)}{0000}`, 'the format must be at most 64 characters'],
  ])('refuses %j: %s', (format, message) => {
    // Act
    const error = validateNumberFormat(format);

    // Assess
    expect(error).toBe(message);
  });
});

describe('counterPeriod', () => {
  it.each([
    ['INV-{YYYY}-{000000}', '2026-11-05', '2026'],
    ['INV-{YY}-{000000}', '2026-11-05', '2026'],
    ['INV-{YYYY}-{MM}-{0000}', '2026-11-05', '2026-11'],
    ['{YY}{MM}{0000}', '2027-01-31', '2027-01'],
    ['INV-{000000}', '2026-11-05', 'all'],
    ['{SERIES}-{000000}', '2026-11-05', 'all'],
  ])('%s on %s counts in period %s', (format, issueDate, expected) => {
    // Act
    const period = counterPeriod(format, issueDate);

    // Assess
    expect(period).toBe(expected);
  });

  it('puts 31 December and 1 January in different yearly periods', () => {
    // Act / Assess
    expect(counterPeriod(DEFAULT_INVOICE_FORMAT, '2026-12-31')).toBe('2026');
    expect(counterPeriod(DEFAULT_INVOICE_FORMAT, '2027-01-01')).toBe('2027');
  });

  it.each(['2026-02-30', '2026-13-01', '26-11-05', '2026-11-05T10:00:00Z', '2026/11/05', ''])('refuses the issue date %j', (issueDate) => {
    expect(() => counterPeriod(DEFAULT_INVOICE_FORMAT, issueDate)).toThrow(/invalid issue date/);
  });

  it('refuses an invalid format', () => {
    expect(() => counterPeriod('INV-{MM}', '2026-11-05')).toThrow(/invalid number format "INV-\{MM\}"/);
  });
});

describe('formatNumber', () => {
  it('formats the default invoice number', () => {
    // Act
    const number = formatDocumentNumber(DEFAULT_INVOICE_FORMAT, 42, '2026-11-05', 'invoice');

    // Assess
    expect(number).toBe('INV-2026-000042');
  });

  it.each([
    ['{SERIES}/{YY}/{MM}/{0000}', 7, '2026-03-09', 'A', 'A/26/03/0007'],
    ['F{YYYY}{MM}{00000}', 123, '2026-11-30', 'invoice', 'F20261100123'],
    ['CN-{YYYY}-{000000}', 1, '2027-01-01', 'credit_note', 'CN-2027-000001'],
    ['{0}', 5, '2026-01-01', 'invoice', '5'],
    ['Nº {YY}-{000}', 999, '2030-06-15', 'invoice', 'Nº 30-999'],
    ['{YY}-{00}', 3, '2000-06-15', 'invoice', '00-03'],
  ])('%s with %i on %s (%s) gives %s', (format, seq, issueDate, series, expected) => {
    // Act
    const number = formatDocumentNumber(format, seq, issueDate, series);

    // Assess
    expect(number).toBe(expected);
  });

  it('prints a counter wider than its token in full, never truncated', () => {
    // Act
    const number = formatDocumentNumber('INV-{YYYY}-{0000}', 123456, '2026-11-05', 'invoice');

    // Assess
    expect(number).toBe('INV-2026-123456');
  });

  it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses the counter value %s', (seq) => {
    expect(() => formatDocumentNumber(DEFAULT_INVOICE_FORMAT, seq, '2026-11-05', 'invoice')).toThrow(/invalid counter value/);
  });

  it('refuses an invalid format or date', () => {
    expect(() => formatDocumentNumber('INV-{0000}-{0000}', 1, '2026-11-05', 'invoice')).toThrow(/exactly one counter/);
    expect(() => formatDocumentNumber(DEFAULT_INVOICE_FORMAT, 1, '2026-02-29', 'invoice')).toThrow(/invalid issue date/);
  });

  it('accepts 29 February of a leap year', () => {
    expect(formatDocumentNumber('{YYYY}{MM}-{0}', 1, '2028-02-29', 'invoice')).toBe('202802-1');
  });
});
