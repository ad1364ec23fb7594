/**
 * The public quote page and its acceptance without a browser (a plain HTML form post, as a client without
 * JavaScript would send it, and JSON), the refusals (twice, concurrently, expired, declined), and invoices
 * made from deals and quotes: what they copy, the links both ways, one invoice per quote unless asked.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aDeal, aLine } from '../fixtures/builders';
import { eventually } from '../fixtures/outbox';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;
let tenant: TestTenant;
let api: ApiClient;
let company: { id: string };

const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  tenant = await makeTenant('Quotes Co');
  api = apiClient(url, tenant.adminKey);
  company = (await api.post('/v1/companies', aCompany({ email: `buyer-${randomUUID().slice(0, 8)}@acme.example` }))).body;
});

/** A sent quote (no e-mail: the tests below open its page themselves) and its page's token. */
async function aSentQuote(overrides: Record<string, unknown> = {}): Promise<{ quote: any; token: string; page: string }> {
  const quote = (
    await api.post('/v1/quotes', {
      companyId: company.id,
      lines: [aLine(), aLine({ description: 'Travel', quantity: '1', unitPrice: '100.00' })],
      ...overrides,
    })
  ).body;
  const sent = await api.post(`/v1/quotes/${quote.id}/send`, { delivery: 'none' });
  expect(sent.status).toBe(200);
  const token = sent.body.publicUrl.split('/p/')[1] as string;
  return { quote: sent.body, token, page: sent.body.publicUrl };
}

const form = (page: string, fields: Record<string, string>) =>
  fetch(`${page}/accept`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (NoScript) TestBrowser/1.0' },
    body: new URLSearchParams(fields).toString(),
  });

