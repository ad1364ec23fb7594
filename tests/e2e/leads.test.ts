import { beforeAll, describe, expect, it } from 'vitest';
import { aLead } from '../fixtures/builders';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;

let api: ApiClient;
let otherApi: ApiClient;

beforeAll(async () => {
  const acme = await makeTenant('Acme');
  const other = await makeTenant('Other');
  api = apiClient(url, acme.adminKey);
  otherApi = apiClient(url, other.adminKey);
});

describe('leads', () => {
  it('creates a lead in the first stage, reads, updates with If-Match and deletes it', async () => {
    // Prepare
    const created = await api.post('/v1/leads', aLead());

    // Act
    const fetched = await api.get(`/v1/leads/${created.body.id}`);
    const patched = await api.patch(`/v1/leads/${created.body.id}`, { topic: 'Shop', contact: { phone: null } }, { 'if-match': '1' });
    const stale = await api.patch(`/v1/leads/${created.body.id}`, { topic: 'Other' }, { 'if-match': '1' });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^lead_[0-9a-z]{26}$/);
    expect(created.body).toMatchObject({ stage: 'NEW', status: 'open', version: 1, city: 'Sevilla' });
    expect(created.body).not.toHaveProperty('tenantId');
    expect(fetched.body).toEqual(created.body);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ topic: 'Shop', version: 2 });
    expect(patched.body.contact).toEqual({ firstName: 'Marta', lastName: 'Gómez', email: 'marta@nandu.example' });
    expect(stale.status).toBe(409);
    expect(stale.body.errors).toEqual([{ field: 'version', message: 'expected 2' }]);

    expect((await api.del(`/v1/leads/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/v1/leads/${created.body.id}`)).status).toBe(404);
  });

  it('refuses a stage move with 422 listing every missing required field, then moves once they are there', async () => {
    // Prepare: no e-mail, no phone, no topic
    const lead = (await api.post('/v1/leads', aLead({ contact: { firstName: 'Ana', lastName: 'Ruiz' }, topic: undefined }))).body;

    // Act
    const refused = await api.post(`/v1/leads/${lead.id}/stage`, { stage: 'QUALIFIED' });
    await api.patch(`/v1/leads/${lead.id}`, { contact: { email: 'ana@example.com' }, topic: 'ERP' });
    const moved = await api.post(`/v1/leads/${lead.id}/stage`, { stage: 'QUALIFIED' }, { 'if-match': '2' });

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.errors).toEqual([
      { field: 'contact.email', message: 'contact e-mail or phone is required' },
      { field: 'topic', message: 'topic is required' },
    ]);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stage: 'QUALIFIED', status: 'open', version: 3 });
  });

  it('refuses creating a lead in a stage it does not qualify for, listing what is missing', async () => {
    const res = await api.post('/v1/leads', aLead({ stage: 'QUALIFIED', contact: { firstName: 'A', lastName: 'B' }, topic: undefined }));

    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['contact.email', 'topic']);
  });

  it('applies the pipeline rules: unknown stage 422, CONVERTED only by conversion 422, a junk lead is final 409, stale version 409', async () => {
    const lead = (await api.post('/v1/leads', aLead())).body;

    const unknown = await api.post(`/v1/leads/${lead.id}/stage`, { stage: 'WON' });
    const converted = await api.post(`/v1/leads/${lead.id}/stage`, { stage: 'CONVERTED' });
    const staleMove = await api.post(`/v1/leads/${lead.id}/stage`, { stage: 'IN_PROGRESS', version: 7 });
    const junk = await api.post(`/v1/leads/${lead.id}/stage`, { stage: 'JUNK' });
    const back = await api.post(`/v1/leads/${lead.id}/stage`, { stage: 'NEW' });
    const edit = await api.patch(`/v1/leads/${lead.id}`, { topic: 'x' });
    const convert = await api.post(`/v1/leads/${lead.id}/convert`, {});

    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('stage');
    expect(converted.status).toBe(422);
    expect(staleMove.status).toBe(409);
    expect(junk.status).toBe(200);
    expect(junk.body).toMatchObject({ stage: 'JUNK', status: 'junk' });
    expect(junk.body.closedAt).toEqual(expect.any(String));
    expect([back.status, edit.status, convert.status]).toEqual([409, 409, 409]);
  });

  it('lists leads newest first with a cursor, and by stage', async () => {
    const tenant = await makeTenant('Lister');
    const client = apiClient(url, tenant.adminKey);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.post('/v1/leads', aLead({ title: `L${i}` }))).body.id);
    await client.post(`/v1/leads/${ids[1]}/stage`, { stage: 'IN_PROGRESS' });
    await client.post(`/v1/leads/${ids[3]}/stage`, { stage: 'IN_PROGRESS' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: { id: string }[]; nextCursor: string | null } } = await client.get(
        `/v1/leads?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...res.body.data.map((l) => l.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const inProgress = await client.get('/v1/leads?stage=IN_PROGRESS');

    expect(seen).toEqual([...ids].reverse());
    expect(inProgress.body.data.map((l: { id: string }) => l.id)).toEqual([ids[3], ids[1]]);
  });

  it('validates the body: unknown fields, bad e-mail, missing last name', async () => {
    const cases: [unknown, string][] = [
      [aLead({ color: 'red' }), 'color'],
      [aLead({ contact: { firstName: 'A', lastName: 'B', email: 'nope' } }), 'contact.email'],
      [aLead({ contact: { firstName: 'A' } }), 'contact.lastName'],
      [aLead({ company: { taxId: 'B1' } }), 'company.name'],
      [aLead({ status: 'converted' }), 'status'],
    ];
    for (const [body, field] of cases) {
      const res = await api.post('/v1/leads', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it("answers 404 for another tenant's lead on every route", async () => {
    const lead = (await api.post('/v1/leads', aLead())).body;

    const results = await Promise.all([
      otherApi.get(`/v1/leads/${lead.id}`),
      otherApi.patch(`/v1/leads/${lead.id}`, { topic: 'x' }),
      otherApi.post(`/v1/leads/${lead.id}/stage`, { stage: 'IN_PROGRESS' }),
      otherApi.post(`/v1/leads/${lead.id}/convert`, { onDuplicate: 'create' }),
      otherApi.del(`/v1/leads/${lead.id}`),
    ]);

    expect(results.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect((await otherApi.get('/v1/leads')).body.data).toEqual([]);
    expect((await api.get(`/v1/leads/${lead.id}`)).body).toEqual(lead);
  });

  it('lets a viewer read but not write leads', async () => {
    const tenant = await makeTenant('Roles');
    const viewer = apiClient(url, tenant.keys.viewer);
    const accountant = apiClient(url, tenant.keys.accountant);

    expect((await viewer.get('/v1/leads')).status).toBe(200);
    expect((await viewer.post('/v1/leads', aLead())).status).toBe(403);
    expect((await accountant.post('/v1/leads', aLead())).status).toBe(403);
    expect((await apiClient(url, tenant.keys.manager).post('/v1/leads', aLead())).status).toBe(201);
  });

  it("uses the tenant's own lead pipeline once saved (GET|PUT /v1/pipelines/lead)", async () => {
    // Prepare
    const tenant = await makeTenant('Pipelines');
    const admin = apiClient(url, tenant.adminKey);
    const defaults = await admin.get('/v1/pipelines/lead');
    const stages = [
      { id: 'NEW', name: 'New', kind: 'open', requiredFields: [] },
      { id: 'CALLED', name: 'Called', kind: 'open', requiredFields: ['contact.emailOrPhone', 'city'] },
      { id: 'CONVERTED', name: 'Converted', kind: 'success', requiredFields: [] },
      { id: 'LOST', name: 'Lost', kind: 'failure', requiredFields: [] },
    ];

    // Act
    const saved = await admin.put('/v1/pipelines/lead', { stages, version: 0 });
    const lead = (await admin.post('/v1/leads', aLead({ city: undefined }))).body;
    const refused = await admin.post(`/v1/leads/${lead.id}/stage`, { stage: 'CALLED' });
    const oldStage = await admin.post(`/v1/leads/${lead.id}/stage`, { stage: 'QUALIFIED' });
    const invalid = await admin.put('/v1/pipelines/lead', { stages: stages.filter((st) => st.kind !== 'success') });
    const stranding = await admin.put('/v1/pipelines/lead', { stages: stages.filter((st) => st.id !== 'NEW') });
    const byManager = await apiClient(url, tenant.keys.manager).put('/v1/pipelines/lead', { stages });

    // Assess
    expect(defaults.body).toMatchObject({ entity: 'lead', version: 0 });
    expect(defaults.body.stages.map((st: { id: string }) => st.id)).toEqual(['NEW', 'IN_PROGRESS', 'QUALIFIED', 'CONVERTED', 'JUNK']);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ entity: 'lead', version: 1, stages });
    expect((await admin.get('/v1/pipelines/lead')).body.version).toBe(1);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ field: 'city', message: 'city is required' }]);
    expect(oldStage.status).toBe(422);
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toEqual([{ field: 'stages', message: 'a pipeline needs at least one success stage' }]);
    expect(stranding.status).toBe(409);
    expect(byManager.status).toBe(403);
    expect((await apiClient(url, tenant.keys.viewer).get('/v1/pipelines/lead')).status).toBe(200);
  });
});
