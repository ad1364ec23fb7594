/**
 * Issuing checks the legal minimum of the invoice's type, by any path out of NEW (SENT, straight to PAID), and
 * lists everything missing at once: the seller's legal name, tax id and full address; for a full invoice the
 * client's too; a proforma needs less.
 */
import { describe, expect, it } from 'vitest';
import { Invoice, LegalMinimum } from '../../../functions/domain/invoicing';
import { DEFAULT_INVOICE_PIPELINE, RuleViolation } from '../../../functions/domain/kernel';
import { completeSeller } from '../../fixtures/invoicing-fakes';

const today = '2026-03-15';
const fullClient = {
  kind: 'company' as const,
  id: 'cmp_1',
  name: 'Acme',
  legalName: 'Acme Iberia S.L.',
  taxId: 'B12345674',
  email: 'billing@acme.example',
  address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
};

const draft = (overrides: Partial<Invoice.Info> = {}): Invoice.Info => ({
  tenantId: 'ten_1',
  id: 'inv_1',
  number: null,
  series: 'invoice',
  type: 'invoice',
  stage: 'NEW',
  status: 'draft',
  client: fullClient,
  lines: [{ description: 'x', quantity: '1', unitPrice: '100.00', taxRate: '21', netAmount: '100.00' }],
  totals: { net: '100.00', tax: '21.00', withholding: '0.00', total: '121.00', taxBreakdown: [], withholdingBreakdown: [] },
  currency: 'EUR',
  issueDate: null,
  dueDate: '2026-04-01',
  responsibleUserId: 'u',
  createdBy: 'u',
  version: 1,
  createdAt: '',
  updatedAt: '',
  ...overrides,
});

function refusal(invoice: Invoice.Info, to: string, seller: LegalMinimum.SellerLegalDetails | null): RuleViolation {
  try {
    Invoice.planStageMove(invoice, DEFAULT_INVOICE_PIPELINE, to, { today, seller });
  } catch (error) {
    if (error instanceof RuleViolation) return error;
    throw error;
  }
  throw new Error('the move was not refused');
}

describe('the legal minimum of an issued invoice', () => {
  it('issues a complete invoice', () => {
    expect(Invoice.planStageMove(draft(), DEFAULT_INVOICE_PIPELINE, 'SENT', { today, seller: completeSeller })).toMatchObject({ issues: true });
  });

  it("lists the seller's missing tax id, naming the field and where to set it", () => {
    const error = refusal(draft(), 'SENT', { ...completeSeller, taxId: undefined });
    expect(error.errors).toEqual([{ field: 'seller.taxId', message: expect.stringContaining('PUT /v1/settings') }]);
  });

  it('lists everything a seller without details and a client with only a city lack, at once, on the way straight to PAID', () => {
    const leadCompany = { kind: 'company' as const, id: 'cmp_2', name: 'Ñandú', taxId: 'B87654323', email: 'x@y.z', address: { city: 'Sevilla' } };
    const error = refusal(draft({ client: leadCompany }), 'PAID', null);
    expect(error.errors.map((e) => e.field)).toEqual([
      'seller.legalName',
      'seller.taxId',
      'seller.address.line1',
      'seller.address.city',
      'seller.address.postalCode',
      'seller.address.country',
      'client.legalName',
      'client.address.line1',
      'client.address.postalCode',
      'client.address.country',
    ]);
  });

  it('refuses a tax id whose check character is wrong, for the seller and the client', () => {
    const error = refusal(draft({ client: { ...fullClient, taxId: 'B12345678' } }), 'SENT', { ...completeSeller, taxId: 'ESB99999999' });
    expect(error.errors).toEqual([
      { field: 'seller.taxId', message: expect.stringMatching(/not a valid Spanish NIF/) },
      { field: 'client.taxId', message: expect.stringMatching(/"B12345678" is not a valid Spanish NIF/) },
    ]);
  });

  it('asks less of a proforma (seller only) and nothing of a move that does not issue', () => {
    const proforma = draft({ type: 'proforma', client: { kind: 'contact', id: 'con_1', name: 'Lucía Fernández', email: 'l@x.es' } });
    expect(Invoice.planStageMove(proforma, DEFAULT_INVOICE_PIPELINE, 'SENT', { today, seller: completeSeller })).toMatchObject({ issues: true });
    expect(refusal(proforma, 'SENT', null).errors.every((e) => e.field.startsWith('seller.'))).toBe(true);
    const issued = draft({ status: 'issued', stage: 'SENT', number: 'INV-1', client: { ...fullClient, taxId: undefined } });
    expect(Invoice.planStageMove(issued, DEFAULT_INVOICE_PIPELINE, 'CANCELLED', { today, seller: null })).toMatchObject({ issues: false });
  });

  it('holds a type it does not know to the full invoice', () => {
    expect(LegalMinimum.legalMinimumProblems({ type: 'something_new', client: null }, completeSeller).map((e) => e.field)).toContain('client.taxId');
    expect(LegalMinimum.legalMinimumProblems({ type: 'simplified', client: null }, completeSeller)).toEqual([]);
  });
});
