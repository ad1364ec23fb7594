/**
 * Every text a client receives, in the client's language: one catalogue per language in templates/i18n/
 * (data, not code: `<lang>.json`), read here and nowhere else.
 *
 * Keys are dotted paths into the catalogue, by namespace:
 *   document.*     PDF labels (tenants' templates say `{{t "number"}}`: a key without a dot is a document label)
 *   quotePage.*    the public quote page and its accepted / expired / declined states
 *   linkPage.*     the public link's message pages (not available, almost ready)
 *   invoicePage.*  the hosted invoice page (reserved for it: title, status, balance, download, bank transfer, card)
 *   email.<type>.* subject and body per document type (invoice, proforma, credit_note, quote, reminder)
 *   sms.<type>     one SMS per document type
 *   notify.*       what the seller's own people are told (stage changes, an accepted quote)
 *   kind.*         the document types as a word at the start of a sentence
 *
 * A text is a string with `{name}` placeholders, or, when it depends on a number, an object of CLDR plural
 * categories (`one`, `few`, `many`, `other`; which ones a language needs is Intl.PluralRules') chosen by the
 * `count` parameter. Amounts and dates are formatted by the caller with LocaleFormat (Intl) before they fill
 * a placeholder. A missing text falls back to English, then to the key itself; tests/unit/documents/texts.test.ts
 * renders every key in every language and fails on a missing key or a placeholder left unfilled.
 *
 * The client's language: the company's or contact's own `locale` when it has one, else the tenant's.
 */
import en from '../../../templates/i18n/en.json' with { type: 'json' };
import es from '../../../templates/i18n/es.json' with { type: 'json' };
import ro from '../../../templates/i18n/ro.json' with { type: 'json' };
import ru from '../../../templates/i18n/ru.json' with { type: 'json' };
import { DEFAULT_DOCUMENT_LOCALE, documentLocale, type DocumentLocale } from './print-model';

export type PluralText = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Text = string | PluralText;
export interface Catalogue {
  [key: string]: Text | Catalogue;
}

export const CATALOGUES: Readonly<Record<DocumentLocale, Catalogue>> = { en, es, ru, ro };

const PLURAL_CATEGORIES = new Set<string>(['zero', 'one', 'two', 'few', 'many', 'other']);

export function isPluralText(value: unknown): value is PluralText {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PluralText).other === 'string' &&
    Object.keys(value).every((k) => PLURAL_CATEGORIES.has(k) && typeof (value as Record<string, unknown>)[k] === 'string')
  );
}

/** The text at a dotted key of a catalogue, or undefined. */
function lookup(catalogue: Catalogue, key: string): Text | undefined {
  let node: Text | Catalogue | undefined = catalogue;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || isPluralText(node) || !Object.hasOwn(node, part)) return undefined;
    node = (node as Catalogue)[part];
  }
  return typeof node === 'string' || isPluralText(node) ? node : undefined;
}

/** Every key of a catalogue that holds a text (dotted), e.g. for tests that render them all. */
export function keysOf(catalogue: Catalogue, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([name, value]) => {
    const key = prefix ? `${prefix}.${name}` : name;
    return typeof value === 'string' || isPluralText(value) ? [key] : keysOf(value, key);
  });
}

/** The `{name}` placeholders a text uses (every plural form's). */
export function placeholdersOf(text: Text): string[] {
  const forms = typeof text === 'string' ? [text] : Object.values(text);
  return [...new Set(forms.flatMap((form) => [...(form ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)))].sort();
}

/** The raw text of a key in a language (English when the language lacks it), or undefined when nobody has it. */
export function rawText(locale: string | null | undefined, key: string): Text | undefined {
  const lang = documentLocale(locale);
  return lookup(CATALOGUES[lang], key) ?? lookup(CATALOGUES[DEFAULT_DOCUMENT_LOCALE], key);
}

const pluralRules = new Map<string, Intl.PluralRules>();
function pluralCategory(lang: string, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(count);
}

/** Fills `{name}` placeholders with the values given; a placeholder without a value is left as it is. */
export function fill(text: string, params: Readonly<Record<string, unknown>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) && params[name] != null ? String(params[name]) : whole));
}

/**
 * The text of `key` in the language of `locale`, placeholders filled: a plural text takes the form of
 * `params.count` in that language. The key itself when no catalogue has it.
 */
export function text(locale: string | null | undefined, key: string, params: Readonly<Record<string, unknown>> = {}): string {
  const lang = documentLocale(locale);
  const found = rawText(lang, key);
  if (found === undefined) return key;
  if (typeof found === 'string') return fill(found, params);
  const count = Number(params.count ?? 0);
  const form = found[pluralCategory(lang, Number.isFinite(count) ? count : 0)] ?? found.other;
  return fill(form, params);
}

/** A translator bound to one language: `t('quotePage.acceptTitle')`. */
export function translator(locale: string | null | undefined): (key: string, params?: Readonly<Record<string, unknown>>) => string {
  const lang = documentLocale(locale);
  return (key, params = {}) => text(lang, key, params);
}

/** A document label (tenants' templates: `{{t "number"}}`): `document.<key>` first, then the key as given. */
export function label(locale: string | null | undefined, key: string, params: Readonly<Record<string, unknown>> = {}): string {
  if (!key.includes('.') && rawText(locale, `document.${key}`) !== undefined) return text(locale, `document.${key}`, params);
  return text(locale, key, params);
}

/** The language a client is spoken to in: its own locale when it has one, else the tenant's. */
export function clientLocale(client: { locale?: string | null } | null | undefined, tenantLocale: string | null | undefined): string {
  return client?.locale || tenantLocale || DEFAULT_DOCUMENT_LOCALE;
}

/**
 * A text the tenant wrote (an automation rule's e-mail subject and body, an SMS): `{{name}}` and `{name}`
 * placeholders of the names given are filled (values already formatted in the client's language); anything
 * else is left as the tenant wrote it.
 */
export function fillTenantText(template: string, values: Readonly<Record<string, string>>): string {
  return template
    .replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole))
    .replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}
