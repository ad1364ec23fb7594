import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizeForSearch, phoneProblem, toE164 } from '../../../functions/domain/kernel/text';

describe('normalizeForSearch', () => {
  it.each([
    ['Ñandú  S.L.', 'nandu s.l.'],
    ['Ёлка', 'елка'],
    ['  Crème   Brûlée\tSARL\n', 'creme brulee sarl'],
    ['Müller & Söhne GmbH', 'muller & sohne gmbh'],
    ['Straße', 'strasse'],
    ['Łódź Ørsted Æble Œuvre', 'lodz orsted aeble oeuvre'],
    ['İSTANBUL Şirketi', 'istanbul sirketi'],
    ['ＡＢＣ　Ｃｏｒｐ', 'abc corp'],
    ['Oﬃce', 'office'],
    ['Ελληνικά Άλφα', 'ελληνικα αλφα'],
    ['São\u00a0Paulo', 'sao paulo'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    // Act
    const key = normalizeForSearch(input);

    // Assess
    expect(key).toBe(expected);
  });

  it('matches precomposed and decomposed spellings alike', () => {
    // Prepare: 'é' as one code point and as 'e' + combining acute accent
    const precomposed = 'Caf\u00e9';
    const decomposed = 'Cafe\u0301';

    // Act / Assess
    expect(normalizeForSearch(precomposed)).toBe('cafe');
    expect(normalizeForSearch(decomposed)).toBe('cafe');
  });

  it('keeps marks that are part of the letter in other scripts', () => {
    // Act / Assess: stripping every mark would turn ガ (ga) into カ (ka) and break Devanagari words
    expect(normalizeForSearch('ガス株式会社')).toBe('ガス株式会社');
    expect(normalizeForSearch('हिन्दी')).toBe('हिन्दी');
  });
});

describe('toE164', () => {
  it.each([
    ['+34 600 12 34 56', undefined, '+34600123456'],
    ['0034 600-12-34-56', undefined, '+34600123456'],
    ['+1 (415) 555-2671', undefined, '+14155552671'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['34600123456', undefined, '+34600123456'],
    ['600 12 34 56', 'ES', '+34600123456'],
    ['07911 123456', 'GB', '+447911123456'],
    ['06.12.34.56.78', 'FR', '+33612345678'],
    ['030 1234567', 'DE', '+49301234567'],
    ['06 1234 5678', 'IT', '+390612345678'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['1 415 555 2671', 'US', '+14155552671'],
    ['8 912 345-67-89', 'RU', '+79123456789'],
    ['600 12 34 56', '+34', '+34600123456'],
    ['600 12 34 56', '34', '+34600123456'],
    ['600 12 34 56', 'es', '+34600123456'],
    ['+34 600 12 34 56', 'GB', '+34600123456'],
  ])('%j (default %s) -> %s', (phone, country, expected) => {
    // Act
    const e164 = toE164(phone, country);

    // Assess
    expect(e164).toBe(expected);
  });

  it.each([
    ['', undefined],
    ['1234567', undefined], // 7 digits
    ['+1234567890123456', undefined], // 16 digits
    ['0612345678', undefined], // national number, no country to read it with
    ['+0612345678', undefined], // no country code starts with 0
    ['+34 600 12 34 56 ext. 12', undefined],
    ['call me', undefined],
    ['+34+600123456', undefined],
    ['600123456', 'ZZ'], // unknown country
    ['600123456', '0034'], // not a calling code
  ])('%j (default %s) -> null', (phone, country) => {
    expect(toE164(phone, country)).toBeNull();
  });

  it('gives the same number for every way of writing it, so duplicates can be matched', () => {
    // Prepare
    const spellings = ['+34 600 123 456', '0034600123456', '(+34) 600-123-456', '600 123 456'];

    // Act
    const normalized = new Set(spellings.map((s) => toE164(s, 'ES')));

    // Assess
    expect([...normalized]).toEqual(['+34600123456']);
  });
});

describe('toE164: real validation per country (libphonenumber-js, max metadata)', () => {
  it.each([
    ['91 123 45 67', 'ES', '+34911234567'], // Madrid landline
    ['611 222 333', 'ES', '+34611222333'], // Spanish mobile
    ['8 (495) 123-45-67', 'RU', '+74951234567'], // Moscow, trunk prefix 8
    ['0721 234 567', 'RO', '+40721234567'], // Romanian mobile, trunk 0
    ['021 312 3456', 'RO', '+40213123456'], // Bucharest landline
    ['+44 20 7946 0958', 'ES', '+442079460958'], // an international number ignores the default country
    ['(212) 555-0147', 'US', '+12125550147'],
  ])('%j in %s -> %s', (phone, country, expected) => {
    expect(toE164(phone, country)).toBe(expected);
  });

  it.each([
    ['+34 500 123 456', undefined], // no Spanish numbers start with 5
    ['+34 600 12 34', undefined], // too short for Spain
    ['+7 912 345 67', undefined], // too short for Russia
    ['+40 721 234 56', undefined], // too short for Romania
    ['+1 555 0100', undefined], // too short for NANP
    ['123 45 67', 'ES'], // not a Spanish range
    ['+999 1234 5678', undefined], // no such country code
  ])('%j (default %s) is not a number: null', (phone, country) => {
    expect(toE164(phone, country)).toBeNull();
  });

  it('says what is wrong, naming the country when one was used', () => {
    expect(phoneProblem('600123456')).toMatch(/country code/);
    expect(phoneProblem('123 45 67', 'ES')).toBe('is not a valid phone number in ES');
    expect(phoneProblem('+34 600 12 34')).toMatch(/not a valid phone number/);
    expect(phoneProblem('+34 600 12 34 56')).toBeNull();
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    // Act / Assess
    expect(normalizeEmail('  Ana.Garcia@Example.COM \n')).toBe('ana.garcia@example.com');
    expect(normalizeEmail('billing@nandu.example')).toBe('billing@nandu.example');
  });
});
