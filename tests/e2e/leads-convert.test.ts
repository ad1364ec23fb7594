import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { aCompany, aContact, aLead } from '../fixtures/builders';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;

/** A tenant of its own per test: duplicate detection must only see what the test made. */
async function freshTenant(): Promise<{ tenant: TestTenant; api: ApiClient }> {
  const tenant = await makeTenant('Converter');
  return { tenant, api: apiClient(url, tenant.adminKey) };
}

/** Every item in a tenant's partition, by entity type (test-only read of the table). */
async function partition(tenantId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const { dynamo } = await import('../../functions/shared/wiring/core');
  const { unmarshall } = await import('@aws-sdk/util-dynamodb');
  const { Items = [] } = await dynamo().client.send(
    new QueryCommand({
      TableName: stack().tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `$crm#tenantid_${tenantId}` } },
      ConsistentRead: true,
    }),
  );
  const byType: Record<string, Record<string, unknown>[]> = {};
  for (const raw of Items) {
    const item = unmarshall(raw);
    (byType[item.__edb_e__] ??= []).push(item);
  }
  return byType;
}

describe('converting a lead', () => {
  it('turns a legal-entity lead into company + contact + deal, copying what the lead has, and links the lead', async () => {
    // Prepare
    const { api } = await freshTenant();
    const lead = (await api.post('/v1/leads', aLead({ responsibleUserId: 'usr_sales1' }))).body;

    // Act
    const res = await api.post(`/v1/leads/${lead.id}/convert`, {});

    // Assess
    expect(res.status).toBe(201);
    const { deal, contact, company } = res.body;
    expect(company).toMatchObject({ name: 'Ñandú S.L.', taxId: 'B-87654323', address: { city: 'Sevilla' }, responsibleUserId: 'usr_sales1', version: 1 });
    expect(company.id).toMatch(/^cmp_/);
    expect(contact).toMatchObject({
      firstName: 'Marta',
      lastName: 'Gómez',
      email: 'marta@nandu.example',
      phone: '+34 622 333 444',
      companyId: company.id,
    });
    expect(deal).toMatchObject({
      title: 'Website redesign',
      companyId: company.id,
      contactId: contact.id,
      leadId: lead.id,
      stage: 'NEW',
      status: 'open',
      currency: 'EUR',
      lines: [],
      amount: '0.00',
      responsibleUserId: 'usr_sales1',
    });
    expect(res.body.reused).toEqual({ contact: false, company: false });

    const after = (await api.get(`/v1/leads/${lead.id}`)).body;
    expect(after).toMatchObject({
      stage: 'CONVERTED',
      status: 'converted',
      version: 2,
      links: { dealId: deal.id, contactId: contact.id, companyId: company.id },
    });
    expect((await api.get(`/v1/deals/${deal.id}`)).body).toEqual(deal);
    expect((await api.get(`/v1/contacts/${contact.id}`)).body).toEqual(contact);
    expect((await api.get(`/v1/companies/${company.id}`)).body).toEqual(company);

    await stack().settle();
    const events = stack().bus.received.filter((e) => e['detail-type'] === 'lead.converted' && e.detail.leadId === lead.id);
    expect(events).toHaveLength(1);
    expect(events[0].detail).toMatchObject({ dealId: deal.id, contactId: contact.id, companyId: company.id, reusedContact: false, reusedCompany: false });
  });

  it("turns an individual's lead into contact + deal only, with the deal title and currency asked for", async () => {
    const { api } = await freshTenant();
    const lead = (await api.post('/v1/leads', aLead({ company: undefined, city: 'Bilbao' }))).body;

    const res = await api.post(`/v1/leads/${lead.id}/convert`, { dealTitle: 'Personal website', currency: 'USD' });

    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('company');
    expect(res.body.contact).toMatchObject({ firstName: 'Marta', address: { city: 'Bilbao' } });
    expect(res.body.contact).not.toHaveProperty('companyId');
    expect(res.body.deal).toMatchObject({ title: 'Personal website', currency: 'USD', contactId: res.body.contact.id });
    expect(res.body.deal).not.toHaveProperty('companyId');
    expect(res.body.lead.links).toEqual({ dealId: res.body.deal.id, contactId: res.body.contact.id });
  });

  it('answers 409 when the lead is converted a second time, and creates nothing more', async () => {
    const { api, tenant } = await freshTenant();
    const lead = (await api.post('/v1/leads', aLead())).body;
    const first = await api.post(`/v1/leads/${lead.id}/convert`, {});
    const before = await partition(tenant.tenantId);

    const second = await api.post(`/v1/leads/${lead.id}/convert`, { onDuplicate: 'create' });

    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.body.detail).toMatch(/already converted/);
    expect(second.body.links).toEqual(first.body.lead.links);
    expect(await partition(tenant.tenantId)).toEqual(before);
  });

  it('lets exactly one of several concurrent conversions win', async () => {
    const { api, tenant } = await freshTenant();
    const lead = (await api.post('/v1/leads', aLead())).body;

    const results = await Promise.all(Array.from({ length: 5 }, () => api.post(`/v1/leads/${lead.id}/convert`, { onDuplicate: 'create' })));

    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const items = await partition(tenant.tenantId);
    expect([items.deal?.length, items.company?.length, items.contact?.length]).toEqual([1, 1, 1]);
  });
});

