/**
 * Card payment from the hosted invoice page, through the HTTP API as a tenant and Stripe would call it:
 * the tenant's Stripe keys in settings (write-only, sealed at rest), the Pay button (a Checkout Session for the
 * balance due at click time, against a local stand-in of Stripe's API), and Stripe's webhook: events signed by
 * the `stripe` library's own test helper, valid, tampered, stale, duplicated and out of order; a payment on a
 * paid invoice kept as client credit; a refund and a lost dispute reversing the payment.
 */
import chromium from '@sparticuz/chromium';
import puppeteer from 'puppeteer-core';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChromiumArgs } from '../../functions/adapters/pdf/renderer';
import { STRIPE_API_VERSION } from '../../functions/adapters/payments/stripe';
import { eventually } from '../fixtures/outbox';
import { aClient, issuedInvoice } from '../fixtures/payments';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';
import { StripeStandIn } from '../fixtures/stripe-stand-in';
import { stripeEvents, type PaidInvoice } from '../fixtures/stripe-events';

const secretKey = 'sk_test_51HostedExample00000000000Key';
const webhookSecret = 'whsec_hostedTestSecret0123456789abcdef';
const standIn = new StripeStandIn(secretKey, STRIPE_API_VERSION);
const stack = useLocalStack({ env: async () => ({ STRIPE_API_BASE: await standIn.start() }) });
afterAll(() => standIn.stop());
const url = () => stack().apiUrl;
const signer = new Stripe('sk_test_signer_only');

let tenant: TestTenant;
let api: ApiClient;
let company: { id: string };

beforeAll(async () => {
  tenant = await makeTenant('Card Co');
  api = apiClient(url, tenant.adminKey);
  company = await aClient(api);
  const current = (await api.get('/v1/settings')).body;
  const put = await api.put('/v1/settings', { ...settingsBody(current), payments: { stripe: { secretKey, webhookSecret } } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});

/** The writable part of a settings view (what PUT takes back). */
function settingsBody(view: Record<string, unknown>) {
  const { tenantName, images, payments, updatedAt, quoteLinkGraceDays, ...rest } = view as Record<string, unknown>;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null));
}

/** An issued invoice (payable 106.00) with a ready document and its public link. */
async function anInvoiceWithLink() {
  const invoice = await issuedInvoice(api, company.id);
  const doc = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
  await eventually(async () => (await api.get(`/v1/documents/${doc.id}`)).body.status === 'ready', 'the render');
  const ready = (await api.get(`/v1/documents/${doc.id}`)).body;
  return { invoice, page: ready.publicUrl as string };
}

let seq = 0;
const paidInvoice = (invoiceId: string, amount = 10600): PaidInvoice => {
  seq++;
  return {
    tenantId: tenant.tenantId,
    invoiceId,
    paymentIntent: `pi_test_${Date.now().toString(36)}${seq}`,
    charge: `ch_test_${Date.now().toString(36)}${seq}`,
    amount,
    currency: 'eur',
    sessionId: `cs_test_${seq}`,
    at: Math.floor(Date.now() / 1000),
  };
};

