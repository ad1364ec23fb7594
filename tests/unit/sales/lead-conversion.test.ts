import { describe, expect, it, vi } from 'vitest';
import { Duplicates, type DuplicateMatch } from '../../../functions/domain/clients';
import { Conflict, DEFAULT_PIPELINES, RuleViolation } from '../../../functions/domain/kernel';
import { LeadConversion, type CommitOutcome, type ConversionPlan, type ConversionPorts, type Lead } from '../../../functions/domain/sales';
import { aCompanyRecord, aContactRecord, defaultCurrency, memoryClients, memoryStore, USER } from '../../fixtures/sales-fakes';

const { leadKeys } = LeadConversion;
const groupCandidates = Duplicates.group;

const T = 'ten_1';

function aLeadRecord(overrides: Partial<Lead.Info> = {}): Lead.Info {
  return {
    tenantId: T,
    id: 'lead_01',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    title: 'Website',
    contact: { firstName: 'Marta', lastName: 'Gómez', email: 'marta@nandu.example', phone: '+34 622 333 444' },
    company: { name: 'Ñandú S.L.', taxId: 'B-87654323' },
    city: 'Sevilla',
    stage: 'NEW',
    status: 'open',
    responsibleUserId: 'usr_1',
    ...overrides,
  };
}

/** Ports around one lead, with the duplicate matches and commit outcomes a test wants. */
function setup(lead: Lead.Info, matches: DuplicateMatch[] = [], outcome: CommitOutcome = { ok: true }) {
  const leads = memoryStore<Lead.Info>();
  void leads.create(lead);
  const clients = memoryClients();
  const plans: ConversionPlan[] = [];
  const find = vi.fn(async (..._args: unknown[]) => matches);
  const ports: ConversionPorts = {
    leads,
    clients,
    duplicates: { find },
    pipelines: async (_t, entity) => DEFAULT_PIPELINES[entity],
    defaultCurrency,
    commitConversion: async (plan) => {
      plans.push(plan);
      return outcome;
    },
  };
  return { ports, plans, find, clients, leads };
}

const match = (type: 'company' | 'contact', id: string, on: DuplicateMatch['on'], createdAt = '2026-01-01T00:00:00.000Z'): DuplicateMatch => ({
  type,
  id,
  name: id,
  on,
  createdAt,
});

describe('lead lookup keys', () => {
  it('normalizes e-mail (case, spaces), phone (to E.164) and tax id (case, dashes, spaces)', () => {
    expect(
      leadKeys({
        contact: { firstName: 'a', lastName: 'b', email: '  Marta@Nandu.EXAMPLE ', phone: '0034 (622) 333-444' },
        company: { name: 'x', taxId: 'b-876 543.23' },
      }),
    ).toEqual({ emailKey: 'marta@nandu.example', phoneKey: '+34622333444', taxIdKey: 'B87654323' });
  });

  it('gives empty keys (never searched) for what the lead lacks', () => {
    expect(leadKeys({ contact: { firstName: 'a', lastName: 'b' } })).toEqual({ emailKey: '', phoneKey: '', taxIdKey: '' });
  });
});

describe('duplicate candidates', () => {
  it('merges the keys each record matched on and orders best first', () => {
    const candidates = groupCandidates([
      match('contact', 'con_old', 'phone', '2025-01-01T00:00:00.000Z'),
      match('contact', 'con_b', 'phone'),
      match('contact', 'con_b', 'email'),
      match('contact', 'con_c', 'email'),
      match('company', 'cmp_a', 'email'),
      match('company', 'cmp_t', 'taxId'),
    ]);

    expect(candidates.map((c) => [c.id, c.matchedOn])).toEqual([
      ['cmp_t', ['taxId']],
      ['cmp_a', ['email']],
      ['con_b', ['email', 'phone']],
      ['con_c', ['email']],
      ['con_old', ['phone']],
    ]);
  });
});

