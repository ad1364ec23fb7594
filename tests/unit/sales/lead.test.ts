import { describe, expect, it } from 'vitest';
import { Conflict, RuleViolation } from '../../../functions/domain/kernel';
import { Lead, type LeadPorts } from '../../../functions/domain/sales';
import { memoryStore, pipelines, USER } from '../../fixtures/sales-fakes';

const T = 'ten_1';

function ports(): LeadPorts & { leads: ReturnType<typeof memoryStore<Lead.Info>> } {
  return { leads: memoryStore<Lead.Info>((l, f) => !f.stage || l.stage === f.stage), pipelines };
}

const input = { title: 'Website', contact: { firstName: 'Ana', lastName: 'Ruiz' } };

describe('leads', () => {
  it("starts a lead in the pipeline's first stage, open", async () => {
    const lead = await Lead.create(ports(), { tenantId: T, actor: USER, input: input });
    expect(lead).toMatchObject({ stage: 'NEW', status: 'open', version: 1, tenantId: T });
    expect(lead.id).toMatch(/^lead_/);
  });

  it('lists every field a stage requires that the lead lacks', async () => {
    const p = ports();
    const lead = await Lead.create(p, { tenantId: T, actor: USER, input: input });

    const error = await Lead.moveToStage(p, { tenantId: T, id: lead.id, actor: USER, to: 'QUALIFIED' }).catch((e) => e);

    expect(error).toBeInstanceOf(RuleViolation);
    expect(error.errors).toEqual([
      { field: 'contact.email', message: 'contact e-mail or phone is required' },
      { field: 'topic', message: 'topic is required' },
    ]);
  });

  it('accepts a phone instead of an e-mail', async () => {
    const p = ports();
    const lead = await Lead.create(p, { tenantId: T, actor: USER, input: { ...input, contact: { ...input.contact, phone: '+34 600 000 000' } } });
    expect(await Lead.moveToStage(p, { tenantId: T, id: lead.id, actor: USER, to: 'IN_PROGRESS' })).toMatchObject({ stage: 'IN_PROGRESS', version: 2 });
  });

  it('refuses the success stage (conversion only), unknown stages, and moves out of a final stage', async () => {
    const p = ports();
    const lead = await Lead.create(p, { tenantId: T, actor: USER, input: input });
    await expect(Lead.moveToStage(p, { tenantId: T, id: lead.id, actor: USER, to: 'CONVERTED' })).rejects.toBeInstanceOf(RuleViolation);
    await expect(Lead.moveToStage(p, { tenantId: T, id: lead.id, actor: USER, to: 'NOPE' })).rejects.toBeInstanceOf(RuleViolation);
    const junk = await Lead.moveToStage(p, { tenantId: T, id: lead.id, actor: USER, to: 'JUNK' });
    expect(junk.status).toBe('junk');
    await expect(Lead.moveToStage(p, { tenantId: T, id: lead.id, actor: USER, to: 'NEW' })).rejects.toBeInstanceOf(Conflict);
  });

  it('merges contact changes, clears with null, and keeps the current stage satisfied', async () => {
    const p = ports();
    const lead = await Lead.create(p, { tenantId: T, actor: USER, input: { ...input, contact: { ...input.contact, email: 'a@b.c' }, stage: 'IN_PROGRESS' } });

    const renamed = await Lead.update(p, {
      tenantId: T,
      id: lead.id,
      actor: USER,
      changes: { contact: { firstName: 'Ana María' }, company: { name: 'Ruiz SL' } },
    });
    const cleared = Lead.update(p, { tenantId: T, id: lead.id, actor: USER, changes: { contact: { email: null } } });

    expect(renamed.contact).toEqual({ firstName: 'Ana María', lastName: 'Ruiz', email: 'a@b.c' });
    expect(renamed.company).toEqual({ name: 'Ruiz SL' });
    await expect(cleared).rejects.toMatchObject({
      kind: 'rule_violation',
      errors: [{ field: 'contact.email', message: 'contact e-mail or phone is required' }],
    });
  });

  it('refuses a stale version', async () => {
    const p = ports();
    const lead = await Lead.create(p, { tenantId: T, actor: USER, input: input });
    await expect(Lead.update(p, { tenantId: T, id: lead.id, actor: USER, changes: { title: 'x' }, expectedVersion: 2 })).rejects.toMatchObject({
      kind: 'conflict',
    });
  });
});
