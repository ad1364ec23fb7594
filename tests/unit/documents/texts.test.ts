/**
 * The client-facing catalogues (templates/i18n/<lang>.json): every key in every language, the same
 * placeholders everywhere, the plural forms each language needs, and every text rendered with nothing left
 * unfilled.
 */
import { describe, expect, it } from 'vitest';
import { Texts } from '../../../functions/domain/documents';
import { DOCUMENT_LOCALES } from '../../../functions/domain/documents/print-model';

const { CATALOGUES, keysOf, placeholdersOf, rawText, text, isPluralText } = Texts;
const englishKeys = keysOf(CATALOGUES.en).sort();

/** A sample value per placeholder name (amounts and dates arrive formatted). */
const sample = (name: string) => (name === 'count' ? 3 : `‹${name}›`);

describe('text catalogues', () => {
  it('has the four languages, each with every English key and no other', () => {
    expect([...DOCUMENT_LOCALES].sort()).toEqual(['en', 'es', 'ro', 'ru']);
    expect(englishKeys.length).toBeGreaterThan(100);
    for (const lang of DOCUMENT_LOCALES) expect(keysOf(CATALOGUES[lang]).sort(), lang).toEqual(englishKeys);
  });

  it('uses the same placeholders as English in every language', () => {
    for (const lang of DOCUMENT_LOCALES) {
      for (const key of englishKeys) {
        const own = rawText(lang, key);
        expect(own, `${lang} ${key}`).toBeDefined();
        expect(placeholdersOf(own!), `${lang} ${key}`).toEqual(placeholdersOf(rawText('en', key)!));
      }
    }
  });

  it("gives a plural text every form the language's plural rules use", () => {
    const plurals = englishKeys.filter((key) => isPluralText(rawText('en', key)));
    expect(plurals).toEqual(expect.arrayContaining(['quotePage.validFor', 'email.reminder.body']));
    for (const lang of DOCUMENT_LOCALES) {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const key of plurals) {
        const own = rawText(lang, key);
        expect(isPluralText(own), `${lang} ${key} is a plural text`).toBe(true);
        for (const category of categories) expect((own as Record<string, string>)[category], `${lang} ${key} ${category}`).toBeTruthy();
      }
    }
  });

  it('renders every key in every language with every placeholder filled', () => {
    for (const lang of DOCUMENT_LOCALES) {
      for (const key of englishKeys) {
        const params = Object.fromEntries(placeholdersOf(rawText('en', key)!).map((name) => [name, sample(name)]));
        for (const count of [0, 1, 2, 3, 5, 11, 21, 22, 101, 1000000]) {
          const rendered = text(lang, key, { ...params, count });
          expect(rendered.trim(), `${lang} ${key}`).not.toBe('');
          expect(rendered, `${lang} ${key}: a placeholder left unfilled`).not.toMatch(/\{\w*\}/);
        }
      }
    }
  });

  it('speaks each language: not English outside English', () => {
    for (const lang of DOCUMENT_LOCALES.filter((l) => l !== 'en')) {
      for (const key of ['quotePage.acceptTitle', 'email.invoice.subject', 'email.credit_note.body', 'sms.invoice', 'quotePage.expiredTitle']) {
        expect(text(lang, key), `${lang} ${key}`).not.toBe(text('en', key));
      }
    }
  });

  it('chooses the plural form by the language', () => {
    expect(text('en', 'quotePage.validFor', { count: 1 })).toBe('Valid for 1 more day');
    expect(text('en', 'quotePage.validFor', { count: 2 })).toBe('Valid for 2 more days');
    expect(text('ru', 'quotePage.validFor', { count: 1 })).toBe('Действительно ещё 1 день');
    expect(text('ru', 'quotePage.validFor', { count: 3 })).toBe('Действительно ещё 3 дня');
    expect(text('ru', 'quotePage.validFor', { count: 5 })).toBe('Действительно ещё 5 дней');
    expect(text('ru', 'quotePage.validFor', { count: 21 })).toBe('Действительно ещё 21 день');
    expect(text('ro', 'quotePage.validFor', { count: 2 })).toBe('Valabilă încă 2 zile');
    expect(text('ro', 'quotePage.validFor', { count: 20 })).toBe('Valabilă încă 20 de zile');
    expect(text('es', 'quotePage.validFor', { count: 1 })).toBe('Válido 1 día más');
  });

  it('falls back to English for an unknown language and to the key for an unknown text', () => {
    expect(text('de', 'quotePage.acceptTitle')).toBe('Accept this quote');
    expect(text('es-MX', 'quotePage.acceptTitle')).toBe('Aceptar este presupuesto');
    expect(text('es', 'no.such.key')).toBe('no.such.key');
  });

  it("reads a document label without its namespace (tenants' templates)", () => {
    expect(Texts.label('es', 'number')).toBe('Número');
    expect(Texts.label('es', 'document.number')).toBe('Número');
    expect(Texts.label('ru', 'pageXofY', { page: 2, pages: 5 })).toBe('Страница 2 из 5');
  });

  it("speaks to a client in its own language, else the tenant's", () => {
    expect(Texts.clientLocale({ locale: 'ru' }, 'es')).toBe('ru');
    expect(Texts.clientLocale({}, 'es')).toBe('es');
    expect(Texts.clientLocale(null, undefined)).toBe('en');
  });

  it("fills a tenant's own text, {{name}} and {name} alike, and leaves anything else as written", () => {
    const values = { number: 'F-7', total: '1.210,00 €', dueDate: '31 dic 2026', link: 'https://x/p/t' };
    expect(Texts.fillTenantText('Factura {{number}} por {{ total }}, vence {{dueDate}}: {link}', values)).toBe(
      'Factura F-7 por 1.210,00 €, vence 31 dic 2026: https://x/p/t',
    );
    expect(Texts.fillTenantText('{{unknown}} {other} {{number}}', values)).toBe('{{unknown}} {other} F-7');
  });
});
