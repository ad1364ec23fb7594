/**
 * Links and roles: the client's public URL is their credential, so viewers never get it; every role gets a preview
 * URL that shows the same page or PDF, records nothing and accepts nothing. Quote links stop at validUntil plus
 * the tenant's grace period and can be revoked (one at a time, or all of a subject's at once); tokens match
 * exactly (letter case included). Authenticated JSON answers are never cached or sniffed.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PublicLink } from '../../functions/domain/documents';
import { aCompany, aLine } from '../fixtures/builders';
import { eventually } from '../fixtures/outbox';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
const url = () => stack().apiUrl;
let tenant: TestTenant;
let api: ApiClient;
let viewer: ApiClient;
let company: { id: string };

const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  tenant = await makeTenant('Links Co');
  api = apiClient(url, tenant.adminKey);
  viewer = apiClient(url, tenant.keys.viewer);
  company = (await api.post('/v1/companies', aCompany({ email: `links-${randomUUID().slice(0, 8)}@acme.example` }))).body;
});

async function aSentQuote(): Promise<{ quote: any; token: string; page: string }> {
  const quote = (await api.post('/v1/quotes', { companyId: company.id, lines: [aLine()] })).body;
  const sent = await api.post(`/v1/quotes/${quote.id}/send`, { delivery: 'none' });
  expect(sent.status).toBe(200);
  return { quote: sent.body, token: sent.body.publicUrl.split('/p/')[1], page: sent.body.publicUrl };
}

async function anInvoiceDocument(): Promise<{ invoice: any; doc: any }> {
  const invoice = (await api.post('/v1/invoices', { companyId: company.id, currency: 'EUR', dueDate: dayOffset(30), lines: [aLine()] })).body;
  const doc = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
  await eventually(async () => (await api.get(`/v1/documents/${doc.id}`)).body.status === 'ready', 'the render');
  return { invoice, doc: (await api.get(`/v1/documents/${doc.id}`)).body };
}

const linkOf = async (token: string) => {
  const { documents } = await import('../../functions/shared/wiring/documents');
  return documents().links.get(PublicLink.idOf(token));
};
const viewedEvents = (subjectId: string) => stack().bus.received.filter((e) => e['detail-type'] === 'document.viewed' && e.detail.subjectId === subjectId);
const swapCase = (token: string) => {
  const i = [...token].findIndex((c) => /[a-zA-Z]/.test(c));
  const c = token[i];
  return token.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + token.slice(i + 1);
};

describe('roles', () => {
  it("gives viewers the preview URL but never the client's public URL; other roles get both", async () => {
    // Prepare
    const { invoice, doc } = await anInvoiceDocument();
    const { quote } = await aSentQuote();

    // Act
    const asViewer = {
      doc: (await viewer.get(`/v1/documents/${doc.id}`)).body,
      docs: (await viewer.get(`/v1/invoices/${invoice.id}/documents`)).body.data,
      quote: (await viewer.get(`/v1/quotes/${quote.id}`)).body,
      quotes: (await viewer.get(`/v1/quotes?limit=100`)).body.data,
    };
    const asManager = (await apiClient(url, tenant.keys.manager).get(`/v1/quotes/${quote.id}`)).body;

    // Assess
    expect(JSON.stringify(asViewer)).not.toContain('publicUrl');
    expect(JSON.stringify(asViewer)).not.toContain(doc.publicUrl.split('/p/')[1]);
    expect(asViewer.doc.previewUrl).toBe(`${url()}/p/preview/${PublicLink.idOf(doc.publicUrl.split('/p/')[1])}`);
    expect(asViewer.quote.previewUrl).toMatch(/\/p\/preview\/[A-Za-z0-9_-]{43}$/);
    expect(asManager.publicUrl).toBe(quote.publicUrl);
    expect(asManager.previewUrl).toBe(asViewer.quote.previewUrl);
  });

  it('lets a viewer revoke nothing', async () => {
    const { quote } = await aSentQuote();
    expect((await viewer.del(`/v1/quotes/${quote.id}/public-link`)).status).toBe(403);
  });
});

describe('the preview URL', () => {
  it('of an invoice document redirects to the PDF and records no view: no event, no timeline entry, the stage stays', async () => {
    const { invoice, doc } = await anInvoiceDocument();
    await stack().settle();

    const res = await fetch(doc.previewUrl, { redirect: 'manual' });
    await stack().settle();

    expect(res.status).toBe(302);
    expect((await fetch(res.headers.get('location')!)).status).toBe(200);
    expect((await linkOf(doc.publicUrl.split('/p/')[1]))?.views).toBe(0);
    expect(viewedEvents(invoice.id)).toEqual([]);
    const kinds = ((await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string }[]).map((e) => e.kind);
    expect(kinds).not.toContain('viewed');
  });

  it('of a quote shows the page without the accept form, says it is a preview, and records nothing', async () => {
    const { quote, token } = await aSentQuote();

    const res = await fetch(quote.previewUrl);
    const html = await res.text();
    await stack().settle();

    expect(res.status).toBe(200);
    expect(html).toContain(`Quote ${quote.number}`);
    expect(html).toContain('Preview: this is what the client sees');
    expect(html).not.toContain('<form');
    expect(html).not.toContain('<script');
    expect(html).not.toContain(token);
    expect((await linkOf(token))?.views).toBe(0);
    expect(viewedEvents(quote.id)).toEqual([]);
  });

  it('answers like an unknown link once the link is revoked, and for ids that are not ids', async () => {
    const { quote } = await aSentQuote();
    const unknown = await fetch(`${url()}/p/preview/${'x'.repeat(43)}`);
    expect((await api.del(`/v1/quotes/${quote.id}/public-link`)).status).toBe(204);

    const revoked = await fetch(quote.previewUrl);

    expect(revoked.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await revoked.text()).toBe(await unknown.text());
    expect((await fetch(`${url()}/p/preview/short`)).status).toBe(404);
  });
});

describe('tokens', () => {
  it('match exactly: the same token with one letter in the other case is unknown', async () => {
    const { doc } = await anInvoiceDocument();
    const { page } = await aSentQuote();
    const token = doc.publicUrl.split('/p/')[1];

    const exact = await fetch(doc.publicUrl, { redirect: 'manual' });
    const otherCase = await fetch(`${url()}/p/${swapCase(token)}`, { redirect: 'manual' });
    const quoteOtherCase = await fetch(`${url()}/p/${swapCase(page.split('/p/')[1])}`);

    expect(exact.status).toBe(302);
    expect(otherCase.status).toBe(404);
    expect(quoteOtherCase.status).toBe(404);
  });
});

describe('quote links', () => {
  async function expireQuote(quoteId: string, validUntil: string) {
    const { service } = await import('../../functions/shared/wiring/core');
    await service().entities.quote.patch({ tenantId: tenant.tenantId, id: quoteId }).set({ validUntil }).go();
  }
  async function setGrace(days: number | undefined) {
    const current = (await api.get('/v1/settings')).body;
    const res = await api.put('/v1/settings', {
      locale: current.locale,
      ...(days === undefined ? {} : { quoteLinkGraceDays: days }),
      version: current.version,
    });
    expect(res.status).toBe(200);
    return res.body;
  }

  it('show the expired state (no form) within the grace period, and answer like unknown links after it', async () => {
    // Prepare: a quote that expired three days ago, a default grace of 30 days
    const { quote, page, token } = await aSentQuote();
    await expireQuote(quote.id, dayOffset(-3));
    expect((await setGrace(undefined)).quoteLinkGraceDays).toBe(30);

    // Act / Assess: within the grace period, the page says it expired and has no form; accepting is refused
    const within = await fetch(page);
    const html = await within.text();
    expect(within.status).toBe(200);
    expect(html).toContain('This quote has expired');
    expect(html).not.toContain('<form');
    expect(
      (await fetch(`${page}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"signerName":"Ana","consent":true}' })).status,
    ).toBe(409);

    // a grace period of 2 days: the link has ended, exactly like an unknown one (the page and its accept alike)
    expect((await setGrace(2)).quoteLinkGraceDays).toBe(2);
    const after = await fetch(page);
    const unknown = await fetch(`${url()}/p/${'Q'.repeat(32)}`);
    expect(after.status).toBe(404);
    expect(await after.text()).toBe(await unknown.text());
    expect(
      (await fetch(`${page}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"signerName":"Ana","consent":true}' })).status,
    ).toBe(404);
    expect((await linkOf(token))?.revokedAt).toBeUndefined(); // expiry is a rule, not a change of the link
    await setGrace(undefined);
  });

  it('can be revoked all at once (the page link and every document link of the quote): 404 for the page and for accepting', async () => {
    // Prepare: a sent quote with a rendered document (whose link also opens the page)
    const { quote, page } = await aSentQuote();
    await api.post(`/v1/quotes/${quote.id}/send`, { delivery: 'email', to: `c-${randomUUID().slice(0, 6)}@acme.example` });
    const doc = await eventually(
      async () => (await api.get(`/v1/quotes/${quote.id}/documents`)).body.data.find((d: any) => d.status === 'ready'),
      'the quote PDF',
    );
    expect((await fetch(doc.publicUrl)).status).toBe(200);

    // Act
    const revoked = await api.del(`/v1/quotes/${quote.id}/public-link`);

    // Assess
    expect(revoked.status).toBe(204);
    expect((await fetch(page)).status).toBe(404);
    expect((await fetch(doc.publicUrl)).status).toBe(404);
    const accept = await fetch(`${page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"signerName":"Ana","consent":true}',
    });
    expect(accept.status).toBe(404);
    expect((await api.get(`/v1/quotes/${quote.id}`)).body.status).toBe('sent'); // the quote itself is unchanged
    expect((await api.del(`/v1/quotes/${quote.id}/public-link`)).status).toBe(204); // again: nothing left to revoke, same answer
  });

  it('lose the accept form once the quote is declined, and accepting answers 409', async () => {
    const { quote, page } = await aSentQuote();
    expect((await fetch(page).then((r) => r.text())).includes('<form')).toBe(true);

    expect((await api.post(`/v1/quotes/${quote.id}/decline`, {})).status).toBe(200);

    const html = await fetch(page).then((r) => r.text());
    expect(html).toContain('This quote was declined');
    expect(html).not.toContain('<form');
    const accept = await fetch(`${page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"signerName":"Ana","consent":true}',
    });
    expect(accept.status).toBe(409);
  });
});

describe('invoice links', () => {
  it('are all revoked at once by DELETE /v1/invoices/{id}/public-links', async () => {
    const { invoice, doc } = await anInvoiceDocument();
    const second = (await api.post(`/v1/invoices/${invoice.id}/documents`, {})).body;
    await eventually(async () => (await api.get(`/v1/documents/${second.id}`)).body.status === 'ready', 'the second render');
    expect((await fetch(doc.publicUrl, { redirect: 'manual' })).status).toBe(302);

    expect((await api.del(`/v1/invoices/${invoice.id}/public-links`)).status).toBe(204);

    expect((await fetch(doc.publicUrl, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(second.publicUrl, { redirect: 'manual' })).status).toBe(404);
    expect((await api.del(`/v1/invoices/inv_${'0'.repeat(26)}/public-links`)).status).toBe(404);
  });
});

describe('authenticated JSON answers', () => {
  it('carry Cache-Control: no-store and X-Content-Type-Options: nosniff, errors included', async () => {
    const ok = await api.get('/v1/companies?limit=1');
    const missing = await api.get(`/v1/companies/cmp_${'0'.repeat(26)}`);
    const unauthenticated = await apiClient(url).get('/v1/companies');
    const invalid = await api.post('/v1/companies', { name: '' });

    for (const res of [ok, missing, unauthenticated, invalid]) {
      expect(res.headers.get('cache-control'), String(res.status)).toBe('no-store');
      expect(res.headers.get('x-content-type-options'), String(res.status)).toBe('nosniff');
    }
    expect([ok.status, missing.status, unauthenticated.status, invalid.status]).toEqual([200, 404, 401, 400]);
  });
});
