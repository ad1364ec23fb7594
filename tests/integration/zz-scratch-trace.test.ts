import { it } from 'vitest';
import { makeTenant, useLocalStack } from '../fixtures/stack';
import { createInvoice, moveInvoiceStage } from '../../functions/domain/invoices';
const stack = useLocalStack();
it('trace', async () => {
  const { invoicePorts, service } = await import('../../functions/shared/wiring');
  const tenantId = (await makeTenant('T')).tenantId;
  const base = invoicePorts();
  const log: string[] = [];
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const store = { ...base.invoices,
    getCounter: async (...a: [string, string, string]) => { const s = ms(); const r = await base.invoices.getCounter(...a); log.push(`${s}-${ms()} read ${r?.value}`); return r; },
    commit: async (c: any) => { const s = ms(); const r = await base.invoices.commit(c); log.push(`${s}-${ms()} commit ${c.counter?.next} ${r.outcome} ${(r as any).counter?.value}`); return r; } };
  const ports = { ...base, invoices: store };
  const actor = { type: 'user' as const, id: 'u' };
  const drafts = await Promise.all(Array.from({ length: 20 }, () => createInvoice(ports, { tenantId, actor, input: { currency: 'EUR', lines: [{ description: 'x', quantity: '1', unitPrice: '1', taxRate: '0' }] , companyId: undefined } as any })));
  // give them clients? PAID needs lines+client: use CANCELLED->no. use custom: move to PAID requires client -> create company
  const company = await service().entities.company.create({ tenantId, id: 'cmp_01jretry000000000000000000', name: 'R', address: {}, version: 1, createdAt: 'x', updatedAt: 'x' } as any).go();
  for (const d of drafts) await ports.invoices.commit({ before: d, after: { ...d, version: 2, client: { kind: 'company', id: company.data.id, name: 'R' } }, timeline: [], events: [] });
  log.length = 0;
  const t1 = ms();
  const res = await Promise.allSettled(drafts.map((d) => moveInvoiceStage(ports, { tenantId, invoiceId: d.id, to: 'PAID', actor })));
  console.log(res.map((r) => r.status).join(','), 'total', ms() - t1);
  console.log(log.join('\n'));
}, 120000);
