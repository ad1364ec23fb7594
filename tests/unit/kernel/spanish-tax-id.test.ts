import { describe, expect, it } from 'vitest';
import { isValidSpanishTaxId, normalizeSpanishTaxId, parseSpanishTaxId } from '../../../functions/domain/kernel';

describe('Spanish tax ids (NIF)', () => {
  it('accepts DNI, NIE, K/L/M and CIF numbers with the right check character', () => {
    expect(parseSpanishTaxId('12345678Z')).toEqual({ kind: 'DNI', value: '12345678Z' });
    expect(parseSpanishTaxId('89890001K')).toEqual({ kind: 'DNI', value: '89890001K' }); // the AEAT's test NIF
    expect(parseSpanishTaxId('X1234567L')).toEqual({ kind: 'NIE', value: 'X1234567L' });
    expect(parseSpanishTaxId('Y1234567X')).toEqual({ kind: 'NIE', value: 'Y1234567X' });
    expect(parseSpanishTaxId('Z1234567R')).toEqual({ kind: 'NIE', value: 'Z1234567R' });
    expect(parseSpanishTaxId('K1234567L')).toEqual({ kind: 'KLM', value: 'K1234567L' });
    expect(parseSpanishTaxId('B12345674')).toEqual({ kind: 'CIF', value: 'B12345674' });
    expect(parseSpanishTaxId('A87654323')).toEqual({ kind: 'CIF', value: 'A87654323' });
    expect(parseSpanishTaxId('Q2826000H')).toEqual({ kind: 'CIF', value: 'Q2826000H' }); // public body: letter check
    expect(parseSpanishTaxId('G12345674')?.kind).toBe('CIF'); // G: either form
    expect(parseSpanishTaxId('G1234567D')?.kind).toBe('CIF');
  });

  it('refuses a wrong check character or form, whatever the kind', () => {
    for (const bad of ['12345678A', 'X1234567A', 'K1234567A', 'B12345670', 'B1234567D', 'Q28260008', 'I12345674', '1234567Z', '', 'ESB1234567', 'B123456745']) {
      expect(isValidSpanishTaxId(bad), bad).toBe(false);
    }
    expect(isValidSpanishTaxId(undefined)).toBe(false);
  });

  it('normalizes spacing, case and the ES VAT prefix', () => {
    expect(normalizeSpanishTaxId('es-b12.345.674')).toBe('B12345674');
    expect(parseSpanishTaxId(' ESB 1234 5674 ')).toEqual({ kind: 'CIF', value: 'B12345674' });
    expect(parseSpanishTaxId('12.345.678-z')?.value).toBe('12345678Z');
  });
});