const json = (page: string, body: unknown) =>
  fetch(`${page}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A small valid PNG (1x1, transparent) as a data URL. */
const PNG_1x1 = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('the public quote page', () => {
  it('is a self-contained page with the quote, strict headers, and a form that works without JavaScript; opening it records a view', async () => {
    const { quote, page } = await aSentQuote({ notes: 'Prices include <b>installation</b>' });

    const res = await fetch(page);
    const html = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain(`Quote ${quote.number}`);
    expect(html).toContain('Acme Iberia S.L.');
    expect(html).toContain('€1,270.50'); // 10 x 95 + 100, 21% VAT, en-GB
    expect(html).toContain('Prices include &lt;b&gt;installation&lt;/b&gt;'); // escaped, never markup
    expect(html).not.toMatch(/<(link|img|iframe)\b|src="http|href="http:\/\/(?!127\.0\.0\.1)/); // nothing loaded from elsewhere
    expect(html).toMatch(/<form id="accept" method="post" action="[^"]+\/accept"/);
    expect(html).toMatch(/<input type="text" id="signerName" name="signerName" required/);
    expect(html).toMatch(/<input type="checkbox" name="consent" value="yes" required/);
    expect(html).toContain('<div id="sigbox" hidden>'); // the canvas only appears with JavaScript
    expect(html).not.toContain('Download the PDF'); // sent without a document (delivery none)

    await stack().settle();
    const views = stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && e.detail.subjectId === quote.id);
    expect(views.map((e) => [e.detail.subjectType, e.detail.via])).toEqual([['quote', 'link']]);
    const timeline = (await api.get(`/v1/quotes/${quote.id}/timeline`)).body.data;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual(['sent', 'viewed']);
  });

  it('answers 404, with no hint, for unknown tokens (GET and accept)', async () => {
    const unknown = `${url()}/p/${'B'.repeat(32)}`;
    expect((await fetch(unknown)).status).toBe(404);
    expect((await form(unknown, { signerName: 'Someone', consent: 'yes' })).status).toBe(404);
    const res = await json(unknown, { signerName: 'Someone', consent: true });
    expect(res.status).toBe(404);
  });
});

describe('accepting a quote', () => {
  it('takes a typed signature from a plain form post (no JavaScript): 303 to the page, which then shows the accepted state', async () => {
    const { quote, token, page } = await aSentQuote();

    const res = await form(page, { signerName: '  Carlos   Ruiz ', consent: 'yes', signature: '', documentId: '' });

    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${url()}/p/${token}`);
    const html = await (await fetch(res.headers.get('location')!)).text();
    expect(html).toContain('Accepted — thank you');
    expect(html).toContain('<strong>Carlos Ruiz</strong>');
    expect(html).not.toContain('<form id="accept"');

    const accepted = (await api.get(`/v1/quotes/${quote.id}`)).body;
    expect(accepted).toMatchObject({
      status: 'accepted',
      acceptedAt: expect.any(String),
      acceptance: {
        signerName: 'Carlos Ruiz',
        method: 'typed',
        signatureKey: null,
        signatureSha256: null,
        ip: '127.0.0.1',
        userAgent: 'Mozilla/5.0 (NoScript) TestBrowser/1.0',
        documentId: null,
        documentSha256: null,
      },
    });
    await stack().settle();
    const events = stack().bus.received.filter((e) => e['detail-type'] === 'quote.accepted' && e.detail.quoteId === quote.id);
    expect(events).toHaveLength(1);
    expect(events[0].detail).toMatchObject({ signerName: 'Carlos Ruiz', number: quote.number });
  });

  it('takes JSON with a drawn signature, stores the PNG, and records the hash of the document the client was shown', async () => {
    const { quote, page } = await aSentQuote();
    const doc = (await api.post(`/v1/quotes/${quote.id}/send`, {})).body; // a resend e-mails the PDF: the document now exists
    expect(doc.delivery.status).toBe('waiting');
    const ready = await eventually(async () => {
      const docs = (await api.get(`/v1/quotes/${quote.id}/documents`)).body.data as { id: string; status: string; sha256: string }[];
      return docs.find((d) => d.status === 'ready');
    }, 'the quote document');
    const html = await (await fetch(page)).text();
    expect(html).toContain(`name="documentId" value="${ready.id}"`);
    expect(html).toMatch(/<a class="button pdf" href="http[^"]+"/);

    const res = await json(page, { signerName: 'Ana Pérez', signature: PNG_1x1, consent: true, documentId: ready.id });

    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      status: 'accepted',
      quoteId: quote.id,
      number: quote.number,
      signerName: 'Ana Pérez',
      method: 'drawn',
      documentSha256: ready.sha256,
    });
    const accepted = (await api.get(`/v1/quotes/${quote.id}`)).body;
    expect(accepted.acceptance).toMatchObject({ documentId: ready.id, documentSha256: ready.sha256, signatureSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const { storage } = await import('../../functions/shared/wiring/storage');
    const png = await storage().get(accepted.acceptance.signatureKey);
    expect(`data:image/png;base64,${png.toString('base64')}`).toBe(PNG_1x1);
    expect(accepted.acceptance.signatureKey).toContain(`/signature-${accepted.acceptance.signatureSha256.slice(0, 8)}.png`);
  });

  it('takes the JSON of the contract, { signerName, signature? }, as the consent; consent: false is refused', async () => {
    const declined = await aSentQuote();
    const refused = await json(declined.page, { signerName: 'Ana Pérez', consent: false });
    const { quote, page } = await aSentQuote();

    const res = await json(page, { signerName: 'Ana Pérez' });

    expect(refused.status).toBe(422);
    expect((await refused.json()).errors).toEqual([{ field: 'consent', message: expect.any(String) }]);
    expect((await api.get(`/v1/quotes/${declined.quote.id}`)).body.status).toBe('sent');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'accepted', quoteId: quote.id, signerName: 'Ana Pérez', method: 'typed' });
    expect((await api.get(`/v1/quotes/${quote.id}`)).body).toMatchObject({ status: 'accepted', acceptance: { signerName: 'Ana Pérez' } });
  });

  it('refuses what is incomplete or not a PNG (422 listing every problem; the form page shows them and keeps the name)', async () => {
    const { quote, page } = await aSentQuote();

    const missing = await json(page, { signerName: 'X' });
    const notPng = await json(page, {
      signerName: 'Ana Pérez',
      consent: true,
      signature: `data:image/png;base64,${Buffer.from('GIF89a-not-a-png').toString('base64')}`,
    });
    const tooBig = await json(page, { signerName: 'Ana Pérez', consent: true, signature: `data:image/png;base64,${'A'.repeat(300_000)}` });
    const formPage = await form(page, { signerName: 'Ana <Pérez>' });

    expect(missing.status).toBe(422);
    expect((await missing.json()).errors.map((e: { field: string }) => e.field)).toEqual(['signerName']); // JSON: the call is the consent
    expect(notPng.status).toBe(422);
    expect((await notPng.json()).errors).toEqual([{ field: 'signature', message: 'is not a PNG image' }]);
    expect([400, 422]).toContain(tooBig.status);
    expect(formPage.status).toBe(422);
    const html = await formPage.text();
    expect(html).toContain('Tick the box');
    expect(html).toContain('value="Ana &lt;Pérez&gt;"');
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.status).toBe('sent');
  });

  it('accepts a quote once: a second accept is 409 "already accepted" (form and JSON), and of concurrent accepts exactly one wins', async () => {
    const { quote, page } = await aSentQuote();
    expect((await form(page, { signerName: 'First Signer', consent: 'yes' })).status).toBe(303);

    const again = await form(page, { signerName: 'Second Signer', consent: 'yes' });
    const againJson = await json(page, { signerName: 'Second Signer', consent: true });

    expect(again.status).toBe(409);
    const html = await again.text();
    expect(html).toContain('This quote has already been accepted.');
    expect(html).not.toContain('<form id="accept"');
    expect(againJson.status).toBe(409);
    expect(await againJson.json()).toMatchObject({ detail: 'this quote has already been accepted', status: 409, quoteStatus: 'accepted' });
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.acceptance.signerName).toBe('First Signer');

    const racing = await aSentQuote();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => json(racing.page, { signerName: `Signer ${i}`, consent: true })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    await stack().settle();
    expect(stack().bus.received.filter((e) => e['detail-type'] === 'quote.accepted' && e.detail.quoteId === racing.quote.id)).toHaveLength(1);
  });

  it('refuses an expired quote (409) and its page says it expired; a declined one says so too', async () => {
    const { quote, page } = await aSentQuote();
    const { sales: crm } = await import('../../functions/shared/wiring/sales');
    await crm().quotes.update(tenant.tenantId, quote.id, { validUntil: dayOffset(-1) }, quote.version);

    const html = await (await fetch(page)).text();
    const accept = await json(page, { signerName: 'Late Client', consent: true });
    const accepted = await form(page, { signerName: 'Late Client', consent: 'yes' });

    expect(html).toContain('This quote has expired');
    expect(html).not.toContain('<form id="accept"');
    expect(accept.status).toBe(409);
    expect((await accept.json()).detail).toBe(`this quote expired on ${dayOffset(-1)}`);
    expect(accepted.status).toBe(409);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.status).toBe('expired');

    const declined = await aSentQuote();
    await api.post(`/v1/quotes/${declined.quote.id}/decline`, {});
    expect(await (await fetch(declined.page)).text()).toContain('This quote was declined');
    expect((await json(declined.page, { signerName: 'Client', consent: true })).status).toBe(409);
  });
});

