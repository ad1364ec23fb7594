/**
 * The invoice line period (BG-26: BT-134 start, BT-135 end) on e-invoice lines: a recapitulative invoice's line
 * carries the day of the operation it bills. UBL: cac:InvoicePeriod in the line; CII: ram:BillingSpecifiedPeriod
 * in the line's settlement. Checked in the XML itself (element order of the schemas), read back, and refused
 * when malformed (BR-30, BR-CO-20).
 */
import { describe, expect, it } from 'vitest';
import { EInvoice, type EInvoiceInput, type EInvoiceSyntax } from '../../../functions/domain/einvoicing';
import { brokenRules, problemsOf, readBack } from '../../fixtures/einvoice-checks';
import { anIssuedInvoice, anIssuedRecapitulativeInvoice, EINVOICE_SAMPLES, sellerSettings } from '../../fixtures/einvoices';

const recap = EINVOICE_SAMPLES.recapitulative;

/** The XML of each line element, in document order, without the indentation between elements. */
function linesOf(xml: string, element: string): string[] {
  return [...xml.replace(/>\s+</g, '><').matchAll(new RegExp(`<${element}>([\\s\\S]*?)</${element}>`, 'g'))].map((m) => m[1]);
}

/** Asserts the tags appear in this order in `xml` (those present). */
function expectOrder(xml: string, tags: string[]): void {
  const positions = tags.map((tag) => xml.indexOf(`<${tag}`)).filter((p) => p >= 0);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
}

const withPeriod = (period: unknown, at = 0): EInvoiceInput => ({
  ...recap,
  lines: recap.lines.map((l, i) => (i === at ? { ...l, period: period as { start?: string; end?: string } } : l)),
});

describe('e-invoice line period (BG-26)', () => {
  it('UBL: cac:InvoicePeriod in each line, after cbc:LineExtensionAmount and before cac:AllowanceCharge and cac:Item', () => {
    const xml = EInvoice.build(recap, 'ubl');

    const lines = linesOf(xml, 'cac:InvoiceLine');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('<cac:InvoicePeriod><cbc:StartDate>2026-02-03</cbc:StartDate><cbc:EndDate>2026-02-03</cbc:EndDate></cac:InvoicePeriod>');
    expect(lines[2]).toContain('<cbc:StartDate>2026-02-01</cbc:StartDate><cbc:EndDate>2026-02-28</cbc:EndDate>');
    expect(lines[3]).toContain('<cac:InvoicePeriod><cbc:EndDate>2026-02-25</cbc:EndDate></cac:InvoicePeriod>');
    // the discounted line: the period sits between the net amount and the line allowance
    expect(lines[1]).toContain('<cac:AllowanceCharge>');
    for (const line of lines) expectOrder(line, ['cbc:LineExtensionAmount', 'cac:InvoicePeriod', 'cac:AllowanceCharge', 'cac:Item', 'cac:Price']);
    expect(lines[1].indexOf('<cac:InvoicePeriod>')).toBeLessThan(lines[1].indexOf('<cac:AllowanceCharge>'));
  });

  it('UBL credit note: cac:InvoicePeriod in cac:CreditNoteLine', () => {
    const xml = EInvoice.build({ ...recap, kind: 'credit_note', number: 'CN-2026-000010' }, 'ubl');

    const lines = linesOf(xml, 'cac:CreditNoteLine');
    expect(lines[0]).toContain('<cac:InvoicePeriod><cbc:StartDate>2026-02-03</cbc:StartDate>');
    for (const line of lines) expectOrder(line, ['cbc:CreditedQuantity', 'cbc:LineExtensionAmount', 'cac:InvoicePeriod', 'cac:AllowanceCharge', 'cac:Item']);
  });

  it('CII: ram:BillingSpecifiedPeriod (format 102) right after ram:ApplicableTradeTax, before the line allowance and summation', () => {
    const xml = EInvoice.build(recap, 'cii');

    const settlements = linesOf(xml, 'ram:SpecifiedLineTradeSettlement');
    expect(settlements).toHaveLength(4);
    expect(settlements[0]).toContain(
      '<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20260203</udt:DateTimeString></ram:StartDateTime>' +
        '<ram:EndDateTime><udt:DateTimeString format="102">20260203</udt:DateTimeString></ram:EndDateTime></ram:BillingSpecifiedPeriod>',
    );
    expect(settlements[3]).toContain(
      '<ram:BillingSpecifiedPeriod><ram:EndDateTime><udt:DateTimeString format="102">20260225</udt:DateTimeString></ram:EndDateTime></ram:BillingSpecifiedPeriod>',
    );
    for (const s of settlements) {
      expectOrder(s, [
        'ram:ApplicableTradeTax',
        'ram:BillingSpecifiedPeriod',
        'ram:SpecifiedTradeAllowanceCharge',
        'ram:SpecifiedTradeSettlementLineMonetarySummation',
      ]);
    }
    expect(settlements[1].indexOf('<ram:BillingSpecifiedPeriod>')).toBeLessThan(settlements[1].indexOf('<ram:SpecifiedTradeAllowanceCharge>'));
  });

  for (const syntax of ['ubl', 'cii'] as EInvoiceSyntax[]) {
    it(`${syntax}: the periods read back from the XML are the input's, and the rules hold`, () => {
      const doc = readBack(EInvoice.build(recap, syntax));

      expect(doc.lines.map((l) => l.period)).toEqual(recap.lines.map((l) => ({ start: l.period?.start, end: l.period?.end })));
      expect(brokenRules(doc)).toEqual([]);
    });
  }

  it('writes no period element for a line without one', () => {
    for (const syntax of ['ubl', 'cii'] as EInvoiceSyntax[]) {
      const xml = EInvoice.build(EINVOICE_SAMPLES['one-rate'], syntax);
      expect(xml).not.toContain('InvoicePeriod');
      expect(xml).not.toContain('BillingSpecifiedPeriod');
      expect(readBack(xml).lines.every((l) => l.period === undefined)).toBe(true);
    }
  });

  it('carries the period to the computed line as given', () => {
    const computed = EInvoice.compute(recap);

    expect(computed.lines.map((l) => l.period)).toEqual([
      { start: '2026-02-03', end: '2026-02-03' },
      { start: '2026-02-17', end: '2026-02-17' },
      { start: '2026-02-01', end: '2026-02-28' },
      { end: '2026-02-25' },
    ]);
  });
});

