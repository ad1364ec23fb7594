import { describe, expect, it } from 'vitest';
import type { Invoice, InvoiceChange } from '../../../functions/domain/invoicing';
import { RuleViolation } from '../../../functions/domain/kernel';
import { Register } from '../../../functions/domain/register';
import { anIssuedInvoice } from '../../fixtures/einvoices';

/** The register in the product: which writes append which records, TipoFactura, the settings' checks. */
const draftOf = (invoice: Invoice.Info): Invoice.Info => ({ ...invoice, number: null, issueDate: null, status: 'draft', stage: 'NEW', version: 1 });
const change = (before: Invoice.Info | null, after: Invoice.Info): InvoiceChange => ({ before, after, timeline: [], events: [] });
const now = new Date('2026-03-02T10:15:00Z');

describe('which writes the register records', () => {
  const issued = anIssuedInvoice();

  it('an issue (draft -> issued or paid) is an alta; a cancellation of an issued invoice an anulación; anything else nothing', () => {
    expect(Register.registrationOf(change(draftOf(issued), issued))).toBe('alta');
    expect(Register.registrationOf(change(draftOf(issued), { ...issued, status: 'paid' }))).toBe('alta');
    expect(Register.registrationOf(change(issued, { ...issued, status: 'void', stage: 'CANCELLED' }))).toBe('anulacion');
    expect(Register.registrationOf(change(issued, { ...issued, stage: 'VIEWED' }))).toBeNull();
    expect(Register.registrationOf(change(issued, { ...issued, status: 'paid', stage: 'PAID' }))).toBeNull();
    expect(Register.registrationOf(change(draftOf(issued), { ...draftOf(issued), status: 'void', stage: 'CANCELLED' }))).toBeNull();
    expect(Register.registrationOf(change(draftOf(issued), { ...issued, type: 'proforma' }))).toBeNull();
    expect(Register.registrationOf(change(null, draftOf(issued)))).toBeNull();
  });

  it('chains the records of one write in the order of its changes, after the head', () => {
    const a = anIssuedInvoice({ id: 'inv_a', number: 'INV-2026-000001' });
    const b = anIssuedInvoice({ id: 'inv_b', number: 'INV-2026-000002' });
    const [first] = Register.recordsFor([change(draftOf(a), a)], null, 'B12345674', { now });
    const records = Register.recordsFor([change(draftOf(b), b), change(a, { ...a, status: 'void', stage: 'CANCELLED' })], first!, 'B12345674', { now });

    expect(records.map((r) => [r.sequence, r.kind, r.invoiceId])).toEqual([
      [2, 'alta', 'inv_b'],
      [3, 'anulacion', 'inv_a'],
    ]);
    expect(Register.verify([first!, ...records])).toEqual({ ok: true, records: 3 });
  });

  it('refuses (and so fails the issue) an invoice number the AEAT would refuse', () => {
    const bad = anIssuedInvoice({ number: "INV'2026" });
    expect(() => Register.recordsFor([change(draftOf(bad), bad)], null, 'B12345674', { now })).toThrow(RuleViolation);
  });
});

describe('TipoFactura', () => {
  it('F1 for an invoice, the R reason of a credit note (R4 without one), F2 simplified, and the fiscalType when the invoice holds one', () => {
    expect(Register.tipoFacturaOf(anIssuedInvoice())).toBe('F1');
    expect(Register.tipoFacturaOf(anIssuedInvoice({ type: 'credit_note' }))).toBe('R4');
    expect(Register.tipoFacturaOf({ ...anIssuedInvoice({ type: 'credit_note' }), reason: 'R1' } as Invoice.Info)).toBe('R1');
    expect(Register.tipoFacturaOf({ ...anIssuedInvoice(), type: 'simplified' } as unknown as Invoice.Info)).toBe('F2');
    expect(Register.tipoFacturaOf({ ...anIssuedInvoice(), fiscalType: 'F3' } as Invoice.Info)).toBe('F3');
  });
});

describe('register settings', () => {
  it('normalizes a valid Spanish NIF, falls back to the tenant tax id, and refuses an invalid one naming the field', () => {
    expect(Register.checkSettings({ enabled: true, issuerTaxId: 'es-b12345674' })).toEqual({ enabled: true, issuerTaxId: 'B12345674' });
    expect(Register.checkSettings({ enabled: true }, 'B12345674')).toEqual({ enabled: true, issuerTaxId: 'B12345674' });
    expect(Register.checkSettings({ enabled: false })).toEqual({ enabled: false, issuerTaxId: '' });
    for (const input of [{ enabled: true, issuerTaxId: 'B12345678' }, { enabled: true }]) {
      const error = (() => {
        try {
          Register.checkSettings(input);
        } catch (e) {
          return e as RuleViolation;
        }
      })();
      expect(error).toBeInstanceOf(RuleViolation);
      expect(error!.errors?.[0]?.field).toBe('verifactu.issuerTaxId');
    }
    expect(Register.activeIssuer({ verifactu: { enabled: true, issuerTaxId: 'B12345674' } })).toBe('B12345674');
    expect(Register.activeIssuer({ verifactu: { enabled: false, issuerTaxId: 'B12345674' } })).toBeNull();
    expect(Register.activeIssuer({})).toBeNull();
  });
});
