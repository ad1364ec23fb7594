/**
 * The hosted invoice page (GET /p/{token} from a browser): what the client sees (seller, number, dates, lines,
 * total, balance due, status), the PDF and UBL downloads, bank transfer details with an EPC QR code that decodes
 * back to the transfer, a paid invoice's page, the strict CSP without script, the client's language, the view
 * counted like the redirect's, and the 302 to the PDF kept for every other client.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PublicLink } from '../../functions/domain/documents';
import { EpcQr } from '../../functions/domain/payments';
import { eventually } from '../fixtures/outbox';
import { aClient, issuedInvoice, todayUtc } from '../fixtures/payments';
import { decodeQrPng } from '../fixtures/qr';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;
let tenant: TestTenant;
let api: ApiClient;
let company: { id: string };

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const browser = (href: string, extra: Record<string, string> = {}) => fetch(href, { headers: { accept: BROWSER_ACCEPT, ...extra }, redirect: 'manual' });

beforeAll(async () => {
  tenant = await makeTenant('Hosted Co');
  api = apiClient(url, tenant.adminKey);
  company = await aClient(api);
});

/** An issued invoice (payable 106.00: 100.00 + 21 % VAT - 15 % IRPF) with a ready PDF document and its public link. */
async function anInvoiceWithLink(client: ApiClient = api, companyId = company.id) {
  const invoice = await issuedInvoice(client, companyId, { dueDate: '2030-01-31' });
  return { invoice, ...(await aLinkOf(invoice.id, client)) };
}

/** A ready PDF document of an issued invoice, credit note or simplified invoice, and its public link. */
async function aLinkOf(invoiceId: string, client: ApiClient = api) {
  const doc = (await client.post(`/v1/invoices/${invoiceId}/documents`, {})).body;
  await eventually(async () => (await client.get(`/v1/documents/${doc.id}`)).body.status === 'ready', 'the render');
  const ready = (await client.get(`/v1/documents/${doc.id}`)).body;
  return { doc: ready, token: ready.publicUrl.split('/p/')[1] as string, page: ready.publicUrl as string };
}

const linkOf = async (token: string) => {
  const { documents } = await import('../../functions/shared/wiring/documents');
  return documents().links.get(PublicLink.idOf(token));
};

const qrOf = (html: string) => {
  const match = /<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/.exec(html);
  if (!match) throw new Error('no QR image on the page');
  return decodeQrPng(Buffer.from(match[1], 'base64'));
};