describe('duplicate detection', () => {
  it.each([
    {
      key: 'email',
      why: 'the same e-mail in another case',
      existing: { type: 'contact', name: 'Marta G.', body: aContact({ firstName: 'Marta', lastName: 'G.', email: 'MARTA@Nandu.Example', phone: undefined }) },
      lead: aLead({ company: undefined, contact: { firstName: 'Marta', lastName: 'Gómez', email: 'marta@nandu.example' } }),
    },
    {
      key: 'phone',
      why: 'the same phone written another way (E.164 +34622333444)',
      existing: { type: 'contact', name: 'Lucía Fernández', body: aContact({ email: undefined, phone: '+34 622 333 444' }) },
      lead: aLead({ company: undefined, contact: { firstName: 'Marta', lastName: 'Gómez', phone: '0034 (622) 333-444' } }),
    },
    {
      key: 'taxId',
      why: 'the same tax id with dashes, spaces and lower case',
      existing: { type: 'company', name: 'Nandu SL', body: aCompany({ name: 'Nandu SL', taxId: 'B87654323', email: undefined, phone: undefined }) },
      lead: aLead({ company: { name: 'Ñandú', taxId: 'b-876 543 23' }, contact: { firstName: 'Marta', lastName: 'Gómez' } }),
    },
  ])('finds a duplicate by $key ($why): 409 with candidates, then "use" links it and "create" makes a new one', async ({ key, existing, lead: leadBody }) => {
    // Prepare
    const { api } = await freshTenant();
    const path = existing.type === 'company' ? '/v1/companies' : '/v1/contacts';
    const match = (await api.post(path, existing.body)).body;
    const leadA = (await api.post('/v1/leads', leadBody)).body;
    const leadB = (await api.post('/v1/leads', leadBody)).body;

    // Act
    const refused = await api.post(`/v1/leads/${leadA.id}/convert`, {});
    const used = await api.post(`/v1/leads/${leadA.id}/convert`, { onDuplicate: 'use' });
    const created = await api.post(`/v1/leads/${leadB.id}/convert`, { onDuplicate: 'create' });

    // Assess: 409 names the candidate and the key it matched on, and nothing was converted
    expect(refused.status).toBe(409);
    expect(refused.body.candidates).toEqual([{ type: existing.type, id: match.id, name: existing.name, matchedOn: [key] }]);
    expect(refused.body.errors).toEqual([{ field: 'onDuplicate', message: expect.any(String) }]);

    // 'use' links the existing record instead of creating one
    expect(used.status).toBe(201);
    const linked = existing.type === 'company' ? used.body.company : used.body.contact;
    expect(linked.id).toBe(match.id);
    expect(used.body.reused).toEqual({ contact: existing.type === 'contact', company: existing.type === 'company' });
    expect(used.body.deal[`${existing.type}Id`]).toBe(match.id);
    if (existing.type === 'company') expect(used.body.contact.companyId).toBe(match.id);

    // 'create' makes a new one anyway
    expect(created.status).toBe(201);
    const made = existing.type === 'company' ? created.body.company : created.body.contact;
    expect(made.id).not.toBe(match.id);
    expect(created.body.reused).toEqual({ contact: false, company: false });
  });

  it('reports every key a record matched on, best candidate first, and "use" picks the best of each type', async () => {
    const { api } = await freshTenant();
    const company = (await api.post('/v1/companies', aCompany({ taxId: 'B87654323', email: 'hello@nandu.example', phone: undefined }))).body;
    const weak = (await api.post('/v1/contacts', aContact({ email: undefined, phone: '+34622333444' }))).body;
    const strong = (await api.post('/v1/contacts', aContact({ email: 'marta@nandu.example', phone: '+34 622 333 444' }))).body;
    const lead = (
      await api.post('/v1/leads', aLead({ contact: { firstName: 'Marta', lastName: 'Gómez', email: 'marta@nandu.example', phone: '+34 622 333 444' } }))
    ).body;

    const refused = await api.post(`/v1/leads/${lead.id}/convert`, {});
    const used = await api.post(`/v1/leads/${lead.id}/convert`, { onDuplicate: 'use' });

    expect(refused.status).toBe(409);
    expect(refused.body.candidates.map((c: { id: string; matchedOn: string[] }) => [c.id, c.matchedOn])).toEqual([
      [company.id, ['taxId']],
      [strong.id, ['email', 'phone']],
      [weak.id, ['phone']],
    ]);
    expect(used.body.company.id).toBe(company.id);
    expect(used.body.contact.id).toBe(strong.id);
  });

  it("does not see another tenant's clients as duplicates", async () => {
    const { api: mine } = await freshTenant();
    const { api: theirs } = await freshTenant();
    await theirs.post('/v1/companies', aCompany({ taxId: 'B87654323' }));
    await theirs.post('/v1/contacts', aContact({ email: 'marta@nandu.example' }));
    const lead = (await mine.post('/v1/leads', aLead())).body;

    const res = await mine.post(`/v1/leads/${lead.id}/convert`, {});

    expect(res.status).toBe(201);
  });
});

