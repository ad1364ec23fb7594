/**
 * The whole path from lead to invoice through the API, with the client's side driven in a real headless
 * Chromium (the project's own, with JavaScript on, as a client's browser would have it): lead -> convert
 * (a duplicate found, then resolved) -> deal with lines -> quote -> sent (PDF e-mailed) -> the public
 * page opened, name typed, signature drawn, consent ticked, submitted -> the invoice, linked both ways,
 * moved to SENT by the tenant's rule and e-mailed with its PDF.
 */
import { randomUUID } from 'node:crypto';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChromiumArgs } from '../../functions/adapters/pdf/renderer';
import { aContact, aLead } from '../fixtures/builders';
import { emailsTo, eventually } from '../fixtures/outbox';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
let api: ApiClient;
let browser: Browser;

beforeAll(async () => {
  const tenant = await makeTenant('Estudio Norte');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
  const settings = await api.put('/v1/settings', {
    name: 'Estudio Norte',
    legalName: 'Estudio Norte S.L.',
    taxId: 'B11223344',
    locale: 'en',
    senderName: 'Estudio Norte',
    address: { line1: 'Calle Alcalá 10', city: 'Madrid', postalCode: '28014', country: 'ES' },
    bankAccount: { iban: 'ES9121000418450200051332' },
  });
  if (settings.status >= 300) throw new Error(`settings: ${settings.status} ${JSON.stringify(settings.body)}`);
  browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: defaultChromiumArgs(),
    headless: 'shell',
    pipe: true,
    defaultViewport: { width: 390, height: 844, isMobile: true, hasTouch: false },
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('from a lead to an invoice: the whole path', () => {
  it('lead -> deal -> quote -> accepted and signed in a browser -> invoice created, linked both ways, sent with its PDF', async () => {
    const email = `marta-${randomUUID().slice(0, 8)}@nandu.example`;

    // A contact with the lead's e-mail exists already: the conversion finds it
    const existing = (await api.post('/v1/contacts', aContact({ firstName: 'Marta', lastName: 'Gómez', email }))).body;
    const lead = (
      await api.post(
        '/v1/leads',
        aLead({
          contact: { firstName: 'Marta', lastName: 'Gómez', email, phone: '+34 622 333 444' },
          company: { name: 'Ñandú S.L.', taxId: 'B87654323' },
        }),
      )
    ).body;

    const refused = await api.post(`/v1/leads/${lead.id}/convert`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.candidates.map((c: { id: string }) => c.id)).toEqual([existing.id]);

    const converted = await api.post(`/v1/leads/${lead.id}/convert`, { onDuplicate: 'use' });
    expect(converted.status).toBe(201);
    expect(converted.body.reused).toEqual({ contact: true, company: false });
    const { deal, company } = converted.body;
    expect(deal.contactId).toBe(existing.id);

    // A lead knows only the city: the company gets what an invoice legally needs (else issuing it is refused, 422)
    const completed = await api.patch(`/v1/companies/${company.id}`, {
      legalName: 'Ñandú S.L.',
      address: { line1: 'Calle Betis 5', city: 'Sevilla', postalCode: '41010', country: 'ES' },
      version: company.version,
    });
    expect(completed.status).toBe(200);

    // The deal gets its lines
    const priced = await api.patch(`/v1/deals/${deal.id}`, {
      lines: [
        { description: 'Website design', quantity: '1', unitPrice: '2400.00', taxRate: '21' },
        { description: 'Hosting (months)', quantity: '12', unitPrice: '19.90', taxRate: '21', unit: 'month' },
      ],
      version: deal.version,
    });
    expect(priced.status).toBe(200);
    expect(priced.body.amount).toBe('3192.95');

    // The tenant's quote rule (there by default) is told to send the invoice by itself
    const rules = (await api.get('/v1/automation/rules')).body.data as { id: string; entity: string; stage: string; version: number }[];
    const quoteRule = rules.find((r) => r.entity === 'quote' && r.stage === 'ACCEPTED');
    expect(quoteRule).toBeDefined();
    const edited = await api.put(`/v1/automation/rules/${quoteRule!.id}`, {
      entity: 'quote',
      stage: 'ACCEPTED',
      actions: [{ type: 'create_invoice', moveTo: 'SENT', dueInDays: 14 }],
      version: quoteRule!.version,
    });
    expect(edited.status).toBe(200);

    // A quote from the deal, sent: its PDF goes out by e-mail with the link to its page
    const quote = (await api.post('/v1/quotes', { dealId: deal.id })).body;
    expect(quote.lines.map((l: { description: string }) => l.description)).toEqual(['Website design', 'Hosting (months)']);
    const sent = await api.post(`/v1/quotes/${quote.id}/send`, {});
    expect(sent.status).toBe(200);
    expect(sent.body.delivery).toMatchObject({ status: 'waiting' });
    const number = sent.body.number as string;

    const [quoteMail] = await eventually(async () => {
      const m = await emailsTo(email);
      return m.length ? m : undefined;
    }, 'the quote e-mail');
    expect(quoteMail.subject).toContain(number);
    const quotePdf = quoteMail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(quotePdf?.filename).toBe(`${number}.pdf`);
    const quoteText = await pdfText(Buffer.from(quotePdf!.content, 'base64'));
    expect(quoteText).toContain(number);
    expect(quoteText).toContain('3,192.95');
    const link = /(https?:\/\/\S+\/p\/[A-Za-z0-9_-]{32})\b/.exec(quoteMail.body.text ?? '')?.[1];
    expect(link).toBeDefined();
    expect(quoteMail.body.text?.match(/\/p\/[A-Za-z0-9_-]{32}/g)).toHaveLength(1); // one link to the page

    // The client opens the page on a phone
    const page = await browser.newPage();
    const response = await page.goto(link!, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    expect(response?.headers()['x-frame-options']).toBe('DENY');
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    const shown = await page.$eval('main', (el) => el.textContent ?? '');
    expect(shown).toContain(`Quote ${number}`);
    expect(shown).toContain('Estudio Norte');
    expect(shown).toContain('Ñandú S.L.');
    expect(shown).toContain('€3,192.95');
    expect(shown).toContain('Website design');
    // the lines collapse into cards on a narrow screen: no horizontal scrolling
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await page.$eval('#sigbox', (el) => (el as HTMLElement).hidden)).toBe(false); // the script revealed the pad
    // the page offers the very PDF that was e-mailed
    const pdfHref = await page.$eval('a.pdf', (a) => (a as HTMLAnchorElement).href);
    const offered = Buffer.from(await (await fetch(pdfHref)).arrayBuffer());
    expect(offered.equals(Buffer.from(quotePdf!.content, 'base64'))).toBe(true);

    // ...types the name, draws a signature, ticks the box, submits
    await page.type('#signerName', 'Marta Gómez');
    const pad = (await page.$('#pad'))!;
    await pad.scrollIntoView();
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.7);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(box.x + box.width * (0.1 + 0.04 * i), box.y + box.height * (0.5 + 0.25 * Math.sin(i / 2)), { steps: 2 });
    }
    await page.mouse.up();
    expect(await page.$eval('#signature', (el) => (el as HTMLInputElement).value)).toMatch(/^data:image\/png;base64,/);
    await page.click('input[name=consent]');
    const [after] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);

    // The page now shows the accepted state
    expect(after?.status()).toBe(200);
    expect(page.url()).toBe(link);
    const thanks = await page.$eval('main', (el) => el.textContent ?? '');
    expect(thanks).toContain('Accepted');
    expect(thanks).toContain('Marta Gómez');
    expect(await page.$('#accept')).toBeNull();
    await page.close();

    // The quote holds the evidence; the signature PNG is in the bucket
    const accepted = (await api.get(`/v1/quotes/${quote.id}`)).body;
    expect(accepted).toMatchObject({ status: 'accepted', acceptance: { signerName: 'Marta Gómez', method: 'drawn', ip: '127.0.0.1' } });
    expect(accepted.acceptance.userAgent).toMatch(/Chrome/);
    const documents = (await api.get(`/v1/quotes/${quote.id}/documents`)).body.data as { id: string; sha256: string }[];
    expect(documents).toHaveLength(1);
    expect(accepted.acceptance).toMatchObject({ documentId: documents[0]!.id, documentSha256: documents[0]!.sha256 });
    expect(accepted.acceptance.signatureKey).toMatch(new RegExp(`^tenant/ten_[0-9a-z]+/quotes/${quote.id}/signature-[0-9a-f]{8}\\.png$`));
    const { storage } = await import('../../functions/shared/wiring/storage');
    const png = await storage().get(accepted.acceptance.signatureKey);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');

    // The rule made the invoice from the quote, linked both ways, and moved it to SENT...
    const invoiceId = await eventually(async () => (await api.get(`/v1/quotes/${quote.id}`)).body.invoiceId as string | undefined, 'the invoice');
    const invoice = await eventually(async () => {
      const res = await api.get(`/v1/invoices/${invoiceId}`);
      return res.body.stage === 'SENT' ? res.body : undefined;
    }, 'the invoice moved to SENT');
    expect(invoice).toMatchObject({
      quoteId: quote.id,
      dealId: deal.id,
      source: { type: 'quote', id: quote.id },
      currency: 'EUR',
      status: 'issued',
      client: { kind: 'company', id: company.id, name: 'Ñandú S.L.', taxId: 'B87654323', email },
    });
    expect(invoice.lines).toEqual(accepted.lines);
    expect(invoice.totals).toEqual(accepted.totals);
    expect(invoice.number).toMatch(/^INV-\d{4}-\d{6}$/);

    // ...so the invoice rule rendered and e-mailed it
    const invoiceMail = await eventually(async () => (await emailsTo(email)).find((m) => m.subject.includes(invoice.number)), 'the invoice e-mail');
    const invoicePdf = invoiceMail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(invoicePdf?.filename).toBe(`${invoice.number}.pdf`);
    expect(await pdfText(Buffer.from(invoicePdf!.content, 'base64'))).toContain('3,192.95');

    // The quote's timeline tells the story
    await stack().settle();
    const timeline = (await api.get(`/v1/quotes/${quote.id}/timeline?limit=100`)).body.data as { kind: string; data: Record<string, unknown> }[];
    const kinds = timeline.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['sent', 'document_created', 'message_sent', 'viewed', 'accepted', 'invoice_created']));
    expect(kinds.indexOf('accepted')).toBeLessThan(kinds.indexOf('invoice_created'));
    expect(timeline.find((e) => e.kind === 'invoice_created')!.data.invoiceId).toBe(invoiceId);
    const dealTimeline = (await api.get(`/v1/deals/${deal.id}/timeline`)).body.data as { kind: string; data: Record<string, unknown> }[];
    expect(dealTimeline.filter((e) => e.kind === 'invoice_created').map((e) => e.data)).toEqual([expect.objectContaining({ invoiceId, quoteId: quote.id })]);
    // one invoice however often the event comes: exactly one invoice for the quote
    const accepts = stack().bus.received.filter((e) => e['detail-type'] === 'quote.accepted' && e.detail.quoteId === quote.id);
    expect(accepts).toHaveLength(1);
    expect(accepts[0].detail).toMatchObject({ signerName: 'Marta Gómez', number, documentSha256: documents[0]!.sha256 });
  });
});