describe('the hosted invoice page', () => {
  it('shows the invoice, its balance due, downloads and bank transfer details with an EPC QR code that decodes to the transfer', async () => {
    // Prepare
    const { invoice, page } = await anInvoiceWithLink();

    // Act
    const res = await browser(page);
    const html = await res.text();

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('Hosted Co');
    expect(html).toContain(`Invoice ${invoice.number}`);
    expect(html).toContain('Consulting');
    expect(html).toContain('€106.00');
    expect(html).toContain('Balance due');
    expect(html).toContain('Awaiting payment');
    expect(html).toContain('31 Jan 2030');
    expect(html).toContain(`${page}/pdf`);
    expect(html).toContain(`${page}/xml`);
    expect(html).toContain('ES91 2100 0418 4502 0005 1332');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('/pay"'); // no card payment set up
    const transfer = EpcQr.parseEpcQrPayload(qrOf(html));
    expect(transfer).toMatchObject({
      version: '002',
      bic: 'CAIXESBBXXX',
      name: 'Hosted Co S.L.',
      iban: 'ES9121000418450200051332',
      amount: '106.00',
      remittance: invoice.number,
    });
  });

  it('answers with a strict CSP: no script at all, the one stylesheet by its hash, no framing, nothing cached', async () => {
    const { page } = await anInvoiceWithLink();

    const res = await browser(page);
    const html = await res.text();

    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('checkout.stripe.com'); // no card payment set up: forms post to this site only
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('counts as viewed by the client, like the redirect; the preview shows the page and records nothing', async () => {
    const { invoice, doc, token, page } = await anInvoiceWithLink();
    await stack().settle();

    await (await browser(doc.previewUrl)).text();
    expect((await linkOf(token))?.views ?? 0).toBe(0);
    await (await browser(page)).text();
    await stack().settle();

    expect((await linkOf(token))?.views).toBe(1);
    const viewed = stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && e.detail.subjectId === invoice.id);
    expect(viewed).toHaveLength(1);
  });

  it('keeps the 302 to the PDF for clients that do not ask for HTML', async () => {
    const { page } = await anInvoiceWithLink();

    const res = await fetch(page, { redirect: 'manual' });

    expect(res.status).toBe(302);
    const pdf = await fetch(res.headers.get('location')!);
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('serves the PDF and the UBL e-invoice from the page', async () => {
    const { invoice, page } = await anInvoiceWithLink();

    const pdf = await fetch(`${page}/pdf`, { redirect: 'manual' });
    const xml = await fetch(`${page}/xml`);
    const body = await xml.text();

    expect(pdf.status).toBe(302);
    expect((await fetch(pdf.headers.get('location')!)).headers.get('content-type')).toBe('application/pdf');
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(xml.headers.get('content-disposition')).toBe(`attachment; filename="${invoice.number}.xml"`);
    expect(body).toContain('<Invoice');
    expect(body).toContain(`<cbc:ID>${invoice.number}</cbc:ID>`);
    expect((await fetch(`${url()}/p/${'x'.repeat(32)}/xml`)).status).toBe(404);
  });

  it('says a paid invoice is paid, with the payment date, and offers no transfer or QR code', async () => {
    const { invoice, page } = await anInvoiceWithLink();
    const partial = await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '6.00', date: todayUtc(), method: 'bank_transfer' });
    expect(partial.status).toBe(201);

    const partly = await (await browser(page)).text();
    expect(partly).toContain('Partially paid');
    expect(EpcQr.parseEpcQrPayload(qrOf(partly)).amount).toBe('100.00');

    await api.post(`/v1/invoices/${invoice.id}/payments`, { amount: '100.00', date: todayUtc(), method: 'bank_transfer' });
    const paid = await (await browser(page)).text();

    expect(paid).toContain('Thank you: this invoice is paid.');
    expect(paid).toMatch(/Paid on \d{1,2} [A-Z][a-z]{2} \d{4}\./);
    expect(paid).not.toContain('data:image/png');
    expect(paid).not.toContain('Pay by bank transfer');
  });

  it('shows a simplified invoice naming no recipient with its balance due as invoicing states it, and asks for no payment the ledger could not record', async () => {
    const created = await api.post('/v1/invoices', {
      type: 'simplified',
      currency: 'EUR',
      dueDate: '2030-01-31',
      lines: [{ description: 'Counter sale', quantity: '1', unitPrice: '50.00', taxRate: '21' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const issued = await api.post(`/v1/invoices/${created.body.id}/stage`, { stage: 'VIEWED' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const { page } = await aLinkOf(created.body.id);
    const view = (await api.get(`/v1/invoices/${created.body.id}`)).body;

    const res = await browser(page);
    const html = await res.text();

    expect(res.status).toBe(200);
    expect(html).toContain(`Simplified invoice ${issued.body.number}`);
    expect(html).not.toContain('Bill to');
    expect(view).toMatchObject({ balanceDue: '60.50', paymentStatus: 'unpaid' });
    expect(html).toContain('Awaiting payment');
    expect(html).toMatch(/Balance due<\/dt><dd><strong class="balance">€60\.50/);
    // EN 16931 needs a buyer (BT-44): no e-invoice, so no button for one; the PDF is there
    expect(html).not.toContain(`${page}/xml`);
    expect(html).toContain(`${page}/pdf`);
    expect(html).not.toContain('data:image/png'); // no client to record a transfer or card payment against
    expect(html).not.toContain('/pay"');
  });

  it('shows a credit note as issued, with what it corrects and the total credited, and asks for no payment', async () => {
    const { invoice } = await anInvoiceWithLink();
    const note = await api.post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'R1', reasonText: 'Wrong price', lines: [{ line: 0, amount: '10.00' }] });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const issued = await api.post(`/v1/invoices/${note.body.id}/stage`, { stage: 'VIEWED' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const { page } = await aLinkOf(note.body.id);

    const html = await (await browser(page)).text();

    expect(html).toContain(`Credit note ${issued.body.number}`);
    expect(html).toContain('>Issued<');
    expect(html).toContain(`Corrects invoice ${invoice.number}`);
    expect(html).toContain('Total credited');
    expect(html).not.toContain('Awaiting payment');
    expect(html).not.toContain('Balance due');
    expect(html).not.toContain('data:image/png');
    expect(html).not.toContain('/pay"');
  });

  it("speaks the client's language", async () => {
    const es = await makeTenant('Hosted ES', { locale: 'es' });
    const esApi = apiClient(url, es.adminKey);
    const esCompany = await aClient(esApi);
    const { page } = await anInvoiceWithLink(esApi, esCompany.id);

    const res = await browser(page);
    const html = await res.text();

    expect(html).toContain('<html lang="es">');
    expect(html).toContain('Importe pendiente');
    expect(html).toContain('Pagar por transferencia bancaria');
    expect(res.headers.get('content-language')).toBe('es');
  });

  it('answers revoked and unknown links as today', async () => {
    const { doc, page } = await anInvoiceWithLink();
    expect((await api.del(`/v1/documents/${doc.id}/public-link`)).status).toBeLessThan(300);

    expect((await browser(page)).status).toBe(404);
    expect((await browser(`${url()}/p/${'y'.repeat(32)}`)).status).toBe(404);
  });
});
