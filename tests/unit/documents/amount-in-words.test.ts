/** The Russian amount in words (сумма прописью): numbers, genders, the three noun forms, the currency. */
import { describe, expect, it } from 'vitest';
import { AmountInWords } from '../../../functions/domain/documents';

const { russianAmountInWords: words, russianNumber, amountInWords } = AmountInWords;

describe('amount in words (Russian)', () => {
  it('writes whole numbers, agreeing with the gender of what they count', () => {
    expect(russianNumber(0n)).toBe('ноль');
    expect(russianNumber(1n)).toBe('один');
    expect(russianNumber(1n, 'f')).toBe('одна');
    expect(russianNumber(2n, 'f')).toBe('две');
    expect(russianNumber(11n)).toBe('одиннадцать');
    expect(russianNumber(21n)).toBe('двадцать один');
    expect(russianNumber(100n)).toBe('сто');
    expect(russianNumber(1000n)).toBe('одна тысяча');
    expect(russianNumber(2002n)).toBe('две тысячи два');
    expect(russianNumber(5000n)).toBe('пять тысяч');
    expect(russianNumber(11000n)).toBe('одиннадцать тысяч');
    expect(russianNumber(21_000n)).toBe('двадцать одна тысяча');
    expect(russianNumber(1_000_000n)).toBe('один миллион');
    expect(russianNumber(3_000_000_000n)).toBe('три миллиарда');
    expect(russianNumber(999_999_999_999_999n)).toMatch(/^девятьсот девяносто девять триллионов .* девятьсот девяносто девять$/);
  });

  it('writes an amount with its currency, the minor units in digits', () => {
    expect(words('1210.00', 'RUB')).toBe('Одна тысяча двести десять рублей 00 копеек');
    expect(words('1.01', 'RUB')).toBe('Один рубль 01 копейка');
    expect(words('2.02', 'RUB')).toBe('Два рубля 02 копейки');
    expect(words('5.11', 'RUB')).toBe('Пять рублей 11 копеек');
    expect(words('14937.45', 'EUR')).toBe('Четырнадцать тысяч девятьсот тридцать семь евро 45 евроцентов');
    expect(words('21.00', 'USD')).toBe('Двадцать один доллар США 00 центов');
    expect(words('0.50', 'RUB')).toBe('Ноль рублей 50 копеек');
    expect(words('-36.40', 'RUB')).toBe('Минус тридцать шесть рублей 40 копеек');
  });

  it('writes nothing for a currency without Russian names, a malformed amount, or another language', () => {
    expect(words('10.00', 'XYZ')).toBeNull();
    expect(words('ten', 'RUB')).toBeNull();
    expect(amountInWords('10.00', 'RUB', 'es')).toBeNull();
    expect(amountInWords('10.00', 'RUB', 'ru')).toBe('Десять рублей 00 копеек');
  });
});
