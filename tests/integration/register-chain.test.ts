import { beforeAll, describe, expect, it } from 'vitest';
import { registerRepository } from '../../functions/adapters/dynamo/register/register-repository';
import { Invoice, type InvoicePorts } from '../../functions/domain/invoicing';
import { Register } from '../../functions/domain/register';
import { invoicePortsOn } from '../../functions/shared/wiring/invoicing';
import { makeTenant, useLocalStack } from '../fixtures/stack';

/**
 * The register chain on DynamoDB Local: every issue appends its alta in the issuing transaction, two
 * "processes" (two issue queues, each grouping its issues) issuing in two series at once still form ONE
 * unbroken chain, a cancellation appends an anulación, and verification finds a tampered record.
 */
useLocalStack();

let tenantId: string;
let companyId: string;
const actor = { type: 'automation' as const, id: 'rule_test' };
const ISSUER = 'B12345674';

async function draft(ports: InvoicePorts, type: 'invoice' | 'credit_note', amount = '10') {
  const quantity = type === 'credit_note' ? '-1' : '1';
  return Invoice.create(ports, {
    tenantId,
    actor,
    input: { companyId, currency: 'EUR', type, lines: [{ description: 'x', quantity, unitPrice: amount, taxRate: '21' }], dueDate: '2030-01-01' },
  });
}

async function registers() {
  const { service } = await import('../../functions/shared/wiring/core');
  return { store: registerRepository(service()), service: service() };
}

beforeAll(async () => {
  const { service } = await import('../../functions/shared/wiring/core');
  const { tenants } = await import('../../functions/shared/wiring/tenancy');
  tenantId = (await makeTenant('Register chain')).tenantId;
  const tenant = (await tenants().getTenant(tenantId))!;
  await tenants().saveTenantSettings(tenantId, { ...tenant.settings, verifactu: { enabled: true, issuerTaxId: ISSUER } }, tenant.version);
  const created = await service()
    .entities.company.create({
      tenantId,
      id: 'cmp_01jregister0000000000000000',
      name: 'Cliente S.A.',
      legalName: 'Cliente Sociedad Anónima',
      taxId: 'B87654323',
      email: 'a@cliente.example',
      address: { line1: 'x', city: 'y', postalCode: '28001', country: 'ES' },
      version: 1,
      createdAt: 'now',
      updatedAt: 'now',
    })
    .go();
  companyId = created.data.id;
});

describe('the register chain in the issuing transaction', () => {
  it('chains concurrent issues of two series from two processes into one unbroken chain, each invoice once', async () => {
    // Prepare: two processes (own issue queues, group commit within each), invoices and credit notes
    const { service } = await import('../../functions/shared/wiring/core');
    const a = invoicePortsOn(service(), { sleep: async () => {} });
    const b = invoicePortsOn(service(), { sleep: async () => {} });
    const drafts = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => draft(i % 2 ? a : b, 'invoice', String(10 + i))),
      ...Array.from({ length: 4 }, (_, i) => draft(i % 2 ? a : b, 'credit_note', String(5 + i))),
    ]);

    // Act
    const issued = await Promise.all(drafts.map((d, i) => Invoice.moveToStage(i % 2 ? a : b, { tenantId, id: d.id, to: 'SENT', actor })));

    // Assess
    const { store } = await registers();
    const chain = await store.chain(tenantId, ISSUER);
    expect(chain).toHaveLength(10);
    expect(Register.verify(chain)).toEqual({ ok: true, records: 10 });
    expect(new Set(chain.map((e) => e.invoiceId))).toEqual(new Set(drafts.map((d) => d.id)));
    expect(chain[0].record.Encadenamiento).toEqual({ PrimerRegistro: 'S' });
    for (const invoice of issued) {
      const [entry, ...more] = await store.ofInvoice(tenantId, invoice.id);
      expect(more).toEqual([]);
      expect(entry.kind).toBe('alta');
      if (entry.kind !== 'alta') continue;
      expect(entry.record).toMatchObject({
        IDEmisorFactura: ISSUER,
        NumSerieFactura: invoice.number,
        TipoFactura: invoice.type === 'credit_note' ? 'R4' : 'F1',
        ImporteTotal: invoice.totals.total,
      });
      expect(entry.qrUrl).toContain(`numserie=${encodeURIComponent(invoice.number!)}`);
    }
    expect((await store.head(tenantId, ISSUER))?.sequence).toBe(10);
  });

  it('appends an anulación when an issued invoice is cancelled, and nothing for a draft or a repeated move', async () => {
    const { service } = await import('../../functions/shared/wiring/core');
    const ports = invoicePortsOn(service(), { sleep: async () => {} });
    const { store } = await registers();
    const before = (await store.chain(tenantId, ISSUER)).length;
    const invoice = await Invoice.moveToStage(ports, { tenantId, id: (await draft(ports, 'invoice')).id, to: 'SENT', actor });
    const never = await draft(ports, 'invoice');

    await Invoice.moveToStage(ports, { tenantId, id: invoice.id, to: 'CANCELLED', actor });
    await Invoice.moveToStage(ports, { tenantId, id: never.id, to: 'CANCELLED', actor });

    const chain = await store.chain(tenantId, ISSUER);
    expect(chain).toHaveLength(before + 2);
    expect(chain.at(-1)).toMatchObject({
      kind: 'anulacion',
      invoiceId: invoice.id,
      record: { IDEmisorFacturaAnulada: ISSUER, NumSerieFacturaAnulada: invoice.number },
    });
    expect((await store.ofInvoice(tenantId, invoice.id)).map((e) => e.kind)).toEqual(['alta', 'anulacion']);
    expect(await store.ofInvoice(tenantId, never.id)).toEqual([]);
    expect(Register.verify(chain).ok).toBe(true);
  });

  it('finds a tampered record: the first broken link names it', async () => {
    const { store, service } = await registers();
    const chain = await store.chain(tenantId, ISSUER);
    const victim = chain[3];
    const tampered = { ...victim.record, ...(victim.kind === 'alta' ? { ImporteTotal: '9999.00' } : {}) };

    // change the stored record behind the register's back (a raw update: records are read-only to the code)
    const { dynamo } = await import('../../functions/shared/wiring/core');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const key = service.entities.registerRecord.get({ tenantId, issuerTaxId: ISSUER, position: String(victim.sequence).padStart(12, '0') }).params() as {
      TableName: string;
      Key: Record<string, string>;
    };
    await dynamo().doc.send(
      new UpdateCommand({
        TableName: key.TableName,
        Key: key.Key,
        UpdateExpression: 'SET #r = :r',
        ExpressionAttributeNames: { '#r': 'record' },
        ExpressionAttributeValues: { ':r': tampered },
      }),
    );

    const result = Register.verify(await store.chain(tenantId, ISSUER));
    expect(result).toMatchObject({
      ok: false,
      records: chain.length,
      firstBroken: { sequence: victim.sequence, invoiceId: victim.invoiceId, reason: 'huella' },
    });
  });
});