describe('e-invoice line period checks', () => {
  it('wants dates as YYYY-MM-DD, naming the field', () => {
    expect(problemsOf(withPeriod({ start: '2026-2-3', end: '2026-02-30' }, 2))).toEqual([
      expect.objectContaining({ field: 'lines[2].period.start', message: expect.stringContaining('YYYY-MM-DD') }),
      expect.objectContaining({ field: 'lines[2].period.end', message: expect.stringContaining('YYYY-MM-DD') }),
    ]);
  });

  it('refuses an end before the start (BR-30); the same day is a period', () => {
    expect(problemsOf(withPeriod({ start: '2026-02-10', end: '2026-02-09' }, 2))).toEqual([
      expect.objectContaining({ field: 'lines[2].period.end', message: expect.stringContaining('BR-30') }),
    ]);
    expect(problemsOf(withPeriod({ start: '2026-02-10', end: '2026-02-10' }, 2))).toEqual([]);
    expect(problemsOf(withPeriod({ start: '2026-02-10' }, 2))).toEqual([]);
  });

  it('refuses a period with neither a start nor an end (BR-CO-20)', () => {
    expect(problemsOf(withPeriod({}, 1))).toEqual([expect.objectContaining({ field: 'lines[1].period.start', message: expect.stringContaining('BR-CO-20') })]);
  });
});

describe('e-invoice line period from a stored invoice', () => {
  it("a recapitulative invoice's line gets its operation date as start and end; the totals still agree", () => {
    const invoice = anIssuedRecapitulativeInvoice();

    const input = EInvoice.fromInvoice(invoice, sellerSettings);

    expect(input.lines.map((l) => l.period)).toEqual([
      { start: '2026-02-03', end: '2026-02-03' },
      { start: '2026-02-17', end: '2026-02-17' },
      { start: '2026-02-17', end: '2026-02-17' },
    ]);
    for (const syntax of ['ubl', 'cii'] as EInvoiceSyntax[]) {
      const doc = readBack(EInvoice.build(input, syntax));
      expect(doc.lines.map((l) => l.period?.start)).toEqual(['2026-02-03', '2026-02-17', '2026-02-17']);
      expect(doc.totals.taxInclusive).toBe(invoice.totals.total);
      expect(brokenRules(doc)).toEqual([]);
    }
  });

  it('an ordinary invoice has no line period', () => {
    expect(EInvoice.fromInvoice(anIssuedInvoice(), sellerSettings).lines.every((l) => l.period === undefined)).toBe(true);
  });
});