describe('conversion is all-or-nothing', () => {
  async function convertWithInjectedFault(inject: (plan: any, crm: any) => Promise<void>) {
    const { sales: crm } = await import('../../functions/shared/wiring/sales');
    const { LeadConversion } = await import('../../functions/domain/sales');
    const { tenant, api } = await freshTenant();
    const lead = (await api.post('/v1/leads', aLead())).body;
    const ports = crm();
    const faulty = {
      ...ports,
      commitConversion: async (plan: any) => {
        await inject(plan, ports);
        return ports.commitConversion(plan);
      },
    };
    const outcome = await LeadConversion.convert(faulty, {
      tenantId: tenant.tenantId,
      id: lead.id,
      actor: { type: 'user', id: 'usr_test' },
      currency: 'EUR',
    }).then(
      () => 'converted',
      (error: Error) => error,
    );
    return { tenant, api, lead, outcome };
  }

  it("rolls back company, contact, deal and event when the lead's condition (the LAST item) fails after a concurrent edit", async () => {
    // Prepare + Act: between the read and the transaction, someone else edits the lead
    const { tenant, api, lead, outcome } = await convertWithInjectedFault(async (plan, crm) => {
      await crm.leads.update(plan.tenantId, plan.leadId, { topic: 'edited concurrently' }, 1);
    });

    // Assess: 409 stale version, and nothing of the conversion exists
    expect(outcome).toMatchObject({ kind: 'conflict', errors: [{ field: 'version', message: 'expected 2' }] });
    const items = await partition(tenant.tenantId);
    expect(items.company).toBeUndefined();
    expect(items.contact).toBeUndefined();
    expect(items.deal).toBeUndefined();
    expect(items.outbox).toBeUndefined();
    const after = (await api.get(`/v1/leads/${lead.id}`)).body;
    expect(after).toMatchObject({ status: 'open', stage: 'NEW', version: 2, topic: 'edited concurrently' });
    expect(after).not.toHaveProperty('links');
    expect((await api.get('/v1/deals')).body.data).toEqual([]);
  });

  it("rolls back the company and contact already in the transaction when the deal's put collides", async () => {
    const { tenant, api, lead, outcome } = await convertWithInjectedFault(async (plan, crm) => {
      await crm.deals.create(plan.deal); // the deal id is taken: its put (after company and contact) fails
    });

    expect(outcome).toMatchObject({ kind: 'conflict' });
    const items = await partition(tenant.tenantId);
    expect(items.company).toBeUndefined();
    expect(items.contact).toBeUndefined();
    expect(items.deal).toHaveLength(1); // only the one the fault injected
    expect(items.outbox).toBeUndefined();
    expect((await api.get(`/v1/leads/${lead.id}`)).body).toMatchObject({ status: 'open', version: 1 });
  });
});
