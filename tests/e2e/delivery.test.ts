import { randomUUID } from 'node:crypto';
import { inject, beforeAll, describe, expect, it } from 'vitest';
import { aCompany } from '../fixtures/builders';
import { FlakyProxy } from '../fixtures/flaky-proxy';
import { emailsTo, eventually, sentMinutesAgo, smsTo } from '../fixtures/outbox';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

// SES behind a proxy that can drop connections: a send that dies between render and e-mail.
const sesProxy = new FlakyProxy('http://placeholder');
const stack = useLocalStack({
  env: async () => {
    (sesProxy as unknown as { target: string }).target = inject('endpoints').ses;
    return { SES_ENDPOINT: await sesProxy.start() };
  },
});
let api: ApiClient;
let tenantId: string;

beforeAll(async () => {
  const tenant = await makeTenant('Delivery Co');
  tenantId = tenant.tenantId;
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
  const settings = await api.put('/v1/settings', {
    name: 'Delivery Co',
    legalName: 'Delivery Company S.L.',
    taxId: 'B87654323',
    locale: 'en',
    senderName: 'Delivery Co',
    address: { line1: 'Gran Vía 2', city: 'Madrid', postalCode: '28013', country: 'ES' },
    bankAccount: { iban: 'ES9121000418450200051332' },
    version: undefined,
  });
  if (settings.status >= 300 && settings.status !== 404) throw new Error(`settings: ${settings.status} ${JSON.stringify(settings.body)}`);
});

async function anInvoice(overrides: { email?: string | null; phone?: string } = {}) {
  const email = overrides.email === undefined ? `client-${randomUUID().slice(0, 8)}@example.com` : overrides.email;
  const company = await api.post(
    '/v1/companies',
    aCompany({ legalName: 'Cliente Ejemplar S.L.', email: email ?? undefined, phone: overrides.phone ?? '+34 600 111 222' }),
  );
  const invoice = await api.post('/v1/invoices', {
    companyId: company.body.id,
    currency: 'EUR',
    dueDate: '2026-12-31',
    lines: [
      { description: 'Consulting', quantity: '10', unitPrice: '95.00', taxRate: '21' },
      { description: 'Travel', quantity: '1', unitPrice: '100.00', taxRate: '21' },
    ],
  });
  expect(invoice.status).toBe(201);
  return { invoice: invoice.body, email, company: company.body };
}

const stageOf = async (id: string) => (await api.get(`/v1/invoices/${id}`)).body.stage;

/** What a mail client sends when a person opens the e-mail (no proxy, no scanner). */
const MAIL_CLIENT = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)' };

/** An invoice moved to SENT, once its e-mail has arrived and the stack is idle, with the e-mail's open pixel. */
async function anEmailedInvoice(): Promise<{ invoice: Awaited<ReturnType<typeof anInvoice>>['invoice']; pixel: string }> {
  const { invoice, email } = await anInvoice();
  await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
  const [mail] = await eventually(async () => {
    const m = await emailsTo(email!);
    return m.length ? m : undefined;
  }, 'the e-mail');
  await stack().settle();
  return { invoice, pixel: /src="([^"]+\/open\.gif)"/.exec(mail.body.html ?? '')![1] };
}

