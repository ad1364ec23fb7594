import { describe, expect, it } from 'vitest';
import { Invoice } from '../../../functions/domain/invoicing';
import { BankImport } from '../../../functions/domain/payments';
import { detectDecimal, detectDelimiter, parseAmount, parseDate } from '../../../functions/domain/payments/bank-csv';
import { acme } from '../../fixtures/invoicing-fakes';
import { memoryPaymentPorts } from '../../fixtures/payments-fakes';

const tenantId = 'ten_01jtenant0000000000000000';
const actor = { type: 'user' as const, id: 'usr_accountant' };

describe('reading statements', () => {
  it('finds the separator outside quotes and the decimal mark of the file', () => {
    expect(detectDelimiter('Fecha;Concepto;Importe\n1;2;3')).toBe(';');
    expect(detectDelimiter('"a;b",c,d\n')).toBe(',');
    expect(detectDecimal(['1.234,56', '12,10', '-3,00'])).toBe(',');
    expect(detectDecimal(['1,234.56', '12.10'])).toBe('.');
  });

  it('reads amounts and dates as banks write them', () => {
    expect(parseAmount('1.234,56', ',')).toBe('1234.56');
    expect(parseAmount('-45,30', ',')).toBe('-45.3');
    expect(parseAmount('(12.00)', '.')).toBe('-12');
    expect(parseAmount('+1,234.50 EUR', '.')).toBe('1234.5');
    expect(parseAmount('12,3,4', ',')).toBeNull();
    expect(parseDate('05/11/2026', undefined)).toBe('2026-11-05');
    expect(parseDate('2026-11-05', undefined)).toBe('2026-11-05');
    expect(parseDate('11/05/2026', 'MM/DD/YYYY')).toBe('2026-11-05');
    expect(parseDate('31/02/2026', undefined)).toBeNull();
  });

  it('reads a Spanish statement with quoted separators and debit/credit columns', () => {
    const { rows, errors } = BankImport.parse('Fecha;Concepto;Debe;Haber\n05/11/2026;"Pago; F-1";;106,00\n06/11/2026;Luz;45,30;\n');

    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { row: 1, date: '2026-11-05', amount: '106', reference: 'Pago; F-1', payerName: null, iban: null, currency: null },
      { row: 2, date: '2026-11-06', amount: '-45.3', reference: 'Luz', payerName: null, iban: null, currency: null },
    ]);
  });
});

describe('matching rows', () => {
  it('finds invoice numbers only as whole tokens: F-1 never in F-10 or AF-1', () => {
    const numbers = new Set(['f-1', 'f-10', 'f-1-2']);

    expect(BankImport.numbersInText('Pago factura F-10', numbers)).toEqual(['f-10']);
    expect(BankImport.numbersInText('pago AF-1 y F-1.', numbers)).toEqual(['f-1']);
    expect(BankImport.numbersInText('F-1/F-10', numbers).sort()).toEqual(['f-1', 'f-10']);
    expect(BankImport.numbersInText('ref F-1-2', numbers)).toEqual(['f-1-2']);
    expect(BankImport.numbersInText('F-100', numbers)).toEqual([]);
  });

  it("matches a 106.00 transfer of the payer to the IRPF invoice's balance, never to its 121.00 total", async () => {
    // Prepare
    const s = memoryPaymentPorts(new Date('2026-11-10T10:00:00Z'));
    s.companies.set(acme.id, acme);
    const issue = async (lines: { description: string; quantity: string; unitPrice: string; taxRate: string; withholdingRate?: string }[]) => {
      const draft = await Invoice.create(s.ports, { tenantId, actor, input: { companyId: acme.id, currency: 'EUR', lines, dueDate: '2026-12-01' } });
      return Invoice.moveToStage(s.ports, { tenantId, id: draft.id, to: 'VIEWED', actor });
    };
    const irpf = await issue([{ description: 'x', quantity: '1', unitPrice: '100.00', taxRate: '21', withholdingRate: '15' }]);
    const plain = await issue([{ description: 'y', quantity: '1', unitPrice: '100.00', taxRate: '21' }]);
    const csv = ['Fecha;Concepto;Ordenante;Importe', '05/11/2026;Transferencia;Ñandú Ibérica S.L.;106,00', '05/11/2026;Transferencia;Nadie;121,00'].join('\n');

    // Act
    const result = await BankImport.run(s.paymentPorts, { tenantId, actor, csv, dryRun: true, defaultCurrency: 'EUR' });

    // Assess
    expect(result.rows.map((r) => [r.status, r.invoiceIds])).toEqual([
      ['matched', [irpf.id]],
      ['suggested', [plain.id]],
    ]);
  });

  it('gives two identical transfers of one day two fingerprints, and the same ones on a second read', () => {
    const row = { row: 1, date: '2026-11-05', amount: '10', reference: 'Cuota', payerName: 'Ana', iban: null, currency: null };
    const match = () =>
      BankImport.match({ rows: [row, { ...row, row: 2 }], currency: 'EUR', invoices: [], payers: [], known: new Set(), today: '2026-11-10' }).map(
        (r) => r.fingerprint,
      );

    const first = match();

    expect(new Set(first).size).toBe(2);
    expect(match()).toEqual(first);
  });
});
