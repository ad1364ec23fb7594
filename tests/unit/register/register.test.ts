import { describe, expect, it } from 'vitest';
import { qrPng, qrPngDataUri, qrSvg } from '../../../functions/adapters/qr/qr-code';
import { Conflict, RuleViolation } from '../../../functions/domain/kernel';
import { type AltaFields, Register, type RegisterEntry } from '../../../functions/domain/register';
import { anIssuedInvoice } from '../../fixtures/einvoices';
import { decodeQrPng } from '../../fixtures/qr';

/** The AEAT's official test values (huella specification v0.1.2). */
const VECTOR_1: AltaFields = {
  IDEmisorFactura: '89890001K',
  NumSerieFactura: '12345678/G33',
  FechaExpedicionFactura: '01-01-2024',
  TipoFactura: 'F1',
  CuotaTotal: '12.35',
  ImporteTotal: '123.45',
};
const HUELLA_1 = '3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60';
const HUELLA_2 = 'F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97';
const HUELLA_3 = '177547C0D57AC74748561D054A9CEC14B4C4EA23D1BEFD6F2E69E3A388F90C68';

/** 2024-01-01 19:20:ss in Madrid (winter, +01:00). */
const at = (seconds: number) => new Date(Date.UTC(2024, 0, 1, 18, 20, seconds));

function officialChain(): RegisterEntry[] {
  const first = Register.alta(null, VECTOR_1, { invoiceId: 'inv_a', now: at(30) });
  const second = Register.alta(first, { ...VECTOR_1, NumSerieFactura: '12345679/G34' }, { invoiceId: 'inv_b', now: at(35) });
  const third = Register.anulacion(
    second,
    { IDEmisorFacturaAnulada: '89890001K', NumSerieFacturaAnulada: '12345679/G34', FechaExpedicionFacturaAnulada: '01-01-2024' },
    { invoiceId: 'inv_b', now: at(40) },
  );
  return [first, second, third];
}

describe('register: fingerprints (huella)', () => {
  it('writes the alta text exactly as the AEAT specifies', () => {
    expect(Register.altaText(VECTOR_1, '', '2024-01-01T19:20:30+01:00')).toBe(
      'IDEmisorFactura=89890001K&NumSerieFactura=12345678/G33&FechaExpedicionFactura=01-01-2024&TipoFactura=F1&CuotaTotal=12.35&ImporteTotal=123.45&Huella=&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00',
    );
  });

  it('reproduces the three official test vectors by appending to a chain (alta, alta, anulación)', () => {
    const [first, second, third] = officialChain();

    expect([first.huella, second.huella, third.huella]).toEqual([HUELLA_1, HUELLA_2, HUELLA_3]);
    expect(first.record).toMatchObject({
      Encadenamiento: { PrimerRegistro: 'S' },
      FechaHoraHusoGenRegistro: '2024-01-01T19:20:30+01:00',
      TipoHuella: '01',
      Huella: HUELLA_1,
    });
    expect(second.record.Encadenamiento).toEqual({
      RegistroAnterior: { IDEmisorFactura: '89890001K', NumSerieFactura: '12345678/G33', FechaExpedicionFactura: '01-01-2024', Huella: HUELLA_1 },
    });
    expect(third).toMatchObject({ kind: 'anulacion', sequence: 3, previousHuella: HUELLA_2 });
  });

  it('hashes the official texts directly too (independent of the chain code)', () => {
    const text3 =
      'IDEmisorFacturaAnulada=89890001K&NumSerieFacturaAnulada=12345679/G34&FechaExpedicionFacturaAnulada=01-01-2024&Huella=' +
      HUELLA_2 +
      '&FechaHoraHusoGenRegistro=2024-01-01T19:20:40+01:00';

    expect(Register.huella(text3)).toBe(HUELLA_3);
  });

  it('trims values, keeps empty ones as Name= and does not URL-escape', () => {
    const text = Register.altaText({ ...VECTOR_1, NumSerieFactura: '  A&B=1 ' }, '', ' 2024-01-01T19:20:30+01:00 ');

    expect(text).toContain('&NumSerieFactura=A&B=1&');
    expect(text).toContain('&Huella=&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00');
  });
});