describe('the scenario the product is bought for', () => {
  it('SENT renders the PDF and e-mails it; opening the e-mail moves the invoice to VIEWED; the timeline shows every step', async () => {
    // Prepare
    const { invoice, email } = await anInvoice();

    // Act: the manager moves the invoice to "Sent to client"
    const moved = await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    expect(moved.status).toBe(200);
    const number = moved.body.number as string;
    expect(number).toMatch(/^INV-\d{4}-\d{6}$/);

    // Assess: exactly one e-mail with the PDF, whose text has the number, the client's legal name and the total
    const [mail] = await eventually(async () => {
      const m = await emailsTo(email!);
      return m.length ? m : undefined;
    }, 'the invoice e-mail');
    await stack().settle();
    expect(await emailsTo(email!)).toHaveLength(1);
    expect(mail.subject).toContain(number);
    expect(mail.from).toContain('Delivery Co');
    expect(mail.replyTo.join()).toContain('admin@example.com'); // the responsible user answers replies
    const pdf = mail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.filename).toBe(`${number}.pdf`);
    const text = await pdfText(Buffer.from(pdf!.content, 'base64'));
    expect(text).toContain(number);
    expect(text).toContain('Cliente Ejemplar S.L.');
    expect(text).toContain('1,270.50');
    const pixel = /src="([^"]+\/open\.gif)"/.exec(mail.body.html ?? '')?.[1];
    expect(pixel).toBeDefined();

    // A scanner fetches the pixel as the e-mail arrives: recorded as an unverified open, the invoice stays SENT
    const gif = await fetch(pixel!, { headers: MAIL_CLIENT });
    expect(gif.headers.get('content-type')).toBe('image/gif');
    await stack().settle();
    expect(await stageOf(invoice.id)).toBe('SENT');

    // The client opens the e-mail later: the pixel is fetched by their mail client
    await sentMinutesAgo(api, tenantId, invoice.id);
    await fetch(pixel!, { headers: MAIL_CLIENT });
    await eventually(async () => (await stageOf(invoice.id)) === 'VIEWED', 'the move to VIEWED');

    await stack().settle();
    const timeline = (await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string; data: Record<string, unknown> }[];
    const kinds = timeline.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['created', 'stage_changed', 'document_created', 'message_sent', 'email_opened_unverified', 'email_opened']));
    expect(timeline.find((e) => e.kind === 'email_opened_unverified')!.data.reason).toMatch(/s after sending/);
    expect(kinds.indexOf('document_created')).toBeLessThan(kinds.indexOf('message_sent'));
    expect(timeline.filter((e) => e.kind === 'stage_changed').map((e) => e.data.to)).toEqual(['SENT', 'VIEWED']);
    const sent = timeline.find((e) => e.kind === 'message_sent')!;
    expect(sent.data.providerMessageId).toBe(mail.messageId);
  });

  it('sends by SMS with the public link; opening the link records a view, redirects to the PDF and moves to VIEWED', async () => {
    const phone = `+3461${String(Date.now()).slice(-7)}`;
    const { invoice } = await anInvoice({ phone });
    await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    await stack().settle();

    const sent = await api.post(`/v1/invoices/${invoice.id}/send`, { channel: 'sms' });
    expect(sent.status).toBe(202);
    const [sms] = await eventually(async () => {
      const m = await smsTo(phone);
      return m.length ? m : undefined;
    }, 'the SMS');
    const link = /(http\S+\/p\/[A-Za-z0-9_-]+)/.exec(sms.message)?.[1];
    expect(link).toBeDefined();
    expect(sms.message.length).toBeLessThanOrEqual(306);

    const res = await fetch(link!, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const pdfRes = await fetch(res.headers.get('location')!);
    expect(pdfRes.status).toBe(200);
    expect(await pdfText(new Uint8Array(await pdfRes.arrayBuffer()))).toContain('Cliente Ejemplar S.L.');

    await eventually(async () => (await stageOf(invoice.id)) === 'VIEWED', 'the move to VIEWED');
    await stack().settle();
    const kinds = ((await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string }[]).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['message_sent', 'viewed']));
  });

  it('answers 422 when the client has no e-mail, and 404 with no hint for unknown or revoked links', async () => {
    const { invoice } = await anInvoice({ email: null });
    expect((await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' })).status).toBe(200);
    const res = await api.post(`/v1/invoices/${invoice.id}/send`, { channel: 'email' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'client.email', message: 'required to send' }]);

    const unknown = await fetch(`${stack().apiUrl}/p/${'A'.repeat(32)}`);
    const garbage = await fetch(`${stack().apiUrl}/p/nope`);
    expect(unknown.status).toBe(404);
    expect(garbage.status).toBe(404);
    expect(await unknown.text()).toBe(await garbage.text());
  });
});