/** Posts an event to the webhook as Stripe would: the raw JSON, signed with the endpoint secret at `timestamp`. */
async function deliver(event: object, options: { secret?: string; timestamp?: number; tamper?: (raw: string) => string; query?: string } = {}) {
  const payload = JSON.stringify(event);
  const header = signer.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? webhookSecret, timestamp: options.timestamp });
  const res = await fetch(`${url()}/webhooks/stripe${options.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    body: options.tamper ? options.tamper(payload) : payload,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const invoiceOf = async (id: string) => (await api.get(`/v1/invoices/${id}`)).body;

describe("the tenant's Stripe keys", () => {
  it('are write-only: settings say they are configured and never show them; bad keys are refused naming the field', async () => {
    const view = (await api.get('/v1/settings')).body;
    expect(view.payments.stripe).toMatchObject({
      configured: true,
      mode: 'test',
      secretKeyLast4: secretKey.slice(-4),
      webhookEndpoint: `${url()}/webhooks/stripe?tenant=${tenant.tenantId}`,
    });
    expect(JSON.stringify(view)).not.toContain(secretKey);
    expect(JSON.stringify(view)).not.toContain(webhookSecret);

    const bad = await api.put('/v1/settings', { ...settingsBody(view), payments: { stripe: { secretKey: 'pk_test_nope', webhookSecret } } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('payments.stripe.secretKey');
  });

  it('are kept when a client sends back the payments part of what GET showed (webhookEndpoint included)', async () => {
    const view = (await api.get('/v1/settings')).body;

    const put = await api.put('/v1/settings', { ...settingsBody(view), payments: view.payments });

    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.payments.stripe).toMatchObject({
      configured: true,
      secretKeyLast4: secretKey.slice(-4),
      webhookEndpoint: view.payments.stripe.webhookEndpoint,
    });
  });

  it('are sealed at rest: the stored settings hold no key in clear', async () => {
    const { tenants } = await import('../../functions/shared/wiring/tenancy');
    const stored = JSON.stringify((await tenants().getTenant(tenant.tenantId))?.settings);
    expect(stored).not.toContain(secretKey);
    expect(stored).not.toContain(webhookSecret);
    expect(stored).toContain('local-aes-256-gcm');
  });
});

describe('the Pay button', () => {
  it('shows on the page and opens a Checkout Session for the balance due now, with the tenant and invoice in its metadata', async () => {
    const { invoice, page } = await anInvoiceWithLink();
    await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '6.00', date: new Date().toISOString().slice(0, 10) });
    const html = await (await fetch(page, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain(`action="${page}/pay"`);
    expect(html).toContain('Pay €100.00 by card');
    standIn.requests.length = 0;

    const res = await fetch(`${page}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' });

    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0].form).toMatchObject({
      'line_items[0][price_data][unit_amount]': '10000',
      'line_items[0][price_data][currency]': 'eur',
      'metadata[tenantId]': tenant.tenantId,
      'metadata[invoiceId]': invoice.id,
      'payment_intent_data[metadata][invoiceId]': invoice.id,
      success_url: `${page}?checkout=success`,
    });
  });

  it('works from a phone browser without JavaScript: the keyboard reaches the Pay button, Enter goes to Stripe Checkout', async () => {
    const { invoice, page } = await anInvoiceWithLink();
    standIn.requests.length = 0;
    const browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH || (await chromium.executablePath()),
      args: defaultChromiumArgs(),
      headless: 'shell',
      pipe: true,
      defaultViewport: { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    });
    try {
      const tab = await browser.newPage();
      await tab.setJavaScriptEnabled(false);
      // Stripe's own page is not reachable from here: the browser's request for it is answered by a stub
      await tab.setRequestInterception(true);
      const toStripe: string[] = [];
      tab.on('request', (req) => {
        if (req.url().startsWith('https://checkout.stripe.com/')) {
          toStripe.push(req.url());
          void req.respond({ status: 200, contentType: 'text/html', body: '<title>Stripe Checkout</title>' });
        } else void req.continue();
      });
      const opened = await tab.goto(page, { waitUntil: 'load' });
      // the browser holds the 303 after the submit to the page's form-action: Stripe Checkout must be in it
      expect(opened?.headers()['content-security-policy']).toMatch(/form-action 'self'[^;]* https:\/\/checkout\.stripe\.com/);
      let focused = '';
      for (let i = 0; i < 6 && !focused.startsWith('Pay'); i++) {
        await tab.keyboard.press('Tab');
        focused = await tab.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
      }
      expect(focused).toBe('Pay €106.00 by card');
      await Promise.all([tab.waitForNavigation({ waitUntil: 'load', timeout: 10_000 }), tab.keyboard.press('Enter')]);

      expect(await tab.title()).toBe('Stripe Checkout');
      expect(toStripe).toHaveLength(1);
      expect(toStripe[0]).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
      expect(standIn.requests).toHaveLength(1);
      expect(standIn.requests[0].form).toMatchObject({ 'line_items[0][price_data][unit_amount]': '10600', 'metadata[invoiceId]': invoice.id });
    } finally {
      await browser.close();
    }
  });

  it('answers 409 with a page, and creates no session, when the invoice is already paid', async () => {
    const { invoice, page } = await anInvoiceWithLink();
    await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '106.00', date: new Date().toISOString().slice(0, 10) });
    standIn.requests.length = 0;

    const res = await fetch(`${page}/pay`, { method: 'POST', redirect: 'manual' });

    expect(res.status).toBe(409);
    expect(await res.text()).toContain('already paid');
    expect(standIn.requests).toHaveLength(0);
  });
});

