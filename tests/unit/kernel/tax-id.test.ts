/** Tax ids checked where a rule exists: Spanish NIF/NIE/CIF, Russian INN, EU VAT numbers by country format. */
import { describe, expect, it } from 'vitest';
import { isValidInn, isValidSpanishTaxId, taxIdProblem } from '../../../functions/domain/kernel';

describe('tax ids', () => {
  it('checks Spanish NIF, NIE and CIF by their check character (country ES or an ES prefix)', () => {
    expect(taxIdProblem('B12345674', 'ES')).toBeNull();
    expect(taxIdProblem('ESB12345674')).toBeNull();
    expect(taxIdProblem('12345678Z', 'ES')).toBeNull();
    expect(taxIdProblem('X1234567L', 'ES')).toBeNull();
    expect(taxIdProblem('B12345678', 'ES')).toMatch(/not a valid Spanish NIF, NIE or CIF/);
    expect(taxIdProblem('ESB12345678', 'FR')).toMatch(/Spanish/);
    expect(isValidSpanishTaxId('B-12.345.674')).toBe(true);
  });

  it('checks a Russian INN of 10 or 12 digits by its check digits', () => {
    expect(isValidInn('7707083893')).toBe(true);
    expect(isValidInn('7707083894')).toBe(false);
    expect(isValidInn('500100732259')).toBe(true);
    expect(isValidInn('500100732258')).toBe(false);
    expect(taxIdProblem('7707083893', 'RU')).toBeNull();
    expect(taxIdProblem('770708389', 'RU')).toMatch(/not a valid Russian INN/);
  });

  it('checks an EU VAT number written with its prefix by that country format', () => {
    expect(taxIdProblem('DE123456789')).toBeNull();
    expect(taxIdProblem('DE12345678')).toMatch(/not a valid DE VAT number/);
    expect(taxIdProblem('FR40303265045')).toBeNull();
    expect(taxIdProblem('NL123456789B01')).toBeNull();
    expect(taxIdProblem('EL123456789')).toBeNull();
    expect(taxIdProblem('RO 1234567')).toBeNull();
  });

  it('accepts what no rule covers: a national number elsewhere, an unknown country', () => {
    expect(taxIdProblem('12/345/67890', 'DE')).toBeNull();
    expect(taxIdProblem('123-45-6789', 'US')).toBeNull();
    expect(taxIdProblem('ABC123')).toBeNull();
  });
});