describe('public links', () => {
  it('stop working once revoked, answering exactly like an unknown token', async () => {
    const { invoice } = await anInvoice();
    const doc = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
    expect(doc.status).toBe('pending');
    await eventually(async () => (await api.get(`/v1/documents/${doc.id}`)).body.status === 'ready', 'the render');
    const ready = (await api.get(`/v1/documents/${doc.id}`)).body;
    expect(ready.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new URL(ready.publicUrl).pathname.split('/').pop()!.length).toBeGreaterThanOrEqual(22); // >= 128 bits
    expect((await fetch(ready.publicUrl, { redirect: 'manual' })).status).toBe(302);
    expect((await fetch(ready.pdfUrl)).status).toBe(200);

    expect((await api.del(`/v1/documents/${doc.id}/public-link`)).status).toBe(204);

    const revoked = await fetch(ready.publicUrl, { redirect: 'manual' });
    const unknown = await fetch(`${stack().apiUrl}/p/${'B'.repeat(32)}`);
    expect(revoked.status).toBe(404);
    expect(await revoked.text()).toBe(await unknown.text());
  });

  it('expire: a link past its lifetime answers like an unknown one', async () => {
    const { invoice } = await anInvoice();
    const doc = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
    await eventually(async () => (await api.get(`/v1/documents/${doc.id}`)).body.status === 'ready', 'the render');
    const token = new URL(doc.publicUrl).pathname.split('/').pop()!;
    const { service } = await import('../../functions/shared/wiring/core');
    const { documents: delivery } = await import('../../functions/shared/wiring/documents');
    const { PublicLink } = await import('../../functions/domain/documents');
    const link = await delivery().links.get(PublicLink.idOf(token));
    expect(Date.parse(link!.expiresAt!) - Date.now()).toBeGreaterThan(399 * 86_400_000);
    expect((await fetch(doc.publicUrl, { redirect: 'manual' })).status).toBe(302);

    // a year and more later (the stored expiry moved into the past)
    await service()
      .entities.publicLink.patch({ id: PublicLink.idOf(token) })
      .set({ expiresAt: '2020-01-01T00:00:00.000Z' })
      .go();

    const expired = await fetch(doc.publicUrl, { redirect: 'manual' });
    const unknown = await fetch(`${stack().apiUrl}/p/${'C'.repeat(32)}`);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toBe(await unknown.text());
  });

  it('refuses a document with a template that does not exist', async () => {
    const { invoice } = await anInvoice();
    const res = await api.post(`/v1/invoices/${invoice.id}/documents`, { templateId: `tpl_${'0'.repeat(26)}` });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'templateId', message: 'no such template' }]);
    expect((await api.get(`/v1/invoices/${invoice.id}/documents`)).body.data).toEqual([]);
  });

  it('an open of a paid invoice moves nothing backwards', async () => {
    const { invoice, pixel } = await anEmailedInvoice();
    expect((await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'PAID' })).status).toBe(200);

    await sentMinutesAgo(api, tenantId, invoice.id);
    await fetch(pixel, { headers: MAIL_CLIENT });
    await stack().settle();

    expect(await stageOf(invoice.id)).toBe('PAID');
    const opened = stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && e.detail.subjectId === invoice.id);
    expect(opened).toHaveLength(1);
  });

  it('handles a link view and an e-mail open arriving together: VIEWED once, nothing dead-lettered', async () => {
    const { invoice, pixel } = await anEmailedInvoice();
    await sentMinutesAgo(api, tenantId, invoice.id);

    await Promise.all([fetch(pixel, { headers: MAIL_CLIENT }), fetch(pixel.replace('/open.gif', ''), { redirect: 'manual' })]);
    await stack().settle();

    expect(await stageOf(invoice.id)).toBe('VIEWED');
    const moves = stack().bus.received.filter(
      (e) => e['detail-type'] === 'invoice.stage_changed' && e.detail.invoiceId === invoice.id && e.detail.to === 'VIEWED',
    );
    expect(moves).toHaveLength(1);
    expect(stack().bus.deadLetters).toEqual([]);
  });

  it('records opens by image proxies, scanners and web pages as unverified: nothing moves, a link view still does', async () => {
    // Prepare: an invoice e-mailed two minutes ago
    const { invoice, pixel } = await anEmailedInvoice();
    await sentMinutesAgo(api, tenantId, invoice.id);

    // Act: Gmail's image proxy, Apple Mail Privacy Protection, a security scanner, an e-mail viewer page (Referer)
    for (const headers of [
      { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' },
      { 'user-agent': 'Mozilla/5.0' },
      { 'user-agent': 'Mozilla/5.0 (compatible; Proofpoint URL Defense)' },
      { ...MAIL_CLIENT, referer: 'http://127.0.0.1:8005/' },
    ]) {
      expect((await fetch(pixel, { headers })).status).toBe(200);
    }
    await stack().settle();

    // Assess: counted as unverified opens, no document.viewed, still SENT; then the client opens the link: VIEWED
    const { documents: links } = await import('../../functions/shared/wiring/documents');
    const { PublicLink } = await import('../../functions/domain/documents');
    const link = await links().links.get(PublicLink.idOf(new URL(pixel).pathname.split('/')[2]));
    expect({ opens: link?.opens, unverified: link?.unverifiedOpens }).toEqual({ opens: 0, unverified: 4 });
    expect(stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && e.detail.subjectId === invoice.id)).toEqual([]);
    expect(await stageOf(invoice.id)).toBe('SENT');
    const unverified = ((await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string; data: { reason: string } }[]).filter(
      (e) => e.kind === 'email_opened_unverified',
    );
    expect(unverified.map((e) => e.data.reason)).toEqual(['Google Image Proxy (Gmail)']); // one entry per ten minutes

    expect((await fetch(pixel.replace('/open.gif', ''), { redirect: 'manual' })).status).toBe(302);
    await eventually(async () => (await stageOf(invoice.id)) === 'VIEWED', 'the move to VIEWED');
  });

  it('counts every open but emits one event per link within ten minutes (scanners and reloads cannot flood)', async () => {
    const { invoice, pixel } = await anEmailedInvoice();
    await sentMinutesAgo(api, tenantId, invoice.id);

    for (let i = 0; i < 5; i++) expect((await fetch(pixel, { headers: MAIL_CLIENT })).status).toBe(200);
    await stack().settle();

    const events = stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && e.detail.subjectId === invoice.id);
    expect(events).toHaveLength(1);
    const { documents: delivery } = await import('../../functions/shared/wiring/documents');
    const { PublicLink } = await import('../../functions/domain/documents');
    const link = await delivery().links.get(PublicLink.idOf(new URL(pixel).pathname.split('/')[2]));
    expect(link?.opens).toBe(5);
    const opens = ((await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string }[]).filter((e) => e.kind === 'email_opened');
    expect(opens).toHaveLength(1);
  });
});