describe("Stripe's webhook", () => {
  it('records a signed payment once, however many times it is delivered, and the invoice is paid', async () => {
    const { invoice } = await anInvoiceWithLink();
    const p = paidInvoice(invoice.id);
    const completed = stripeEvents.sessionCompleted(p);

    const first = await deliver(completed);
    const again = await deliver(completed);
    const viaIntent = await deliver(stripeEvents.paymentIntentSucceeded(p));

    expect(first).toMatchObject({ status: 200, body: { received: true, handled: true } });
    expect(again.status).toBe(200);
    expect(viaIntent.status).toBe(200);
    const payments = (await api.get(`/v1/invoices/${invoice.id}/payments`)).body.data;
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ amount: '106.00', method: 'card', externalId: p.paymentIntent });
    expect(await invoiceOf(invoice.id)).toMatchObject({ status: 'paid', balanceDue: '0.00' });
  });

  it("takes events at the endpoint URL the settings give (?tenant=), and checks them with that tenant's secret only", async () => {
    const { invoice } = await anInvoiceWithLink();
    const p = paidInvoice(invoice.id);
    const other = await makeTenant('Other Card Co');
    const endpoint = new URL((await api.get('/v1/settings')).body.payments.stripe.webhookEndpoint);

    const elsewhere = await deliver(stripeEvents.sessionCompleted(p), { query: `?tenant=${other.tenantId}` });
    const here = await deliver(stripeEvents.sessionCompleted(p), { query: endpoint.search });

    expect(elsewhere.status).toBe(400); // the other tenant has no Stripe secret: nothing verifies, nothing recorded
    expect(here).toMatchObject({ status: 200, body: { received: true, handled: true } });
    expect((await api.get(`/v1/invoices/${invoice.id}/payments`)).body.data).toHaveLength(1);
  });

  it('refuses a tampered body, another secret, a stale timestamp and a missing signature with 400, recording nothing', async () => {
    const { invoice } = await anInvoiceWithLink();
    const event = stripeEvents.sessionCompleted(paidInvoice(invoice.id));

    const tampered = await deliver(event, { tamper: (raw) => raw.replace('"amount_total":10600', '"amount_total":1') });
    const otherSecret = await deliver(event, { secret: 'whsec_someoneElse0123456789abcdef' });
    const stale = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const unsigned = await fetch(`${url()}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });

    for (const res of [tampered, otherSecret, stale]) expect(res.status).toBe(400);
    expect(unsigned.status).toBe(400);
    expect((await api.get(`/v1/invoices/${invoice.id}/payments`)).body.data).toHaveLength(0);
    expect((await invoiceOf(invoice.id)).balanceDue).toBe('106.00');
  });

  it('keeps a payment on an invoice already paid as client credit', async () => {
    const { invoice } = await anInvoiceWithLink();
    await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '106.00', date: new Date().toISOString().slice(0, 10) });
    const p = paidInvoice(invoice.id);

    const res = await deliver(stripeEvents.sessionCompleted(p));

    expect(res.status).toBe(200);
    const payment = (await api.get(`/v1/payments?clientId=${company.id}&limit=100`)).body.data.find(
      (x: { externalId?: string }) => x.externalId === p.paymentIntent,
    );
    expect(payment).toMatchObject({ amount: '106.00', unapplied: '106.00' });
    expect(await invoiceOf(invoice.id)).toMatchObject({ status: 'paid', amountPaid: '106.00' });
  });

  it('reverses a refunded payment, and gives the same balance whatever the order and number of deliveries', async () => {
    const { invoice } = await anInvoiceWithLink();
    const p = paidInvoice(invoice.id);
    const at = p.at + 60;
    const completed = stripeEvents.sessionCompleted(p);
    const partRefund = stripeEvents.chargeRefunded(p, 4000, at);
    const fullRefund = stripeEvents.chargeRefunded(p, 10600, at + 60);

    await deliver(completed);
    expect((await invoiceOf(invoice.id)).status).toBe('paid');
    // the full refund overtakes the partial one; each is delivered twice
    for (const e of [fullRefund, partRefund, fullRefund, completed, partRefund]) expect((await deliver(e)).status).toBe(200);

    const after = await invoiceOf(invoice.id);
    expect(after).toMatchObject({ status: 'issued', balanceDue: '106.00', amountPaid: '0.00' });
  });

  it('records one payment when payment_intent.succeeded comes before checkout.session.completed, and the same balance in either order', async () => {
    const first = await anInvoiceWithLink();
    const second = await anInvoiceWithLink();
    const a = paidInvoice(first.invoice.id);
    const b = paidInvoice(second.invoice.id);

    for (const e of [stripeEvents.paymentIntentSucceeded(a), stripeEvents.sessionCompleted(a), stripeEvents.paymentIntentSucceeded(a)])
      expect((await deliver(e)).status).toBe(200);
    for (const e of [stripeEvents.sessionCompleted(b), stripeEvents.paymentIntentSucceeded(b)]) expect((await deliver(e)).status).toBe(200);

    for (const [invoice, p] of [
      [first.invoice, a],
      [second.invoice, b],
    ] as const) {
      const payments = (await api.get(`/v1/invoices/${invoice.id}/payments`)).body.data;
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ amount: '106.00', method: 'card', externalId: p.paymentIntent });
      expect(await invoiceOf(invoice.id)).toMatchObject({ status: 'paid', balanceDue: '0.00' });
    }
  });

  it('records one payment when Stripe delivers the same payment at the same moment several times (concurrent requests)', async () => {
    const { invoice } = await anInvoiceWithLink();
    const p = paidInvoice(invoice.id);
    const completed = stripeEvents.sessionCompleted(p);
    const succeeded = stripeEvents.paymentIntentSucceeded(p);

    const answers = await Promise.all([completed, succeeded, completed, succeeded, completed].map((e) => deliver(e)));

    // each either recorded it or found it recorded; a lost race may answer 5xx/409 and Stripe retries it
    const retried = await Promise.all(answers.map((a, i) => (a.status === 200 ? a : deliver([completed, succeeded][i % 2]))));
    expect(retried.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const payments = (await api.get(`/v1/invoices/${invoice.id}/payments`)).body.data;
    expect(payments).toHaveLength(1);
    expect(await invoiceOf(invoice.id)).toMatchObject({ status: 'paid', balanceDue: '0.00', amountPaid: '106.00' });
  });

  it('reverses a payment whose dispute is lost (delivered twice), and keeps one whose dispute is won', async () => {
    const lost = await anInvoiceWithLink();
    const won = await anInvoiceWithLink();
    const pl = paidInvoice(lost.invoice.id);
    const pw = paidInvoice(won.invoice.id);
    await deliver(stripeEvents.sessionCompleted(pl));
    await deliver(stripeEvents.sessionCompleted(pw));
    expect((await invoiceOf(lost.invoice.id)).status).toBe('paid');

    const lostDispute = stripeEvents.disputeClosed(pl, `dp_lost_${seq}`, 10600, 'lost', pl.at + 120);
    for (const e of [lostDispute, lostDispute]) expect((await deliver(e)).status).toBe(200);
    expect((await deliver(stripeEvents.disputeClosed(pw, `dp_won_${seq}`, 10600, 'won', pw.at + 120))).status).toBe(200);

    expect(await invoiceOf(lost.invoice.id)).toMatchObject({ status: 'issued', balanceDue: '106.00', amountPaid: '0.00' });
    expect(await invoiceOf(won.invoice.id)).toMatchObject({ status: 'paid', balanceDue: '0.00' });
  });

  it('records a payment whose refund came first once the payment arrives (the early refund is refused, Stripe retries it)', async () => {
    const { invoice } = await anInvoiceWithLink();
    const p = paidInvoice(invoice.id);
    const refund = stripeEvents.chargeRefunded(p, 6000, p.at + 30);

    const early = await deliver(refund);
    await deliver(stripeEvents.sessionCompleted(p));
    const retried = await deliver(refund);

    expect(early.status).toBe(400);
    expect(retried.status).toBe(200);
    expect(await invoiceOf(invoice.id)).toMatchObject({ balanceDue: '60.00' });
  });
});