describe('invoices from deals and quotes', () => {
  it("copies client, lines, amounts, currency and responsible user from a deal; the deal's timeline shows the invoice", async () => {
    const deal = (
      await api.post(
        '/v1/deals',
        aDeal({
          companyId: company.id,
          currency: 'USD',
          responsibleUserId: 'usr_sales1',
          lines: [aLine(), aLine({ description: 'Setup', quantity: '1', unitPrice: '250.00', taxRate: '10' })],
        }),
      )
    ).body;

    const res = await api.post('/v1/invoices', { from: { dealId: deal.id } });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'draft',
      stage: 'NEW',
      currency: 'USD',
      responsibleUserId: 'usr_sales1',
      dealId: deal.id,
      source: { type: 'deal', id: deal.id },
      client: { kind: 'company', id: company.id, name: 'Acme Iberia', legalName: 'Acme Iberia S.L.', taxId: 'B12345674' },
    });
    expect(res.body.lines).toEqual(deal.lines);
    expect(res.body.totals).toEqual(deal.totals);
    expect(res.body.totals.total).toBe(deal.amount);
    const timeline = (await api.get(`/v1/deals/${deal.id}/timeline`)).body.data;
    expect(timeline).toEqual([
      expect.objectContaining({
        kind: 'invoice_created',
        subjectType: 'deal',
        data: { invoiceId: res.body.id, type: 'invoice', total: deal.amount, currency: 'USD' },
      }),
    ]);

    // a deal may be invoiced more than once (instalments)
    expect((await api.post('/v1/invoices', { from: { dealId: deal.id } })).status).toBe(201);
    expect((await api.post('/v1/invoices', { from: { dealId: `deal_${'0'.repeat(26)}` } })).status).toBe(422);
  });

  it("makes one invoice per accepted quote: the automation's; another create is 409 naming it, unless allowDuplicate", async () => {
    const { quote, page } = await aSentQuote();
    expect((await json(page, { signerName: 'Carmen Vidal', consent: true })).status).toBe(200);

    // the default rule makes the invoice from the accepted quote and sends it (it leaves NEW: issued, numbered)
    const invoiceId = await eventually(async () => (await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId as string | undefined, 'the invoice');
    const invoice = await eventually(async () => {
      const found = (await api.get(`/v1/invoices/${invoiceId}`)).body;
      return found.status === 'issued' ? found : undefined;
    }, 'the issued invoice');
    expect(invoice).toMatchObject({
      quoteId: quote.id,
      source: { type: 'quote', id: quote.id },
      status: 'issued',
      number: expect.any(String),
      dueDate: dayOffset(30),
      client: { id: company.id },
    });
    expect(invoice.lines).toEqual(quote.lines);
    expect(invoice.totals).toEqual(quote.totals);

    const twice = await api.post('/v1/invoices', { from: { quoteId: quote.id } });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ invoiceId, errors: [{ field: 'from.quoteId', message: `already invoiced: ${invoiceId}` }] });
    expect((await api.post(`/v1/quotes/${quote.id}/invoice`, {})).status).toBe(409);

    const asked = await api.post(`/v1/quotes/${quote.id}/invoice`, { allowDuplicate: true, type: 'proforma' });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ quoteId: quote.id, type: 'proforma' });
    expect(asked.body.id).not.toBe(invoiceId);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId).toBe(invoiceId); // the quote keeps its first invoice

    await stack().settle();
    const timeline = (await api.get(`/v1/quotes/${quote.id}/timeline`)).body.data as { kind: string; actor: { type: string }; data: { invoiceId: string } }[];
    const made = timeline.filter((e) => e.kind === 'invoice_created');
    expect(made.map((e) => [e.data.invoiceId, e.actor.type])).toEqual([
      [invoiceId, 'automation'],
      [asked.body.id, 'user'],
    ]);

    const againThroughInvoices = await api.post('/v1/invoices', { from: { quoteId: quote.id }, allowDuplicate: true });
    expect(againThroughInvoices.status).toBe(201);
    expect(againThroughInvoices.body).toMatchObject({ quoteId: quote.id, totals: quote.totals });
    expect((await api.post('/v1/invoices', { companyId: company.id, currency: 'EUR', allowDuplicate: true })).body.errors).toEqual([
      { field: 'allowDuplicate', message: 'only with from.quoteId' },
    ]);
  });

  it('is race-safe: of concurrent creates from one quote exactly one succeeds, the others get 409 naming it', async () => {
    const { quote } = await aSentQuote(); // sent, not accepted: no automation involved

    const results = await Promise.all(Array.from({ length: 6 }, () => api.post('/v1/invoices', { from: { quoteId: quote.id } })));

    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 201)!.body.id;
    expect(results.filter((r) => r.status === 409).every((r) => r.body.invoiceId === winner)).toBe(true);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId).toBe(winner);
    const list = (await api.get(`/v1/invoices?limit=100`)).body.data as { quoteId?: string }[];
    expect(list.filter((i) => i.quoteId === quote.id)).toHaveLength(1);
  });

  it('refuses invoices from draft and declined quotes (409)', async () => {
    const draft = (await api.post('/v1/quotes', { companyId: company.id, lines: [aLine()] })).body;
    const declined = await aSentQuote();
    await api.post(`/v1/quotes/${declined.quote.id}/decline`, {});

    const fromDraft = await api.post('/v1/invoices', { from: { quoteId: draft.id } });
    const fromDeclined = await api.post('/v1/invoices', { from: { quoteId: declined.quote.id } });

    expect(fromDraft.status).toBe(409);
    expect(fromDraft.body.detail).toMatch(/draft/);
    expect(fromDeclined.status).toBe(409);
  });

  it("makes no second invoice when quote.accepted is delivered again, and sends it when the tenant's rule says so", async () => {
    const { quote, page } = await aSentQuote();
    expect((await json(page, { signerName: 'Pedro Gil', consent: true })).status).toBe(200);
    const invoiceId = await eventually(async () => (await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId as string | undefined, 'the invoice');
    await stack().settle();

    // the bus delivers the same event again (at least once)
    const event = stack().bus.received.find((e) => e['detail-type'] === 'quote.accepted' && e.detail.quoteId === quote.id)!;
    const { runAutomation } = await import('../../functions/handlers/events/run-automation');
    await runAutomation(event as never);
    await runAutomation(event as never);

    const list = (await api.get(`/v1/invoices?limit=100`)).body.data as { id: string; quoteId?: string }[];
    expect(list.filter((i) => i.quoteId === quote.id).map((i) => i.id)).toEqual([invoiceId]);
    const timeline = (await api.get(`/v1/quotes/${quote.id}/timeline`)).body.data as { kind: string }[];
    expect(timeline.filter((e) => e.kind === 'invoice_created')).toHaveLength(1);
  });
});

