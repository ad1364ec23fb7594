/**
 * The texts delivery sends, in the client's language and the wording of the document's type: e-mails (subject and
 * body), SMS, the tenant's own texts with their placeholders, and the seller's notifications.
 */
import { describe, expect, it } from 'vitest';
import { Messages, type DeliverySubject } from '../../../functions/domain/delivery';

const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const invoice = (overrides: Partial<DeliverySubject> = {}): DeliverySubject => ({
  type: 'invoice',
  kind: 'invoice',
  tenantId: 'ten_1',
  id: 'inv_1',
  number: 'F-2026-000007',
  currency: 'EUR',
  total: '4086.00',
  dueDate: '2026-12-31',
  client: { name: 'Acme Iberia S.L.' },
  ...overrides,
});

const email = (subject: DeliverySubject, locale: string, extra: Partial<Parameters<typeof Messages.invoiceEmail>[0]> = {}) =>
  Messages.invoiceEmail({ subject, sellerName: 'Tienda Demo', token: 'tok', baseUrl: 'https://crm.example/', locale, ...extra });

describe('e-mails to the client', () => {
  it('speaks Spanish with Intl amounts and dates, never "4086.00 EUR"', () => {
    const mail = email(invoice(), 'es');
    expect(mail.subject).toBe('Factura F-2026-000007 de Tienda Demo');
    expect(plain(mail.text)).toContain('le adjuntamos la factura F-2026-000007 por 4086,00 €, con vencimiento el 31 dic 2026.'.replace(/^l/, 'L'));
    expect(mail.text).toContain('https://crm.example/p/tok');
    expect(mail.text).not.toContain('EUR');
    expect(mail.html).toContain('<a href="https://crm.example/p/tok">');
    expect(mail.html).toContain('/p/tok/open.gif');
  });

  it('words a credit note as a credit note: no "due on", the amount without its sign', () => {
    for (const [locale, phrase] of [
      ['en', 'credit note F-2026-000007 for €36.40, which reduces what you owe us'],
      ['es', 'factura rectificativa F-2026-000007 por 36,40 €'],
      ['ru', 'корректировочный счёт F-2026-000007 на сумму 36,40 €'],
      ['ro', 'factura de stornare F-2026-000007 în valoare de 36,40 EUR'], // Romanian writes the euro as EUR (CLDR)
    ] as const) {
      const mail = email(invoice({ kind: 'credit_note', total: '-36.40' }), locale);
      expect(plain(mail.text).toLowerCase(), locale).toContain(phrase.toLowerCase());
      expect(mail.text, locale).not.toMatch(/due on|vencimiento|-36/);
    }
  });

  it("fills the tenant's own subject and body, {{name}} and {name} alike, in the client's language", () => {
    const mail = email(invoice(), 'ru', { customSubject: 'Счёт {{number}}', customBody: 'Итого {{total}}, до {{dueDate}}: {link}' });
    expect(mail.subject).toBe('Счёт F-2026-000007');
    expect(plain(mail.text)).toBe('Итого 4 086,00 €, до 31 дек. 2026 г.: https://crm.example/p/tok');
  });

  it('words a reminder by the days overdue, with the plural of the language', () => {
    const one = email(invoice(), 'ru', { kind: 'reminder', overdueDays: 1 });
    const five = email(invoice(), 'ru', { kind: 'reminder', overdueDays: 5 });
    expect(one.subject).toBe('Напоминание: счёт F-2026-000007 от Tienda Demo');
    expect(one.text).toContain('1 день назад');
    expect(five.text).toContain('5 дней назад');
  });
});

describe('SMS and notifications', () => {
  it('sends an SMS in the language of the client, with the link whole', () => {
    const sms = Messages.invoiceSmsText({
      sellerName: 'Tienda',
      number: 'F-7',
      total: '10.00',
      currency: 'EUR',
      dueDate: '2026-12-31',
      url: 'https://x.io/p/abc',
      locale: 'es',
    });
    expect(plain(sms)).toBe('Tienda: factura F-7, 10,00 €, vence el 31 dic 2026. https://x.io/p/abc');
    const credit = Messages.invoiceSmsText({
      sellerName: 'Tienda',
      number: 'R-1',
      total: '-5.00',
      currency: 'EUR',
      url: 'https://x.io/p/r',
      locale: 'en',
      kind: 'credit_note',
    });
    expect(credit).toBe('Tienda: credit note R-1, €5.00. https://x.io/p/r');
    expect(
      Messages.invoiceSmsText({ sellerName: 'T', number: 'F-7', total: '1.00', currency: 'EUR', url: 'https://x.io/p/a', custom: 'Pay {{total}} at {{link}}' }),
    ).toBe('Pay €1.00 at https://x.io/p/a');
  });

  it("tells the seller of an accepted quote in the tenant's language, who signed and when", () => {
    const note = Messages.notificationEmail({
      subject: {
        ...invoice({ type: 'quote', kind: 'quote', number: 'Q-1', dueDate: null }),
        acceptance: { signerName: 'Ana Pérez', signedAt: '2026-11-30T10:00:00Z' },
      },
      locale: 'es',
    });
    expect(note.subject).toBe('Acme Iberia S.L. aceptó el presupuesto Q-1');
    expect(plain(note.text)).toBe('Ana Pérez aceptó el presupuesto Q-1 de Acme Iberia S.L. (4086,00 €) el 30 nov 2026.');
  });
});
