import { describe, expect, it } from 'vitest';
import { createDeal, loadDealAsInvoiceSource, moveDeal, newDealRecord, updateDeal, type Deal, type DealPorts } from '../../../functions/domain/sales/deal';
import { DEFAULT_DEAL_PIPELINE } from '../../../functions/domain/kernel/pipeline';
import { aCompanyRecord, aContactRecord, memoryClients, memoryStore, pipelines } from '../../fixtures/sales-fakes';

const T = 'ten_1';
const line = { description: 'Hour', quantity: '10', unitPrice: '95.00', taxRate: '21' };

function ports() {
  const clients = memoryClients();
  const deals = memoryStore<Deal>();
  const p: DealPorts = { deals, clients, pipelines };
  return { p, clients, deals };
}

describe('deals', () => {
  it('prices lines and takes the amount from the totals', () => {
    const deal = newDealRecord(T, DEFAULT_DEAL_PIPELINE, { title: 'D', lines: [line, { ...line, quantity: '1', taxRate: '10' }], currency: 'EUR' });
    expect(deal.lines.map((l) => l.netAmount)).toEqual(['950.00', '95.00']);
    expect(deal.totals).toMatchObject({ net: '1045.00', tax: '209.00', total: '1254.00' });
    expect(deal.amount).toBe('1254.00');
    expect(deal).toMatchObject({ stage: 'NEW', status: 'open', companyId: '', contactId: '' });
  });

  it('prices in the currency\'s minor units (JPY has none)', () => {
    const deal = newDealRecord(T, DEFAULT_DEAL_PIPELINE, { title: 'D', lines: [{ ...line, unitPrice: '1000.4', quantity: '1' }], currency: 'JPY' });
    expect(deal.amount).toBe('1210');
  });

  it('refuses links to missing clients, listing each', async () => {
    const { p } = ports();
    await expect(createDeal(p, T, { title: 'D', companyId: 'cmp_x', contactId: 'con_x' }, { currency: 'EUR' })).rejects.toMatchObject({
      kind: 'rule_violation',
      errors: [{ field: 'companyId', message: 'no such company' }, { field: 'contactId', message: 'no such contact' }],
    });
  });

  it('CONTRACT_SIGNED requires a contract number and a line, both listed', async () => {
    const { p } = ports();
    const deal = await createDeal(p, T, { title: 'D' }, { currency: 'EUR' });

    await expect(moveDeal(p, T, deal.id, 'CONTRACT_SIGNED')).rejects.toMatchObject({
      errors: [{ field: 'contractNumber', message: 'contract number is required' }, { field: 'lines', message: 'at least one line is required' }],
    });
    await updateDeal(p, T, deal.id, { contractNumber: 'C-1', lines: [line] });
    expect(await moveDeal(p, T, deal.id, 'CONTRACT_SIGNED')).toMatchObject({ stage: 'CONTRACT_SIGNED', version: 3 });
    expect(await moveDeal(p, T, deal.id, 'LOST')).toMatchObject({ status: 'lost' });
    await expect(updateDeal(p, T, deal.id, { title: 'x' })).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('re-prices when only the currency changes', async () => {
    const { p } = ports();
    const deal = await createDeal(p, T, { title: 'D', lines: [{ ...line, unitPrice: '0.125', quantity: '1' }] }, { currency: 'EUR' });
    const kwd = await updateDeal(p, T, deal.id, { currency: 'KWD' });
    expect([deal.amount, kwd.amount]).toEqual(['0.16', '0.151']); // EUR: 0.13 + 0.03; KWD: 0.125 + 0.026
  });

  it('loads as an invoice source with the client as it stands now', async () => {
    const { p, clients } = ports();
    clients.companies.set('cmp_01', aCompanyRecord(T));
    clients.contacts.set('con_01', aContactRecord(T, { companyId: 'cmp_01' }));
    const deal = await createDeal(p, T, { title: 'D', companyId: 'cmp_01', contactId: 'con_01', lines: [line], responsibleUserId: 'usr_1' }, { currency: 'EUR' });
    clients.companies.set('cmp_01', aCompanyRecord(T, { name: 'Acme Renamed' }));

    const source = await loadDealAsInvoiceSource(p, T, deal.id);

    expect(source).toMatchObject({ sourceType: 'deal', dealId: deal.id, currency: 'EUR', responsibleUserId: 'usr_1', lines: [line], totals: deal.totals });
    expect(source.client).toMatchObject({ kind: 'company', name: 'Acme Renamed', taxId: 'B12345678', contactId: 'con_01', contactName: 'Lucía Fernández' });
    await expect(loadDealAsInvoiceSource(p, 'ten_2', deal.id)).rejects.toMatchObject({ kind: 'not_found' });
  });
});
