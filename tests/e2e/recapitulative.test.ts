import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../functions/domain/documents/locale-format';
import { aContact, aDeal, aLine } from '../fixtures/builders';
import { download, requestDocument } from '../fixtures/documents';
import { aClient } from '../fixtures/payments';
import { pdfText } from '../fixtures/pdf-text';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

/**
 * Recapitulative invoices (factura recapitulativa) through the HTTP API on the local stack: one draft for a
 * client's won deals of one month, each line with its operation date and source; refusals by name (another
 * month, another client, already invoiced); the deals cannot be invoiced again, also when two requests race;
 * issued it is F1, and its PDF (pdfjs) says what it is and prints each operation date.
 */
const stack = useLocalStack();
let api: ApiClient;
let tenantId: string;

const month = new Date().toISOString().slice(0, 7);
const previousMonth = (() => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
})();

beforeAll(async () => {
  const tenant = await makeTenant('Recap', { locale: 'es' });
  tenantId = tenant.tenantId;
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
});

afterAll(async () => {
  const { closePdfRenderer } = await import('../../functions/shared/wiring/pdf');
  await closePdfRenderer();
});

/** A deal won now (created in the pipeline's success stage), for the company. */
async function aWonDeal(companyId: string, title: string, unitPrice: string) {
  const res = await api.post(
    '/v1/deals',
    aDeal({ title, companyId, stage: 'WON', lines: [aLine({ description: title, quantity: '1', unitPrice, taxRate: '21' })] }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body).toMatchObject({ status: 'won', closedAt: expect.any(String) });
  return res.body as { id: string; closedAt: string };
}

/** Moves a deal's won date into another month (as if it had been won then). */
async function wonOn(dealId: string, closedAt: string) {
  const { service } = await import('../../functions/shared/wiring/core');
  await service().entities.deal.patch({ tenantId, id: dealId }).set({ closedAt }).go();
}

describe('recapitulative invoices', () => {
  it("groups two won deals of the month into one draft, each line with operationDate and sourceId; the deals' timelines show it", async () => {
    // Prepare
    const client = await aClient(api);
    const first = await aWonDeal(client.id, 'Instalación', '100.00');
    const second = await aWonDeal(client.id, 'Mantenimiento', '50.00');

    // Act
    const res = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: [first.id, second.id] });

    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      type: 'invoice',
      status: 'draft',
      recapitulative: true,
      fiscalType: null,
      client: { kind: 'company', id: client.id },
      currency: 'EUR',
      sources: [
        { type: 'deal', id: first.id },
        { type: 'deal', id: second.id },
      ],
      totals: { net: '150.00', tax: '31.50', total: '181.50' },
    });
    expect(res.body.lines).toEqual([
      expect.objectContaining({ description: 'Instalación', netAmount: '100.00', operationDate: first.closedAt.slice(0, 10), sourceId: first.id }),
      expect.objectContaining({ description: 'Mantenimiento', netAmount: '50.00', operationDate: second.closedAt.slice(0, 10), sourceId: second.id }),
    ]);
    for (const deal of [first, second]) {
      expect((await api.get(`/v1/deals/${deal.id}`)).body.invoiceId).toBe(res.body.id);
      const timeline = (await api.get(`/v1/deals/${deal.id}/timeline`)).body.data;
      expect(timeline).toContainEqual(
        expect.objectContaining({ kind: 'invoice_created', data: expect.objectContaining({ invoiceId: res.body.id, recapitulative: true }) }),
      );
    }
  });

  it("refuses a deal won in another month and another client's deal, naming each; nothing is written", async () => {
    // Prepare
    const client = await aClient(api);
    const other = await aClient(api, { name: 'Otra S.L.', legalName: 'Otra S.L.' });
    const ok = await aWonDeal(client.id, 'Obra', '100.00');
    const old = await aWonDeal(client.id, 'Obra antigua', '80.00');
    await wonOn(old.id, `${previousMonth}-15T10:00:00.000Z`);
    const foreign = await aWonDeal(other.id, 'Obra ajena', '70.00');
    const before = (await api.get('/v1/invoices?limit=100')).body.data.length;

    // Act
    const res = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: [ok.id, old.id, foreign.id] });
    const wrongMonth = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month: previousMonth, dealIds: [ok.id] });
    const emptyMonth = await api.post('/v1/invoices/recapitulative', { companyId: other.id, month: previousMonth });

    // Assess
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors).toEqual([
      { field: 'dealIds[1]', message: `won on ${previousMonth}-15, not in ${month}` },
      { field: 'dealIds[2]', message: "another client's deal" },
    ]);
    expect(wrongMonth.status).toBe(422);
    expect(wrongMonth.body.errors[0].field).toBe('dealIds[0]');
    expect(emptyMonth.status).toBe(422);
    expect(emptyMonth.body.errors).toEqual([{ field: 'month', message: 'nothing to invoice in this month' }]);
    expect((await api.get('/v1/invoices?limit=100')).body.data.length).toBe(before);
    expect((await api.get(`/v1/deals/${ok.id}`)).body.invoiceId).toBeUndefined();
  });

  it('without ids takes every won deal of the month without an invoice; then the same sources are refused: a second recapitulative (409 by name) and from.dealId', async () => {
    // Prepare
    const client = await aClient(api);
    const a = await aWonDeal(client.id, 'Uno', '10.00');
    const b = await aWonDeal(client.id, 'Dos', '20.00');
    const old = await aWonDeal(client.id, 'Tres', '30.00');
    await wonOn(old.id, `${previousMonth}-02T10:00:00.000Z`);

    // Act
    const made = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month });
    const again = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: [b.id] });
    const none = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month });
    const fromDeal = await api.post('/v1/invoices', { from: { dealId: a.id } });

    // Assess
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.sources.map((s: { id: string }) => s.id).sort()).toEqual([a.id, b.id].sort());
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: 'dealIds[0]', message: `already invoiced: ${made.body.id}` }]);
    expect(again.body.invoiceId).toBe(made.body.id);
    expect(none.status).toBe(422);
    expect(none.body.errors[0].field).toBe('month');
    expect(fromDeal.status).toBe(409);
    expect(fromDeal.body.errors).toEqual([{ field: 'from.dealId', message: `already invoiced: ${made.body.id}` }]);
    expect((await api.get(`/v1/deals/${old.id}`)).body.invoiceId).toBeUndefined();
  });

  it('groups an accepted quote with a deal; the quote then refuses from.quoteId; deleting the draft gives both back', async () => {
    // Prepare: a quote accepted now (its acceptance written as the public page does: status and acceptedAt)
    const client = await aClient(api);
    const deal = await aWonDeal(client.id, 'Proyecto', '100.00');
    const quote = (
      await api.post('/v1/quotes', {
        companyId: client.id,
        currency: 'EUR',
        lines: [aLine({ description: 'Extra', quantity: '2', unitPrice: '25.00', taxRate: '21' })],
      })
    ).body;
    const acceptedAt = new Date().toISOString();
    const { service } = await import('../../functions/shared/wiring/core');
    await service().entities.quote.patch({ tenantId, id: quote.id }).set({ status: 'accepted', acceptedAt }).go();

    // Act
    const made = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: [deal.id], quoteIds: [quote.id] });
    const fromQuote = await api.post('/v1/invoices', { from: { quoteId: quote.id } });
    const deleted = await api.del(`/v1/invoices/${made.body.id}`);
    const dealAfter = (await api.get(`/v1/deals/${deal.id}`)).body;
    const quoteAfter = (await api.get(`/v1/quotes/${quote.id}`)).body;
    const again = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month });

    // Assess
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.lines.map((l: { sourceId: string; operationDate: string }) => [l.sourceId, l.operationDate])).toEqual(
      [
        [deal.id, deal.closedAt.slice(0, 10)],
        [quote.id, acceptedAt.slice(0, 10)],
      ].sort((a, b) => (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0)),
    );
    expect(made.body.totals.net).toBe('150.00');
    expect(fromQuote.status).toBe(409);
    expect(fromQuote.body.errors).toEqual([{ field: 'from.quoteId', message: `already invoiced: ${made.body.id}` }]);
    expect(deleted.status).toBe(204);
    expect(dealAfter.invoiceId).toBeUndefined();
    expect(quoteAfter.invoiceId).toBeUndefined();
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.sources).toHaveLength(2);
  });

  it("bills a person (contactId): their deals without a company; a company's deal naming them is refused as another client's", async () => {
    // Prepare
    const person = (await api.post('/v1/contacts', aContact())).body;
    const company = await aClient(api);
    const own = (await api.post('/v1/deals', aDeal({ title: 'Particular', contactId: person.id, stage: 'WON' }))).body;
    const companys = (await api.post('/v1/deals', aDeal({ title: 'Empresa', companyId: company.id, contactId: person.id, stage: 'WON' }))).body;

    // Act
    const refused = await api.post('/v1/invoices/recapitulative', { contactId: person.id, month, dealIds: [own.id, companys.id] });
    const made = await api.post('/v1/invoices/recapitulative', { contactId: person.id, month });
    const both = await api.post('/v1/invoices/recapitulative', { companyId: company.id, contactId: person.id, month });

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ field: 'dealIds[1]', message: "another client's deal" }]);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ client: { kind: 'contact', id: person.id }, sources: [{ type: 'deal', id: own.id }] });
    expect(both.status).toBe(400);
  });

  it('makes one invoice when two requests race, and one for a replayed Idempotency-Key', async () => {
    // Prepare
    const client = await aClient(api);
    const deals = [await aWonDeal(client.id, 'A', '10.00'), await aWonDeal(client.id, 'B', '10.00')];
    const body = { companyId: client.id, month, dealIds: deals.map((d) => d.id) };

    // Act
    const both = await Promise.all([api.post('/v1/invoices/recapitulative', body), api.post('/v1/invoices/recapitulative', body)]);
    const listed = (await api.get(`/v1/invoices?limit=100`)).body.data.filter((i: { client: { id: string } | null }) => i.client?.id === client.id);
    const other = await aClient(api);
    const otherDeal = await aWonDeal(other.id, 'C', '10.00');
    const key = { 'idempotency-key': `recap-${Date.now()}` };
    const replayBody = { companyId: other.id, month, dealIds: [otherDeal.id] };
    const first = await api.post('/v1/invoices/recapitulative', replayBody, key);
    const replay = await api.post('/v1/invoices/recapitulative', replayBody, key);

    // Assess
    expect(both.map((r) => r.status).sort(), JSON.stringify(both.map((r) => r.body))).toEqual([201, 409]);
    const winner = both.find((r) => r.status === 201)!.body;
    expect(both.find((r) => r.status === 409)!.body.invoiceId).toBe(winner.id);
    expect(listed.map((i: { id: string }) => i.id)).toEqual([winner.id]);
    for (const d of deals) expect((await api.get(`/v1/deals/${d.id}`)).body.invoiceId).toBe(winner.id);
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
  });

  it('issued it is an ordinary invoice (F1); its PDF says "Factura recapitulativa" and prints each operation date', async () => {
    // Prepare
    const client = await aClient(api);
    const first = await aWonDeal(client.id, 'Reforma cocina', '300.00');
    const second = await aWonDeal(client.id, 'Reforma baño', '200.00');
    const made = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: [first.id, second.id], dueDate: '2030-01-31' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);

    // Act
    const issued = await api.post(`/v1/invoices/${made.body.id}/stage`, { stage: 'VIEWED' });
    const requested = await requestDocument(api, made.body.id);
    await stack().settle(60_000);
    const doc = (await api.get(`/v1/documents/${requested.id}`)).body;
    const text = (await pdfText(await download(doc.pdfUrl))).replace(/\s+/g, ' ');

    // Assess
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ fiscalType: 'F1', recapitulative: true, number: expect.stringMatching(/^INV-/) });
    expect(doc.status, JSON.stringify(doc)).toBe('ready');
    expect(text).toContain('Factura recapitulativa');
    expect(text).toContain(`Fecha de la operación: ${formatDate(first.closedAt.slice(0, 10), 'es')}`);
    expect(text).toContain(`Fecha de la operación: ${formatDate(second.closedAt.slice(0, 10), 'es')}`);
    expect(text).toContain('Reforma cocina');
  });

  it("its e-invoice (UBL and CII) carries each line's operation date as the line period (BG-26)", async () => {
    // Prepare
    const client = await aClient(api);
    const first = await aWonDeal(client.id, 'Pintura', '120.00');
    const second = await aWonDeal(client.id, 'Fontanería', '80.00');
    const made = await api.post('/v1/invoices/recapitulative', { companyId: client.id, month, dealIds: [first.id, second.id], dueDate: '2030-01-31' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const issued = await api.post(`/v1/invoices/${made.body.id}/stage`, { stage: 'VIEWED' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);

    // Act
    const ubl = await api.get(`/v1/invoices/${made.body.id}/einvoice?syntax=ubl`);
    const cii = await api.get(`/v1/invoices/${made.body.id}/einvoice?syntax=cii`);

    // Assess
    expect(ubl.status, String(ubl.body)).toBe(200);
    expect(cii.status, String(cii.body)).toBe(200);
    const ublXml = String(ubl.body).replace(/>\s+</g, '><');
    const ciiXml = String(cii.body).replace(/>\s+</g, '><');
    const dates = (made.body.lines as { operationDate: string }[]).map((l) => l.operationDate);
    expect(dates).toEqual([first.closedAt.slice(0, 10), second.closedAt.slice(0, 10)].sort());
    const ublPeriods = [
      ...ublXml.matchAll(
        /<cac:InvoiceLine>[\s\S]*?<cac:InvoicePeriod><cbc:StartDate>([^<]+)<\/cbc:StartDate><cbc:EndDate>([^<]+)<\/cbc:EndDate><\/cac:InvoicePeriod>/g,
      ),
    ];
    expect(ublPeriods.map((m) => [m[1], m[2]])).toEqual(dates.map((d) => [d, d]));
    const ciiPeriods = [
      ...ciiXml.matchAll(
        /<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">(\d{8})<\/udt:DateTimeString><\/ram:StartDateTime><ram:EndDateTime><udt:DateTimeString format="102">(\d{8})</g,
      ),
    ];
    expect(ciiPeriods.map((m) => [m[1], m[2]])).toEqual(dates.map((d) => [d.replaceAll('-', ''), d.replaceAll('-', '')]));
  });
});
