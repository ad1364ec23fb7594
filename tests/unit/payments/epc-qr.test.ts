import { describe, expect, it } from 'vitest';
import { qrPng, qrSvg, qrSymbol, QrTooLarge } from '../../../functions/adapters/qr/qr-code';
import { RuleViolation } from '../../../functions/domain/kernel';
import { EpcQr, type EpcTransfer } from '../../../functions/domain/payments';
import { decodeQrPng } from '../../fixtures/qr';

const transfer: EpcTransfer = {
  name: 'Acme Iberia S.L.',
  iban: 'ES91 2100 0418 4502 0005 1332',
  bic: 'caixesbbxxx',
  amount: '1210.5',
  currency: 'EUR',
  remittance: 'F-2026-000123',
};

const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RuleViolation) return error.errors.map((e) => e.field);
    throw error;
  }
  return [];
};

describe('EPC QR payload (SEPA credit transfer, BCD 002)', () => {
  it('writes the lines in the order and format of EPC069-12', () => {
    expect(EpcQr.epcQrPayload(transfer)).toBe(
      ['BCD', '002', '1', 'SCT', 'CAIXESBBXXX', 'Acme Iberia S.L.', 'ES9121000418450200051332', 'EUR1210.50', '', '', 'F-2026-000123'].join('\n'),
    );
    expect(EpcQr.epcQrPayload({ ...transfer, bic: undefined, purpose: 'GDDS', information: 'Thank you' }).split('\n')).toEqual([
      'BCD',
      '002',
      '1',
      'SCT',
      '',
      'Acme Iberia S.L.',
      'ES9121000418450200051332',
      'EUR1210.50',
      'GDDS',
      '',
      'F-2026-000123',
      'Thank you',
    ]);
  });

  it('accepts the amount range 0.01 to 999999999.99 in EUR only', () => {
    expect(EpcQr.epcQrPayload({ ...transfer, amount: '0.01' })).toContain('\nEUR0.01\n');
    expect(EpcQr.epcQrPayload({ ...transfer, amount: '999999999.99' })).toContain('\nEUR999999999.99\n');
    for (const amount of ['0', '0.00', '1000000000.00', '12.345', '-5', '1e3', '12,50'])
      expect(
        fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, amount })),
        amount,
      ).toEqual(['amount']);
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, currency: 'USD' }))).toEqual(['currency']);
  });

  it('checks the IBAN (check digits, length, SEPA country), the BIC and the text limits', () => {
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, iban: 'ES9221000418450200051332' }))).toEqual(['iban']);
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, iban: 'ES91210004184502000513' }))).toEqual(['iban']);
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, iban: 'BR1800360305000010009795493C1' }))).toEqual(['iban']);
    expect(EpcQr.epcQrPayload({ ...transfer, iban: 'ro49 aaaa 1b31 0075 9384 0000' })).toContain('\nRO49AAAA1B31007593840000\n');
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, bic: 'NOTABIC' }))).toEqual(['bic']);
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, name: 'N'.repeat(71), remittance: 'R'.repeat(141) }))).toEqual(['name', 'remittance']);
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, name: 'Acme\nEvil', remittance: ' ' }))).toEqual(['name', 'remittance']);
    expect(fieldsOf(() => EpcQr.epcQrPayload({ ...transfer, purpose: 'goods' }))).toEqual(['purpose']);
    expect(EpcQr.epcQrPayload({ ...transfer, name: 'Ñ'.repeat(70) })).toContain('Ñ'.repeat(70));
  });

  it('reads its own payload back', () => {
    expect(EpcQr.parseEpcQrPayload(EpcQr.epcQrPayload(transfer))).toEqual({
      version: '002',
      bic: 'CAIXESBBXXX',
      name: 'Acme Iberia S.L.',
      iban: 'ES9121000418450200051332',
      amount: '1210.50',
      currency: 'EUR',
      remittance: 'F-2026-000123',
    });
    expect(() => EpcQr.parseEpcQrPayload('hello')).toThrow();
  });
});

describe('QR images (qrcode), decoded back', () => {
  it('draws an EPC payload that a reader decodes to the same fields, with error correction M', async () => {
    // Prepare: non-ASCII text goes through as UTF-8
    const payload = EpcQr.epcQrPayload({ ...transfer, name: 'Café Ñandú S.R.L. — Кафе', remittance: 'FACT/2026/000123' });
    // Act
    const png = await qrPng(payload, { maxVersion: 13 });
    // Assess
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const decoded = decodeQrPng(png);
    expect(decoded).toBe(payload);
    expect(EpcQr.parseEpcQrPayload(decoded)).toMatchObject({
      name: 'Café Ñandú S.R.L. — Кафе',
      iban: 'ES9121000418450200051332',
      amount: '1210.50',
      remittance: 'FACT/2026/000123',
      bic: 'CAIXESBBXXX',
    });
    expect(qrSymbol(payload).errorCorrection).toBe('M');
  });

  it('fits the longest EPC payload into version 13, and refuses text that needs more', async () => {
    const fullest = { ...transfer, amount: '999999999.99', name: 'N'.repeat(70), remittance: 'R'.repeat(140) };
    const longest = EpcQr.epcQrPayload({ ...fullest, information: 'I'.repeat(50) });
    expect(Buffer.byteLength(longest)).toBe(331);
    expect(() => EpcQr.epcQrPayload({ ...fullest, information: 'I'.repeat(51) })).toThrow(RuleViolation);
    expect(qrSymbol(longest, { maxVersion: 13 }).version).toBeLessThanOrEqual(13);
    expect(decodeQrPng(await qrPng(longest, { maxVersion: 13, scale: 4 }))).toBe(longest);
    expect(() => qrSymbol('x'.repeat(400), { maxVersion: 13 })).toThrow(QrTooLarge);
  });

  it('draws the same symbol as SVG, self-contained', async () => {
    const payload = EpcQr.epcQrPayload(transfer);
    const svg = await qrSvg(payload);
    const { size } = qrSymbol(payload);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain(`viewBox="0 0 ${size + 8} ${size + 8}"`);
    expect(svg).not.toMatch(/<script|href=|url\(/);
  });
});
