import { describe, expect, it } from 'vitest';
import { Conflict, RuleViolation } from '../../../functions/domain/kernel/errors';
import { createLead, moveLead, updateLead, type Lead, type LeadPorts } from '../../../functions/domain/sales/lead';
import { memoryStore, pipelines } from '../../fixtures/sales-fakes';

const T = 'ten_1';

function ports(): LeadPorts & { leads: ReturnType<typeof memoryStore<Lead>> } {
  return { leads: memoryStore<Lead>((l, f) => !f.stage || l.stage === f.stage), pipelines };
}

const input = { title: 'Website', contact: { firstName: 'Ana', lastName: 'Ruiz' } };

describe('leads', () => {
  it('starts a lead in the pipeline\'s first stage, open', async () => {
    const lead = await createLead(ports(), T, input);
    expect(lead).toMatchObject({ stage: 'NEW', status: 'open', version: 1, tenantId: T });
    expect(lead.id).toMatch(/^lead_/);
  });

  it('lists every field a stage requires that the lead lacks', async () => {
    const p = ports();
    const lead = await createLead(p, T, input);

    const error = await moveLead(p, T, lead.id, 'QUALIFIED').catch((e) => e);

    expect(error).toBeInstanceOf(RuleViolation);
    expect(error.errors).toEqual([
      { field: 'contact.email', message: 'contact e-mail or phone is required' },
      { field: 'topic', message: 'topic is required' },
    ]);
  });

  it('accepts a phone instead of an e-mail', async () => {
    const p = ports();
    const lead = await createLead(p, T, { ...input, contact: { ...input.contact, phone: '+34 600 000 000' } });
    expect(await moveLead(p, T, lead.id, 'IN_PROGRESS')).toMatchObject({ stage: 'IN_PROGRESS', version: 2 });
  });

  it('refuses the success stage (conversion only), unknown stages, and moves out of a final stage', async () => {
    const p = ports();
    const lead = await createLead(p, T, input);
    await expect(moveLead(p, T, lead.id, 'CONVERTED')).rejects.toBeInstanceOf(RuleViolation);
    await expect(moveLead(p, T, lead.id, 'NOPE')).rejects.toBeInstanceOf(RuleViolation);
    const junk = await moveLead(p, T, lead.id, 'JUNK');
    expect(junk.status).toBe('junk');
    await expect(moveLead(p, T, lead.id, 'NEW')).rejects.toBeInstanceOf(Conflict);
  });

  it('merges contact changes, clears with null, and keeps the current stage satisfied', async () => {
    const p = ports();
    const lead = await createLead(p, T, { ...input, contact: { ...input.contact, email: 'a@b.c' }, stage: 'IN_PROGRESS' });

    const renamed = await updateLead(p, T, lead.id, { contact: { firstName: 'Ana María' }, company: { name: 'Ruiz SL' } });
    const cleared = updateLead(p, T, lead.id, { contact: { email: null } });

    expect(renamed.contact).toEqual({ firstName: 'Ana María', lastName: 'Ruiz', email: 'a@b.c' });
    expect(renamed.company).toEqual({ name: 'Ruiz SL' });
    await expect(cleared).rejects.toMatchObject({ kind: 'rule_violation', errors: [{ field: 'contact.email', message: 'contact e-mail or phone is required' }] });
  });

  it('refuses a stale version', async () => {
    const p = ports();
    const lead = await createLead(p, T, input);
    await expect(updateLead(p, T, lead.id, { title: 'x' }, 2)).rejects.toMatchObject({ kind: 'conflict' });
  });
});