describe('convertLead', () => {
  it('plans company + contact + deal + event for a legal entity, the lead moving to CONVERTED with links', async () => {
    const { ports, plans, find } = setup(aLeadRecord());

    const result = await LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR' });

    expect(find).toHaveBeenCalledWith(T, { emailKey: 'marta@nandu.example', phoneKey: '+34622333444', taxIdKey: 'B87654323' }, { companies: true });
    const [plan] = plans;
    expect(plan.expectedVersion).toBe(1);
    expect(plan.company).toMatchObject({
      name: 'Ñandú S.L.',
      taxId: 'B-87654323',
      taxIdKey: 'B87654323',
      address: { city: 'Sevilla' },
      responsibleUserId: 'usr_1',
    });
    expect(plan.contact).toMatchObject({ firstName: 'Marta', companyId: plan.company!.id, emailKey: 'marta@nandu.example', phoneKey: '+34622333444' });
    expect(plan.deal).toMatchObject({
      title: 'Website',
      companyId: plan.company!.id,
      contactId: plan.contact!.id,
      leadId: 'lead_01',
      stage: 'NEW',
      amount: '0.00',
    });
    expect(plan.leadChanges).toMatchObject({
      stage: 'CONVERTED',
      status: 'converted',
      links: { dealId: plan.deal.id, contactId: plan.contact!.id, companyId: plan.company!.id },
    });
    expect(plan.events).toEqual([
      {
        tenantId: T,
        detailType: 'lead.converted',
        detail: {
          leadId: 'lead_01',
          dealId: plan.deal.id,
          contactId: plan.contact!.id,
          companyId: plan.company!.id,
          reusedContact: false,
          reusedCompany: false,
        },
      },
    ]);
    expect(result.lead).toMatchObject({ status: 'converted', version: 2 });
  });

  it('plans contact + deal only for an individual, and does not look for companies', async () => {
    const { ports, plans, find } = setup(aLeadRecord({ company: undefined }));

    const result = await LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR' });

    expect(find.mock.calls[0][2]).toEqual({ companies: false });
    expect(plans[0].company).toBeUndefined();
    expect(plans[0].contact).toMatchObject({ companyId: '', address: { city: 'Sevilla' } });
    expect(result.company).toBeUndefined();
  });

  it('refuses with the candidates when duplicates exist and the caller did not choose, committing nothing', async () => {
    const { ports, plans } = setup(aLeadRecord(), [match('contact', 'con_1', 'email'), match('company', 'cmp_1', 'taxId')]);

    const error = await LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR' }).catch((e) => e);

    expect(error).toBeInstanceOf(Conflict);
    expect(error.extra.candidates).toEqual([
      { type: 'company', id: 'cmp_1', name: 'cmp_1', matchedOn: ['taxId'] },
      { type: 'contact', id: 'con_1', name: 'con_1', matchedOn: ['email'] },
    ]);
    expect(plans).toEqual([]);
  });

  it('with "use", links the best existing company and contact and creates neither', async () => {
    const { ports, plans, clients } = setup(aLeadRecord(), [match('contact', 'con_1', 'email'), match('company', 'cmp_1', 'taxId')]);
    clients.companies.set('cmp_1', aCompanyRecord(T, { id: 'cmp_1' }));
    clients.contacts.set('con_1', aContactRecord(T, { id: 'con_1' }));

    const result = await LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR', onDuplicate: 'use' });

    expect(plans[0].company).toBeUndefined();
    expect(plans[0].contact).toBeUndefined();
    expect(plans[0].deal).toMatchObject({ companyId: 'cmp_1', contactId: 'con_1' });
    expect(result.reused).toEqual({ contact: true, company: true });
    expect(plans[0].events[0].detail).toMatchObject({ reusedContact: true, reusedCompany: true });
  });

  it('with "use" and only a contact matching, creates the company and links the existing contact', async () => {
    const { ports, plans, clients } = setup(aLeadRecord(), [match('contact', 'con_1', 'phone')]);
    clients.contacts.set('con_1', aContactRecord(T, { id: 'con_1' }));

    await LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR', onDuplicate: 'use' });

    expect(plans[0].company).toBeDefined();
    expect(plans[0].contact).toBeUndefined();
    expect(plans[0].deal).toMatchObject({ companyId: plans[0].company!.id, contactId: 'con_1' });
  });

  it('with "create", creates new records despite the matches', async () => {
    const { ports, plans } = setup(aLeadRecord(), [match('contact', 'con_1', 'email')]);

    const result = await LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR', onDuplicate: 'create' });

    expect(plans[0].contact!.id).not.toBe('con_1');
    expect(result.reused).toEqual({ contact: false, company: false });
  });

  it('refuses a converted or junk lead (409) before looking for duplicates', async () => {
    for (const status of ['converted', 'junk'] as const) {
      const { ports, find } = setup(aLeadRecord({ status }));
      await expect(LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR' })).rejects.toBeInstanceOf(Conflict);
      expect(find).not.toHaveBeenCalled();
    }
  });

  it('maps a refused transaction: the lead converted meanwhile -> already converted; edited -> stale version; collision -> conflict', async () => {
    const raced = setup(aLeadRecord(), [], { ok: false, reason: 'lead_changed' });
    raced.ports.commitConversion = async () => {
      await raced.leads.update(T, 'lead_01', { status: 'converted', links: { dealId: 'deal_x', contactId: 'con_x' } }, 1);
      return { ok: false, reason: 'lead_changed' };
    };
    const edited = setup(aLeadRecord());
    edited.ports.commitConversion = async () => {
      await edited.leads.update(T, 'lead_01', { topic: 'x' }, 1);
      return { ok: false, reason: 'lead_changed' };
    };
    const collided = setup(aLeadRecord(), [], { ok: false, reason: 'collision' });

    const input = { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR' };
    await expect(LeadConversion.convert(raced.ports, input)).rejects.toMatchObject({
      kind: 'conflict',
      message: 'the lead is already converted',
      extra: { links: { dealId: 'deal_x', contactId: 'con_x' } },
    });
    await expect(LeadConversion.convert(edited.ports, input)).rejects.toMatchObject({
      kind: 'conflict',
      errors: [{ field: 'version', message: 'expected 2' }],
    });
    await expect(LeadConversion.convert(collided.ports, input)).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(/nothing was written/),
    });
  });

  it('checks If-Match against the lead read', async () => {
    const { ports, plans } = setup(aLeadRecord({ version: 3 }));
    await expect(LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR', expectedVersion: 2 })).rejects.toMatchObject({
      kind: 'conflict',
    });
    expect(plans).toEqual([]);
  });

  it("requires what the tenant's success stage requires (422 listing it)", async () => {
    const { ports } = setup(aLeadRecord({ topic: undefined }));
    ports.pipelines = async (_t, entity) =>
      entity === 'lead'
        ? {
            stages: [
              { id: 'NEW', name: 'New', kind: 'open', requiredFields: [] },
              { id: 'WON', name: 'Won', kind: 'success', requiredFields: ['topic', 'city'] },
            ],
          }
        : DEFAULT_PIPELINES.deal;

    const error = await LeadConversion.convert(ports, { tenantId: T, id: 'lead_01', actor: USER, currency: 'EUR' }).catch((e) => e);

    expect(error).toBeInstanceOf(RuleViolation);
    expect(error.errors).toEqual([{ field: 'topic', message: 'topic is required' }]);
  });
});