describe('register: the Madrid timestamp', () => {
  it('uses +01:00 in winter and +02:00 in summer, switching at the DST boundaries', () => {
    expect(Register.timestamp(new Date('2026-01-15T10:00:00Z'))).toBe('2026-01-15T11:00:00+01:00');
    expect(Register.timestamp(new Date('2026-07-01T10:00:00Z'))).toBe('2026-07-01T12:00:00+02:00');
    expect(Register.timestamp(new Date('2026-03-29T00:59:59Z'))).toBe('2026-03-29T01:59:59+01:00');
    expect(Register.timestamp(new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29T03:00:00+02:00');
    expect(Register.timestamp(new Date('2026-10-25T00:59:59Z'))).toBe('2026-10-25T02:59:59+02:00');
    expect(Register.timestamp(new Date('2026-10-25T01:00:00Z'))).toBe('2026-10-25T02:00:00+01:00');
    expect(Register.timestamp(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01T00:30:00+01:00');
  });
});

describe('register: chains', () => {
  it('verifies an intact chain across series and kinds', () => {
    const chain = officialChain();
    const fourth = Register.alta(
      chain[2],
      { ...VECTOR_1, NumSerieFactura: 'R-2024-1', TipoFactura: 'R4', CuotaTotal: '-2.10', ImporteTotal: '-12.10' },
      { invoiceId: 'cn_1', now: at(50) },
    );

    expect(Register.verify([...chain, fourth])).toEqual({ ok: true, records: 4 });
    expect(Register.verify([])).toEqual({ ok: true, records: 0 });
  });

  it('finds the first broken link: a tampered amount, a missing record, a wrong previous, a reordered pair', () => {
    const chain = officialChain();
    const tampered = chain.map((e, i) => (i === 1 && e.kind === 'alta' ? { ...e, record: { ...e.record, ImporteTotal: '999.99' } } : e));
    const relinked = chain.map((e, i) => (i === 2 ? { ...e, previousHuella: HUELLA_1 } : e));

    expect(Register.verify(tampered).firstBroken).toMatchObject({ sequence: 2, invoiceId: 'inv_b', reason: 'huella' });
    expect(Register.verify([chain[0], chain[2]]).firstBroken).toMatchObject({ sequence: 3, reason: 'sequence' });
    expect(Register.verify(relinked).firstBroken).toMatchObject({ sequence: 3, reason: 'previous' });
    expect(Register.verify([chain[1], chain[0], chain[2]]).firstBroken).toMatchObject({ sequence: 2, reason: 'sequence' });
    expect(Register.verify(tampered)).toMatchObject({ ok: false, records: 3 });
  });

  it('detects a chaining block that names another record, even with the right huella', () => {
    const chain = officialChain();
    const second = chain[1];
    if (second.kind !== 'alta' || !('RegistroAnterior' in second.record.Encadenamiento)) throw new Error('fixture');
    const wrongName = {
      ...second,
      record: { ...second.record, Encadenamiento: { RegistroAnterior: { ...second.record.Encadenamiento.RegistroAnterior, NumSerieFactura: 'X' } } },
    };

    expect(Register.verify([chain[0], wrongName, chain[2]]).firstBroken).toMatchObject({ sequence: 2, reason: 'previous' });
  });

  it('refuses to chain after a record dated more than a minute ahead of the clock (art. 7.i)', () => {
    const [first] = officialChain();

    expect(() => Register.alta(first, { ...VECTOR_1, NumSerieFactura: 'B-1' }, { invoiceId: 'i', now: at(30 - 61) })).toThrow(Conflict);
    expect(Register.alta(first, { ...VECTOR_1, NumSerieFactura: 'B-1' }, { invoiceId: 'i', now: at(30 - 59) }).sequence).toBe(2);
  });

  it('refuses malformed fields, naming them', () => {
    let caught: unknown;
    try {
      Register.alta(
        null,
        { ...VECTOR_1, IDEmisorFactura: 'B12345670', NumSerieFactura: 'Nº 1', FechaExpedicionFactura: '2024-01-01', CuotaTotal: '12.3' },
        { invoiceId: 'i', now: at(0) },
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuleViolation);
    expect((caught as RuleViolation).errors.map((e) => e.field)).toEqual(['IDEmisorFactura', 'NumSerieFactura', 'FechaExpedicionFactura', 'CuotaTotal']);
  });
});

describe('register: from a stored invoice', () => {
  it('takes ImporteTotal as net + VAT, not less IRPF, and prints it in the QR (amount due stays 106.00)', () => {
    const invoice = anIssuedInvoice({
      number: 'F-2026-0042',
      lineInputs: [{ description: 'Professional services', quantity: '1', unitPrice: '100', taxRate: '21', withholdingRate: '15' }],
    });

    const entry = Register.alta(null, Register.altaFieldsOf(invoice, '12345678Z'), { invoiceId: invoice.id, now: new Date('2026-03-02T09:00:00Z') });

    expect(invoice.totals.total).toBe('106.00');
    expect(entry.record).toMatchObject({
      NumSerieFactura: 'F-2026-0042',
      FechaExpedicionFactura: '02-03-2026',
      TipoFactura: 'F1',
      CuotaTotal: '21.00',
      ImporteTotal: '121.00',
    });
    expect(entry.kind === 'alta' && entry.qrUrl).toBe(
      'https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=12345678Z&numserie=F-2026-0042&fecha=02-03-2026&importe=121.00',
    );
  });

  it('keeps a credit note negative (R4 by default) and refuses drafts and other currencies', () => {
    const creditNote = anIssuedInvoice({
      type: 'credit_note',
      number: 'CN-2026-000001',
      lineInputs: [{ description: 'x', quantity: '-1', unitPrice: '50', taxRate: '21' }],
    });

    expect(Register.altaFieldsOf(creditNote, 'B12345674')).toMatchObject({ TipoFactura: 'R4', CuotaTotal: '-10.50', ImporteTotal: '-60.50' });
    expect(Register.altaFieldsOf(creditNote, 'B12345674', 'R1').TipoFactura).toBe('R1');
    expect(() => Register.altaFieldsOf(anIssuedInvoice({ status: 'draft', number: null, issueDate: null }), 'B12345674')).toThrow(Conflict);
    expect(() => Register.altaFieldsOf(anIssuedInvoice({ currency: 'USD' }), 'B12345674')).toThrow(RuleViolation);
    expect(Register.anulacionFieldsOf(anIssuedInvoice(), 'B12345674')).toEqual({
      IDEmisorFacturaAnulada: 'B12345674',
      NumSerieFacturaAnulada: 'INV-2026-000001',
      FechaExpedicionFacturaAnulada: '02-03-2026',
    });
  });
});

describe('register: QR', () => {
  it('percent-encodes the four parameters (UTF-8, reserved characters too) and knows the test host', () => {
    const params = { nif: '89890001K', numserie: '12345678&G33/(1) !*', fecha: '01-01-2024', importe: '-123.45' };

    expect(Register.qrUrl(params)).toBe(
      'https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=89890001K&numserie=12345678%26G33%2F%281%29%20%21%2A&fecha=01-01-2024&importe=-123.45',
    );
    expect(Register.qrUrl(params, { environment: 'test', verifactu: false })).toMatch(
      /^https:\/\/prewww2\.aeat\.es\/wlpl\/TIKE-CONT\/ValidarQRNoVerifactu\?nif=/,
    );
  });

  it('draws a QR image (the one QR drawer, adapters/qr) that decodes back to exactly the URL (PNG bytes and data URI)', async () => {
    const url = Register.qrUrl({ nif: '89890001K', numserie: '12345678&G33', fecha: '01-01-2024', importe: '123.45' });

    const png = await qrPng(url);
    const dataUri = await qrPngDataUri(url);

    expect(decodeQrPng(png)).toBe(url);
    expect(dataUri.startsWith('data:image/png;base64,')).toBe(true);
    expect(decodeQrPng(Buffer.from(dataUri.split(',')[1], 'base64'))).toBe(url);
  });

  it('draws the same symbol as SVG', async () => {
    const svg = await qrSvg('https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=1');

    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 (\d+) \1"/);
  });
});

describe('register: invoice number limits (NumSerieFactura)', () => {
  it('accepts 1 to 60 printable ASCII characters without " \' < > = or edge spaces', () => {
    expect(Register.numberProblem('INV-2026-000001')).toBeNull();
    expect(Register.numberProblem('A'.repeat(60))).toBeNull();
    expect(Register.numberProblem('12345678/G33 (b)')).toBeNull();
    for (const bad of ['', 'A'.repeat(61), 'FAC-Nº-1', 'F-1€', 'año-1', ' F-1', 'F-1 ', 'F"1', "F'1", 'F<1', 'F>1', 'F=1', 'F\t1']) {
      expect(Register.numberProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
  });

  it('checks a numbering format by the widest number it makes, so it is refused when saved', () => {
    expect(Register.numberFormatProblem('INV-{YYYY}-{000000}', 'invoice')).toBeNull();
    expect(Register.numberFormatProblem('{SERIES}/{YY}{MM}/{0000}', 'credit_note')).toBeNull();
    expect(Register.numberFormatProblem('FACTURA-Nº-{YYYY}-{000000}', 'invoice')).toMatch(/printable ASCII/);
    expect(Register.numberFormatProblem('F=={000000}', 'invoice')).toMatch(/must not contain =/);
    expect(Register.numberFormatProblem(`${'X'.repeat(46)}-{YYYY}-{0}`, 'invoice')).toMatch(/61 characters/);
  });
});