describe('the quote rule', () => {
  it('is there for new tenants, editable through the automation API, and validated', async () => {
    const rules = (await api.get('/v1/automation/rules')).body.data as { id: string; entity: string; stage: string; enabled: boolean; actions: unknown[] }[];
    const rule = rules.find((r) => r.entity === 'quote')!;
    expect(rule).toMatchObject({
      stage: 'ACCEPTED',
      enabled: true,
      actions: [{ type: 'create_invoice', moveTo: 'SENT', dueInDays: 30 }, { type: 'notify_responsible' }],
    });

    const wrongAction = await api.post('/v1/automation/rules', { entity: 'quote', stage: 'ACCEPTED', actions: [{ type: 'send_email', attach: 'none' }] });
    const wrongStage = await api.post('/v1/automation/rules', { entity: 'quote', stage: 'SENT', actions: [{ type: 'create_invoice' }] });
    const onInvoice = await api.post('/v1/automation/rules', { entity: 'invoice', stage: 'SENT', actions: [{ type: 'create_invoice' }] });
    expect([wrongAction.status, wrongStage.status, onInvoice.status]).toEqual([400, 400, 400]);
    expect(wrongStage.body.errors).toEqual([{ field: 'stage', message: "a quote rule's stage is one of ACCEPTED" }]);
  });
});
