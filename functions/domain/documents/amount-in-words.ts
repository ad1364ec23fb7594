/**
 * The amount in words ("сумма прописью"), which Russian invoices and acts carry under the total:
 * "Одна тысяча двести десять рублей 50 копеек". Whole units in words, agreeing in gender and number with the
 * currency's name; minor units in digits, as Russian accounting writes them.
 *
 * Exact from the decimal string (no float), up to the money module's cap (1e15). Only Russian has it; other
 * languages print no amount in words (`amountInWords` answers null).
 */

type Gender = 'm' | 'f';
/** The three Russian forms of a counted noun: 1 рубль, 2 рубля, 5 рублей. */
type Forms = readonly [one: string, few: string, many: string];

interface CurrencyWords {
  major: Forms;
  majorGender: Gender;
  minor: Forms;
}

const CURRENCIES: Readonly<Record<string, CurrencyWords>> = {
  RUB: { major: ['рубль', 'рубля', 'рублей'], majorGender: 'm', minor: ['копейка', 'копейки', 'копеек'] },
  EUR: { major: ['евро', 'евро', 'евро'], majorGender: 'm', minor: ['евроцент', 'евроцента', 'евроцентов'] },
  USD: { major: ['доллар США', 'доллара США', 'долларов США'], majorGender: 'm', minor: ['цент', 'цента', 'центов'] },
  BYN: { major: ['белорусский рубль', 'белорусских рубля', 'белорусских рублей'], majorGender: 'm', minor: ['копейка', 'копейки', 'копеек'] },
  KZT: { major: ['тенге', 'тенге', 'тенге'], majorGender: 'm', minor: ['тиын', 'тиына', 'тиынов'] },
  CNY: { major: ['юань', 'юаня', 'юаней'], majorGender: 'm', minor: ['фэнь', 'фэня', 'фэней'] },
};

const ONES_M = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const ONES_F = ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const TEENS = ['десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать', 'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать'];
const TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];
const HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'];

/** Thousands and up: each scale's forms and the gender its count agrees with. */
const SCALES: readonly { forms: Forms; gender: Gender }[] = [
  { forms: ['тысяча', 'тысячи', 'тысяч'], gender: 'f' },
  { forms: ['миллион', 'миллиона', 'миллионов'], gender: 'm' },
  { forms: ['миллиард', 'миллиарда', 'миллиардов'], gender: 'm' },
  { forms: ['триллион', 'триллиона', 'триллионов'], gender: 'm' },
];

/** The Russian form a count takes: 1, 21 -> one; 2-4, 22-24 -> few; 0, 5-20, 25-30 -> many. */
export function russianForm(n: bigint, forms: Forms): string {
  const last2 = Number(n % 100n);
  const last = Number(n % 10n);
  if (last2 >= 11 && last2 <= 19) return forms[2];
  if (last === 1) return forms[0];
  if (last >= 2 && last <= 4) return forms[1];
  return forms[2];
}

/** 0 < n < 1000 in words, agreeing with a noun of the gender given. */
function triad(n: number, gender: Gender): string[] {
  const words = [HUNDREDS[Math.floor(n / 100)]!];
  const rest = n % 100;
  if (rest >= 10 && rest < 20) words.push(TEENS[rest - 10]!);
  else words.push(TENS[Math.floor(rest / 10)]!, (gender === 'f' ? ONES_F : ONES_M)[rest % 10]!);
  return words.filter(Boolean);
}

/** A whole number in Russian words, agreeing with a noun of the gender given: 1002 -> "одна тысяча две" (f). */
export function russianNumber(n: bigint, gender: Gender = 'm'): string {
  if (n === 0n) return 'ноль';
  const groups: number[] = [];
  for (let rest = n; rest > 0n; rest /= 1000n) groups.push(Number(rest % 1000n));
  const words: string[] = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]!;
    if (group === 0) continue;
    if (i === 0) {
      words.push(...triad(group, gender));
    } else {
      const scale = SCALES[i - 1];
      if (!scale) throw new RangeError('the number is too large to write in words');
      words.push(...triad(group, scale.gender), russianForm(BigInt(group), scale.forms));
    }
  }
  return words.join(' ');
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * The amount in Russian words with its currency: "Одна тысяча двести десять рублей 50 копеек". Null for a
 * currency without Russian names, or a value that is not a decimal string. The minor units are rounded by the
 * caller (amounts are already at the currency's 2 decimals); more digits than 2 are cut, never rounded here.
 */
export function russianAmountInWords(amount: string, currency: string): string | null {
  const words = CURRENCIES[currency];
  const match = DECIMAL.exec(amount.trim());
  if (!words || !match) return null;
  const [, minus, whole, fraction = ''] = match;
  const major = BigInt(whole!);
  if (major >= 10n ** 15n) return null;
  const minorDigits = `${fraction}00`.slice(0, 2);
  const minor = BigInt(minorDigits);
  const text = `${minus ? 'минус ' : ''}${russianNumber(major, words.majorGender)} ${russianForm(major, words.major)} ${minorDigits} ${russianForm(minor, words.minor)}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The amount in words where the document's language customarily prints it (Russian); else null. */
export function amountInWords(amount: string, currency: string, language: string): string | null {
  return language === 'ru' ? russianAmountInWords(amount, currency) : null;
}
