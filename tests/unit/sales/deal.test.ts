import { describe, expect, it } from 'vitest';
import { DEFAULT_DEAL_PIPELINE } from '../../../functions/domain/kernel';
import { Deal, InvoiceSources, type DealPorts } from '../../../functions/domain/sales';
import { aCompanyRecord, aContactRecord, defaultCurrency, memoryClients, memoryStore, pipelines, USER } from '../../fixtures/sales-fakes';

const T = 'ten_1';
const line = { description: 'Hour', quantity: '10', unitPrice: '95.00', taxRate: '21' };

function ports() {
  const clients = memoryClients();
  const deals = memoryStore<Deal.Info>();
  const p: DealPorts = { deals, clients, pipelines, defaultCurrency };
  return { p, clients, deals };
}

describe('deals', () => {
  it('prices lines and takes the amount from the totals', () => {
    const deal = Deal.newDealRecord(T, DEFAULT_DEAL_PIPELINE, { title: 'D', lines: [line, { ...line, quantity: '1', taxRate: '10' }], currency: 'EUR' });
    expect(deal.lines.map((l) => l.netAmount)).toEqual(['950.00', '95.00']);
    expect(deal.totals).toMatchObject({ net: '1045.00', tax: '209.00', total: '1254.00' });
    expect(deal.amount).toBe('1254.00');
    expect(deal).toMatchObject({ stage: 'NEW', status: 'open', companyId: '', contactId: '' });
  });

  it("prices in the currency's minor units (JPY has none)", () => {
    const deal = Deal.newDealRecord(T, DEFAULT_DEAL_PIPELINE, { title: 'D', lines: [{ ...line, unitPrice: '1000.4', quantity: '1' }], currency: 'JPY' });
    expect(deal.amount).toBe('1210');
  });

  it('refuses links to missing clients, listing each', async () => {
    const { p } = ports();
    await expect(Deal.create(p, { tenantId: T, actor: USER, input: { title: 'D', companyId: 'cmp_x', contactId: 'con_x' } })).rejects.toMatchObject({
      kind: 'rule_violation',
      errors: [
        { field: 'companyId', message: 'no such company' },
        { field: 'contactId', message: 'no such contact' },
      ],
    });
  });

  it('CONTRACT_SIGNED requires a contract number and a line, both listed', async () => {
    const { p } = ports();
    const deal = await Deal.create(p, { tenantId: T, actor: USER, input: { title: 'D' } });

    await expect(Deal.moveToStage(p, { tenantId: T, id: deal.id, actor: USER, to: 'CONTRACT_SIGNED' })).rejects.toMatchObject({
      errors: [
        { field: 'contractNumber', message: 'contract number is required' },
        { field: 'lines', message: 'at least one line is required' },
      ],
    });
    await Deal.update(p, { tenantId: T, id: deal.id, actor: USER, changes: { contractNumber: 'C-1', lines: [line] } });
    expect(await Deal.moveToStage(p, { tenantId: T, id: deal.id, actor: USER, to: 'CONTRACT_SIGNED' })).toMatchObject({ stage: 'CONTRACT_SIGNED', version: 3 });
    expect(await Deal.moveToStage(p, { tenantId: T, id: deal.id, actor: USER, to: 'LOST' })).toMatchObject({ status: 'lost' });
    await expect(Deal.update(p, { tenantId: T, id: deal.id, actor: USER, changes: { title: 'x' } })).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('re-prices when only the currency changes', async () => {
    const { p } = ports();
    const deal = await Deal.create(p, { tenantId: T, actor: USER, input: { title: 'D', lines: [{ ...line, unitPrice: '0.125', quantity: '1' }] } });
    const kwd = await Deal.update(p, { tenantId: T, id: deal.id, actor: USER, changes: { currency: 'KWD' } });
    expect([deal.amount, kwd.amount]).toEqual(['0.16', '0.151']); // EUR: 0.13 + 0.03; KWD: 0.125 + 0.026
  });

  it('loads as an invoice source with the client as it stands now', async () => {
    const { p, clients } = ports();
    clients.companies.set('cmp_01', aCompanyRecord(T));
    clients.contacts.set('con_01', aContactRecord(T, { companyId: 'cmp_01' }));
    const deal = await Deal.create(p, {
      tenantId: T,
      actor: USER,
      input: { title: 'D', companyId: 'cmp_01', contactId: 'con_01', lines: [line], responsibleUserId: 'usr_1' },
    });
    clients.companies.set('cmp_01', aCompanyRecord(T, { name: 'Acme Renamed' }));

    const source = await InvoiceSources.fromDeal(p, { tenantId: T, id: deal.id });

    expect(source).toMatchObject({ sourceType: 'deal', dealId: deal.id, currency: 'EUR', responsibleUserId: 'usr_1', lines: [line], totals: deal.totals });
    expect(source.client).toMatchObject({ kind: 'company', name: 'Acme Renamed', taxId: 'B12345674', contactId: 'con_01', contactName: 'Lucía Fernández' });
    await expect(InvoiceSources.fromDeal(p, { tenantId: 'ten_2', id: deal.id })).rejects.toMatchObject({ kind: 'not_found' });
  });
});
