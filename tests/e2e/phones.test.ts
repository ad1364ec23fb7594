/**
 * Phones through the API: each is validated in its record's country (the address country; a lead, which has none,
 * needs the country code) and stored as typed with its E.164 form beside it (`phoneE164`), which SMS go to.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aContact, aLine } from '../fixtures/builders';
import { eventually, smsTo } from '../fixtures/outbox';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
let api: ApiClient;

beforeAll(async () => {
  const tenant = await makeTenant('Phones Co');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
});

const addressIn = (country: string) => ({ line1: 'Main street 1', city: 'City', postalCode: '10000', country });

describe('phones', () => {
  it.each([
    ['ES', '91 123 45 67', '+34911234567'],
    ['ES', '+34 611-222-333', '+34611222333'],
    ['RU', '8 (495) 123-45-67', '+74951234567'],
    ['RO', '0721 234 567', '+40721234567'],
    ['GB', '020 7946 0958', '+442079460958'],
  ])('a company in %s with %j is stored as typed, with %s beside it', async (country, phone, e164) => {
    // no tax id: the builder's is Spanish, and a tax id is checked against the address's country
    const res = await api.post('/v1/companies', aCompany({ phone, address: addressIn(country), taxId: undefined }));

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ phone, phoneE164: e164 });
    expect((await api.get(`/v1/companies/${res.body.id}`)).body.phoneE164).toBe(e164);
  });

  it('refuses a number that is not valid in its country, naming the field (422)', async () => {
    const invalid = await api.post('/v1/companies', aCompany({ phone: '123 45 67', address: addressIn('ES') }));
    const tooShort = await api.post('/v1/companies', aCompany({ phone: '+34 600 12 34', address: addressIn('ES') }));
    const national = await api.post('/v1/contacts', aContact({ phone: '611 222 333', address: undefined })); // no address: no country to read it in

    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toEqual([{ field: 'phone', message: 'is not a valid phone number in ES' }]);
    expect(tooShort.status).toBe(422);
    expect(national.status).toBe(422);
    expect(national.body.errors[0]).toMatchObject({ field: 'phone', message: expect.stringMatching(/country code/) });
  });

  it("reads a changed phone in the record's stored country, and clears the E.164 form with the phone", async () => {
    const contact = (await api.post('/v1/contacts', aContact({ phone: '+40 721 234 567', address: addressIn('RO') }))).body;

    const changed = await api.patch(`/v1/contacts/${contact.id}`, { phone: '0745 123 456' });
    const cleared = await api.patch(`/v1/contacts/${contact.id}`, { phone: null });

    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ phone: '0745 123 456', phoneE164: '+40745123456' });
    expect(cleared.status).toBe(200);
    expect(cleared.body.phone).toBeUndefined();
    expect(cleared.body.phoneE164).toBeUndefined();
  });

  it("needs a lead's phone with its country code, and stores its E.164 form", async () => {
    const lead = await api.post('/v1/leads', { title: 'Roof', contact: { firstName: 'Ana', lastName: 'Gil', phone: '+34 611 222 444' } });
    const national = await api.post('/v1/leads', { title: 'Roof', contact: { firstName: 'Ana', lastName: 'Gil', phone: '611 222 444' } });

    expect(lead.status).toBe(201);
    expect(lead.body.contact).toMatchObject({ phone: '+34 611 222 444', phoneE164: '+34611222444' });
    expect(national.status).toBe(422);
    expect(national.body.errors[0].field).toBe('contact.phone');
  });

  it("sends an invoice's SMS to the client's E.164 number, however it was typed", async () => {
    // Prepare: a Spanish company whose phone was typed in the national form
    const digits = String(Date.now()).slice(-7);
    const company = (
      await api.post('/v1/companies', aCompany({ phone: `61${digits.slice(0, 1)} ${digits.slice(1, 4)} ${digits.slice(4)}`, address: addressIn('ES') }))
    ).body;
    const invoice = (await api.post('/v1/invoices', { companyId: company.id, currency: 'EUR', dueDate: '2026-12-31', lines: [aLine()] })).body;
    expect((await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' })).status).toBe(200);
    await stack().settle();

    // Act
    const sent = await api.post(`/v1/invoices/${invoice.id}/send`, { channel: 'sms' });

    // Assess
    expect(sent.status).toBe(202);
    const [sms] = await eventually(async () => {
      const m = await smsTo(`+3461${digits}`);
      return m.length ? m : undefined;
    }, 'the SMS');
    expect(sms.phoneNumber).toBe(`+3461${digits}`);
    const refused = await api.post(`/v1/invoices/${invoice.id}/send`, { channel: 'sms', to: '+34 600 12 34' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].field).toBe('to');
  });
});