describe('automation rules', () => {
  it('cannot loop: a move made by a rule does not trigger rules that move again', async () => {
    // Prepare: a tenant whose rules would bounce an invoice between SENT and VIEWED forever
    const tenant = await makeTenant('Loop Co');
    const loopApi = apiClient(() => stack().apiUrl, tenant.adminKey);
    for (const [stage, to] of [
      ['SENT', 'VIEWED'],
      ['VIEWED', 'SENT'],
    ]) {
      const rule = await loopApi.post('/v1/automation/rules', { entity: 'invoice', stage, actions: [{ type: 'move_to_stage', stage: to }] });
      expect(rule.status).toBe(201);
    }
    const company = await loopApi.post('/v1/companies', aCompany({ email: `loop-${randomUUID().slice(0, 8)}@example.com` }));
    const invoice = await loopApi.post('/v1/invoices', {
      companyId: company.body.id,
      currency: 'EUR',
      dueDate: '2026-12-31',
      lines: [{ description: 'Work', quantity: '1', unitPrice: '10.00', taxRate: '21' }],
    });

    // Act
    expect((await loopApi.post(`/v1/invoices/${invoice.body.id}/stage`, { stage: 'SENT' })).status).toBe(200);
    await stack().settle();

    // Assess: one move by the user, one by the SENT rule, and there it stops
    const moves = stack().bus.received.filter((e) => e['detail-type'] === 'invoice.stage_changed' && e.detail.invoiceId === invoice.body.id);
    expect(moves.map((e) => [e.detail.to, e.detail.actorType])).toEqual([
      ['SENT', 'user'],
      ['VIEWED', 'automation'],
    ]);
    expect((await loopApi.get(`/v1/invoices/${invoice.body.id}`)).body.stage).toBe('VIEWED');
  });
});

describe('exactly once in effect', () => {
  it('a redelivered invoice.stage_changed sends no second e-mail and renders no second document', async () => {
    const { invoice, email } = await anInvoice();
    await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    await eventually(async () => (await emailsTo(email!)).length > 0, 'the first e-mail');
    await stack().settle();

    // EventBridge delivers at least once: put the very same event on the bus again, twice
    const original = stack().bus.received.find((e) => e['detail-type'] === 'invoice.stage_changed' && e.detail.invoiceId === invoice.id)!;
    stack().bus.put(original.source, original['detail-type'], original.detail);
    stack().bus.put(original.source, original['detail-type'], original.detail);
    await stack().settle();

    expect(await emailsTo(email!)).toHaveLength(1);
    const docs = (await api.get(`/v1/invoices/${invoice.id}/documents`)).body.data;
    expect(docs).toHaveLength(1);
  });

  it('a crash between render and send resumes at the e-mail: still exactly one e-mail', async () => {
    const { invoice, email } = await anInvoice();
    // every connection to SES fails for the first delivery attempt (the SDK's own retry included)
    sesProxy.dropConnections(2);

    await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    await eventually(async () => (await emailsTo(email!)).length > 0, 'the e-mail after the retry');
    await stack().settle();

    expect(sesProxy.dropped).toBeGreaterThanOrEqual(1);
    expect(stack().bus.deadLetters).toEqual([]);
    expect(await emailsTo(email!)).toHaveLength(1);
    expect((await api.get(`/v1/invoices/${invoice.id}/documents`)).body.data).toHaveLength(1);
  });
});
