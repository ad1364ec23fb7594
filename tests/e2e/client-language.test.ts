/**
 * What the client and a new user see (issue 15), through the HTTP API and the real stand-ins: the quote page and
 * e-mails in the client's language (the tenant's, or the client's own), no invoice issued without its legal
 * minimum, the accepted quote becoming a sent invoice that the seller is told of, and errors that teach.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aCompany, aLine } from '../fixtures/builders';
import { emailsTo, eventually } from '../fixtures/outbox';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;
const unique = () => randomUUID().slice(0, 8);

/** Intl separates thousands and currencies with no-break spaces: compare them as plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

let es: ApiClient;
let sellerEmail: string;

beforeAll(async () => {
  sellerEmail = `seller-${unique()}@demo.example`;
  es = apiClient(url, (await makeTenant('Tienda Demo', { locale: 'es', adminEmail: sellerEmail })).adminKey);
});

async function aCompanyOf(api: ApiClient, overrides: Record<string, unknown> = {}) {
  const email = `cliente-${unique()}@acme.example`;
  const res = await api.post('/v1/companies', aCompany({ email, ...overrides }));
  expect(res.status).toBe(201);
  return { company: res.body, email };
}

async function aSentQuote(api: ApiClient, companyId: string) {
  const quote = (await api.post('/v1/quotes', { companyId, lines: [aLine({ quantity: '40', unitPrice: '85.00' })] })).body;
  const sent = await api.post(`/v1/quotes/${quote.id}/send`, { delivery: 'none' });
  expect(sent.status).toBe(200);
  return { quote: sent.body, page: sent.body.publicUrl as string };
}

describe("the client's language", () => {
  it("shows a Spanish tenant's quote page in Spanish, amounts and dates by Intl, no English left", async () => {
    const { company } = await aCompanyOf(es);
    const { page } = await aSentQuote(es, company.id);

    const html = plain(await (await fetch(page)).text());

    expect(html).toContain('<html lang="es">');
    expect(html).toContain('Aceptar este presupuesto');
    expect(html).toContain('Su nombre completo');
    expect(html).toContain('Pendiente de su aceptación');
    expect(html).toContain('4114,00 €'); // 40 x 85.00 + 21 % VAT (Spanish groups thousands from 10 000 on)
    expect(html).toMatch(/Válido \d+ días más/);
    for (const english of ['Accept this quote', 'Your full name', 'Subtotal', 'Download the PDF', 'Awaiting your acceptance', 'Prepared for']) {
      expect(html).not.toContain(english);
    }
  });

  it("says the staff preview of a Spanish client's quote is a preview, in Spanish", async () => {
    const { company } = await aCompanyOf(es);
    const quote = (await es.post('/v1/quotes', { companyId: company.id, lines: [aLine()] })).body;
    const sent = (await es.post(`/v1/quotes/${quote.id}/send`, { delivery: 'none' })).body;

    const html = plain(await (await fetch(sent.previewUrl)).text());

    expect(html).toContain('<html lang="es">');
    expect(html).toContain('Vista previa: esto es lo que ve el cliente.');
    expect(html).not.toContain('Preview: this is what the client sees');
  });

  it('says the accepted, expired and declined states in Spanish, and the refused fields too', async () => {
    const { company } = await aCompanyOf(es);
    const { quote, page } = await aSentQuote(es, company.id);
    const refused = await fetch(`${page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signerName: 'A' }).toString(),
    });
    const refusedHtml = await refused.text();
    expect(refused.status).toBe(422);
    expect(refusedHtml).toContain('Escriba su nombre completo');
    expect(refusedHtml).toContain('Marque la casilla');

    const accepted = await fetch(`${page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signerName: 'Ana Pérez', consent: true }),
    });
    expect(accepted.status).toBe(200);
    const acceptedHtml = await (await fetch(page)).text();
    expect(acceptedHtml).toContain('Aceptado — gracias');
    expect(acceptedHtml).toContain('<strong>Ana Pérez</strong> aceptó este presupuesto');

    const declined = await aSentQuote(es, company.id);
    expect((await es.post(`/v1/quotes/${declined.quote.id}/decline`, {})).status).toBe(200);
    expect(await (await fetch(declined.page)).text()).toContain('Este presupuesto fue rechazado');
    expect(quote.number).toBeTruthy();
  });

  it('e-mails an invoice in Spanish (subject, body, amount, date) and a credit note in its own words', async () => {
    const { company, email } = await aCompanyOf(es);
    const invoice = (await es.post('/v1/invoices', { companyId: company.id, currency: 'EUR', dueDate: '2026-12-31', lines: [aLine()] })).body;
    const moved = await es.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    expect(moved.status).toBe(200);

    const [mail] = await eventually(async () => {
      const found = await emailsTo(email);
      return found.length ? found : undefined;
    }, 'the invoice e-mail');
    expect(mail.subject).toBe(`Factura ${moved.body.number} de Tienda Demo`);
    const text = plain(mail.body.text ?? '');
    expect(text).toContain('Hola, Acme Iberia S.L.:');
    expect(text).toContain('1149,50 €');
    expect(text).toContain('31 dic 2026');
    expect(text).not.toMatch(/EUR|Hello|due on/);

    const creditEmail = `abono-${unique()}@acme.example`;
    const other = await aCompanyOf(es, { email: creditEmail });
    const credit = (
      await es.post('/v1/invoices', {
        type: 'credit_note',
        companyId: other.company.id,
        currency: 'EUR',
        dueDate: '2026-12-31',
        lines: [aLine({ quantity: '-1', unitPrice: '30.08' })],
      })
    ).body;
    expect((await es.post(`/v1/invoices/${credit.id}/stage`, { stage: 'SENT', version: credit.version })).status).toBe(200);
    const [creditMail] = await eventually(async () => {
      const found = await emailsTo(creditEmail);
      return found.length ? found : undefined;
    }, 'the credit note e-mail');
    expect(creditMail.subject).toMatch(/^Factura rectificativa /);
    expect(plain(creditMail.body.text ?? '')).toContain('por 36,40 €, que reduce el importe que nos adeuda');
    expect(creditMail.body.text).not.toMatch(/vencimiento|-36/);
  });

  it("speaks to a client in its own language, whatever the tenant's: the page, the e-mail and the PDF", async () => {
    const { company, email } = await aCompanyOf(es, { locale: 'ru', legalName: 'АО «Северный ветер»', legalForm: 'АО' });
    expect(company.locale).toBe('ru');
    const { page } = await aSentQuote(es, company.id);
    const html = plain(await (await fetch(page)).text());
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('Принять предложение');
    expect(html).toContain('4 114,00 €');

    const invoice = (await es.post('/v1/invoices', { companyId: company.id, currency: 'EUR', dueDate: '2026-12-31', lines: [aLine()] })).body;
    expect((await es.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' })).status).toBe(200);
    const [mail] = await eventually(async () => {
      const found = await emailsTo(email);
      return found.length ? found : undefined;
    }, 'the Russian e-mail');
    expect(mail.subject).toMatch(/^Счёт INV-/);
    expect(plain(mail.body.text ?? '')).toContain('1 149,50 €');
    const pdf = plain(await pdfText(Buffer.from(mail.attachments.find((a) => a.contentType === 'application/pdf')!.content, 'base64')));
    expect(pdf).toContain('ПОКУПАТЕЛЬ'); // headings are upper case by the stylesheet
    expect(pdf).toMatch(/INV-\d{4}-\d{6} · Страница 1 из 1/); // the number on every page
    expect(pdf).toContain('Сумма прописью');
    expect(pdf).toContain('Одна тысяча сто сорок девять евро 50 евроцентов');
    expect(pdf.match(/АО/g)?.length).toBe(1); // the legal form printed once
  });

  it("answers an unknown link in the browser's language, the same whatever exists", async () => {
    const res = await fetch(`${url()}/p/${'A'.repeat(32)}`, { headers: { 'accept-language': 'es-ES,es;q=0.9,en;q=0.8' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-language')).toBe('es');
    expect(await res.text()).toContain('Enlace no disponible');
  });

  it('refuses a client locale it cannot speak, naming the field', async () => {
    const res = await es.post('/v1/companies', aCompany({ locale: 'de' }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'locale', message: expect.stringContaining('en, es, ru, ro') }]);
  });
});

describe('no legally incomplete invoice', () => {
  it("answers 422 listing the seller's missing tax id, and issues once it is set", async () => {
    const api = apiClient(url, (await makeTenant('Sin NIF', { seller: false })).adminKey);
    const settings = (await api.get('/v1/settings')).body;
    const details = {
      locale: 'es',
      legalName: 'Sin NIF S.L.',
      address: { line1: 'Calle Ficticia 2', city: 'Madrid', postalCode: '28002', country: 'ES' },
    };
    expect((await api.put('/v1/settings', { ...details, version: settings.version })).status).toBe(200);
    const { company } = await aCompanyOf(api);
    const invoice = (await api.post('/v1/invoices', { companyId: company.id, currency: 'EUR', dueDate: '2026-12-31', lines: [aLine()] })).body;

    const refused = await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'PAID' });

    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.errors).toEqual([{ field: 'seller.taxId', message: expect.stringContaining('PUT /v1/settings') }]);
    expect((await api.get(`/v1/invoices/${invoice.id}`)).body).toMatchObject({ status: 'draft', number: null });

    const current = (await api.get('/v1/settings')).body;
    expect((await api.put('/v1/settings', { ...details, taxId: 'B12345678', version: current.version })).body.errors).toEqual([
      { field: 'taxId', message: expect.stringContaining('not a valid Spanish NIF') },
    ]);
    expect((await api.put('/v1/settings', { ...details, taxId: 'B12345674', version: current.version })).status).toBe(200);
    expect((await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' })).body.status).toBe('issued');
  });

  it("lists a lead-converted company's missing legal name and address, and refuses a wrong NIF on a company", async () => {
    const { company } = await aCompanyOf(es);
    const bare = await es.patch(`/v1/companies/${company.id}`, { legalName: null, address: { line1: '-', city: 'Sevilla', postalCode: '-', country: 'ES' } });
    expect(bare.status).toBe(200);
    const wrong = await es.patch(`/v1/companies/${company.id}`, { taxId: 'B-87654321' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([{ field: 'taxId', message: expect.stringContaining('"B-87654321" is not a valid Spanish NIF') }]);
    const invoice = (await es.post('/v1/invoices', { companyId: company.id, currency: 'EUR', dueDate: '2026-12-31', lines: [aLine()] })).body;
    const refused = await es.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['client.legalName']);
  });
});

describe('an accepted quote', () => {
  it('becomes an invoice that is sent with a Reply-To of the responsible user, who is told, and the page says so', async () => {
    const { company, email } = await aCompanyOf(es);
    const { quote, page } = await aSentQuote(es, company.id);

    const accepted = await fetch(`${page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signerName: 'Carmen Vidal', consent: true }),
    });
    expect(accepted.status).toBe(200);

    const invoice = await eventually(async () => {
      const id = (await es.get(`/v1/quotes/${quote.id}`)).body.invoiceId;
      const found = id ? (await es.get(`/v1/invoices/${id}`)).body : undefined;
      return found?.status === 'issued' ? found : undefined;
    }, 'the sent invoice');
    expect(invoice.stage).not.toBe('NEW');
    expect(invoice.responsibleUserId).toBe(quote.responsibleUserId);
    expect(invoice.responsibleUserId).toMatch(/^usr_/);

    const [mail] = await eventually(async () => {
      const found = (await emailsTo(email)).filter((m) => m.subject.startsWith('Factura'));
      return found.length ? found : undefined;
    }, 'the invoice e-mail');
    expect(mail.subject).toBe(`Factura ${invoice.number} de Tienda Demo`);
    expect(mail.replyTo.join()).toContain(sellerEmail);

    const [note] = await eventually(async () => {
      const found = (await emailsTo(sellerEmail)).filter((m) => m.subject.includes(quote.number));
      return found.length ? found : undefined;
    }, "the seller's notification");
    expect(note.subject).toBe(`Acme Iberia S.L. aceptó el presupuesto ${quote.number}`);
    expect(note.body.text).toContain('Carmen Vidal');
    const timeline = (await es.get(`/v1/quotes/${quote.id}/timeline`)).body.data as { kind: string }[];
    expect(timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['accepted', 'message_sent']));
    expect(await (await fetch(page)).text()).toContain('Hemos avisado a Tienda Demo');
  });

  it('does not claim the seller was told when no rule tells anyone', async () => {
    const rules = (await es.get('/v1/automation/rules')).body.data as { id: string; entity: string; version: number }[];
    const rule = rules.find((r) => r.entity === 'quote')!;
    const changed = await es.put(`/v1/automation/rules/${rule.id}`, {
      entity: 'quote',
      stage: 'ACCEPTED',
      actions: [{ type: 'create_invoice', moveTo: 'SENT' }],
      version: rule.version,
    });
    expect(changed.status).toBe(200);
    const { company } = await aCompanyOf(es);
    const { page } = await aSentQuote(es, company.id);
    await fetch(`${page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signerName: 'Luis Mora', consent: true }),
    });
    const html = await (await fetch(page)).text();
    expect(html).toContain('Tienda Demo se pondrá en contacto con usted.');
    expect(html).not.toContain('Hemos avisado');
  });
});

describe('errors that teach', () => {
  it('says amounts are decimal strings when money arrives as a JSON number', async () => {
    const res = await es.post('/v1/invoices', { currency: 'EUR', lines: [{ description: 'x', quantity: '1', unitPrice: 95.5, taxRate: '21' }] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'lines[0].unitPrice', message: 'amounts are decimal strings, e.g. "95.50" (a JSON number loses digits)' }]);
  });

  it('lists the stages for an unknown or lower-case one', async () => {
    const { company } = await aCompanyOf(es);
    const invoice = (await es.post('/v1/invoices', { companyId: company.id, currency: 'EUR', dueDate: '2026-12-31', lines: [aLine()] })).body;
    const res = await es.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'sent' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: 'stage', message: 'unknown stage "sent"; stages are NEW, SENT, VIEWED, PAID, CANCELLED (stage ids are upper case: "SENT")' },
    ]);
  });

  it('answers problem+json 404 for an unknown route and 405 with Allow for a wrong method', async () => {
    const missing = await es.get('/v1/invoice');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body.detail).toMatch(/did you mean \/v1\/invoices( or |\?)/); // the path as long as the typo first, not a sub-route
    const wrong = await es.call('PUT', '/v1/companies', {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    expect(wrong.body).toMatchObject({ status: 405, title: 'Method not allowed' });
  });

  it('hints at the missing Bearer prefix', async () => {
    const res = await fetch(`${url()}/v1/invoices`, { headers: { authorization: 'crm_abc_def' } });
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toContain('lacks the "Bearer " prefix');
  });
});
