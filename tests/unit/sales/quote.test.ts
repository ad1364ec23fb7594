import { describe, expect, it } from 'vitest';
import { Quote, QuoteSending, type Deal, type SendPorts } from '../../../functions/domain/sales';
import { aContactRecord, defaultCurrency, memoryClients, memoryNumbering, memoryStore, USER } from '../../fixtures/sales-fakes';

const { acceptanceRefusal, effectiveStatus } = Quote;
const quoteNumberFormat = Quote.numberFormat;
const quoteView = Quote.view;

const T = 'ten_1';
const line = { description: 'Hour', quantity: '1', unitPrice: '100', taxRate: '21' };
const FORMAT = 'QUO-{YYYY}-{000000}';

function ports(now = new Date('2026-03-10T12:00:00Z')) {
  const quotes = memoryStore<Quote.Info>();
  const clients = memoryClients();
  clients.contacts.set('con_01', aContactRecord(T));
  const numbering = memoryNumbering(quotes);
  const p = { quotes, deals: memoryStore<Deal.Info>(), clients, numbering, now: () => now, retryDelayMs: 0, defaultCurrency } satisfies SendPorts & {
    defaultCurrency: () => Promise<string>;
  };
  return { p, quotes, numbering, clients };
}

async function draft(p: SendPorts & { defaultCurrency: () => Promise<string> }, overrides: Record<string, unknown> = {}) {
  return Quote.create(
    { ...p, now: () => new Date('2026-03-10T12:00:00Z') },
    { tenantId: T, actor: USER, input: { contactId: 'con_01', lines: [line], ...overrides } },
  );
}

describe('quote status', () => {
  it('reads draft and sent quotes past validUntil as expired, never accepted or declined ones', () => {
    expect(effectiveStatus({ status: 'sent', validUntil: '2026-03-09' }, '2026-03-10')).toBe('expired');
    expect(effectiveStatus({ status: 'sent', validUntil: '2026-03-10' }, '2026-03-10')).toBe('sent');
    expect(effectiveStatus({ status: 'draft', validUntil: '2026-03-01' }, '2026-03-10')).toBe('expired');
    expect(effectiveStatus({ status: 'accepted', validUntil: '2026-03-01' }, '2026-03-10')).toBe('accepted');
    expect(effectiveStatus({ status: 'sent' }, '2099-01-01')).toBe('sent');
  });

  it('lets a client accept only a sent, unexpired quote', () => {
    expect(acceptanceRefusal({ status: 'sent', validUntil: '2026-03-10' }, '2026-03-10')).toBeNull();
    expect(acceptanceRefusal({ status: 'sent', validUntil: '2026-03-09' }, '2026-03-10')).toEqual({
      status: 'expired',
      message: 'this quote expired on 2026-03-09',
    });
    expect(acceptanceRefusal({ status: 'accepted' }, '2026-03-10')?.status).toBe('accepted');
    expect(acceptanceRefusal({ status: 'draft' }, '2026-03-10')?.status).toBe('draft');
  });

  it("uses the tenant's quote number format when valid, the default otherwise", () => {
    expect(quoteNumberFormat({ numberFormats: { quote: 'Q{YY}/{0000}' } })).toBe('Q{YY}/{0000}');
    expect(quoteNumberFormat({ numberFormats: { quote: 'no counter' } })).toBe(FORMAT);
    expect(quoteNumberFormat(undefined)).toBe(FORMAT);
  });
});

describe('sendQuote', () => {
  it('numbers first sends sequentially per year, dates them, opens a public page; resends keep all that', async () => {
    const { p, numbering } = ports();
    const a = await draft(p);
    const b = await draft(p);

    const sentB = await QuoteSending.send(p, { tenantId: T, actor: USER, id: b.id, format: FORMAT });
    const sentA = await QuoteSending.send(p, { tenantId: T, actor: USER, id: a.id, format: FORMAT });
    const again = await QuoteSending.send(p, { tenantId: T, actor: USER, id: b.id, format: FORMAT });

    expect([sentB.number, sentA.number, again.number]).toEqual(['QUO-2026-000001', 'QUO-2026-000002', 'QUO-2026-000001']);
    expect(sentB).toMatchObject({ status: 'sent', issueDate: '2026-03-10', validUntil: '2026-04-09', sendCount: 1 });
    expect(sentB.publicToken).toMatch(/^[A-Za-z0-9_-]{32}$/); // 192 bits, like document links
    expect(again).toMatchObject({ publicToken: sentB.publicToken, sendCount: 2 });
    expect(numbering.commits[0]).toMatchObject({ counter: { series: 'quote', period: '2026', expected: 0, next: 1 }, publicToken: sentB.publicToken });
    expect(numbering.commits[2].counter).toBeUndefined();
    expect(numbering.commits.map((c) => c.events[0].detail.resend)).toEqual([false, false, true]);
  });

  it('starts the counter again in a new year', async () => {
    const { p, numbering } = ports(new Date('2027-01-01T00:00:01Z'));
    numbering.counters.set(`${T}/quote/2026`, 41);
    const q = await Quote.create(
      { ...p, now: () => new Date('2027-01-01T12:00:00Z') },
      { tenantId: T, actor: USER, input: { contactId: 'con_01', lines: [line] } },
    );
    expect((await QuoteSending.send(p, { tenantId: T, actor: USER, id: q.id, format: FORMAT })).number).toBe('QUO-2027-000001');
  });

  it('retries when another quote took the number or DynamoDB reports a transaction conflict', async () => {
    const { p, numbering } = ports();
    const q = await draft(p);
    numbering.injected.push({ ok: false, reason: 'counter_moved' }, { ok: false, reason: 'conflict' });

    const sent = await QuoteSending.send(p, { tenantId: T, actor: USER, id: q.id, format: FORMAT });

    expect(sent.number).toBe('QUO-2026-000001');
    expect(numbering.commits).toHaveLength(1);
  });

  it('gives up with 409 when contention never ends', async () => {
    const { p, numbering } = ports();
    const q = await draft(p);
    numbering.injected.push(...Array.from({ length: 20 }, () => ({ ok: false as const, reason: 'conflict' as const })));
    await expect(QuoteSending.send(p, { tenantId: T, actor: USER, id: q.id, format: FORMAT })).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('refuses an expired quote (409) and one without lines (422)', async () => {
    const { p } = ports();
    const expired = await Quote.create(
      { ...p, now: () => new Date('2026-02-01T12:00:00Z') },
      { tenantId: T, actor: USER, input: { contactId: 'con_01', lines: [line], validUntil: '2026-03-01' } },
    );
    const empty = await draft(p, { lines: [] });

    await expect(QuoteSending.send(p, { tenantId: T, actor: USER, id: expired.id, format: FORMAT })).rejects.toMatchObject({
      kind: 'conflict',
      extra: { quoteStatus: 'expired' },
    });
    await expect(QuoteSending.send(p, { tenantId: T, actor: USER, id: empty.id, format: FORMAT })).rejects.toMatchObject({
      kind: 'rule_violation',
      errors: [{ field: 'lines', message: 'at least one line is required' }],
    });
  });

  it('snapshots the client again at the first send', async () => {
    const { p, clients } = ports();
    const q = await draft(p);
    clients.contacts.set('con_01', aContactRecord(T, { email: 'new@example.com' }));

    const sent = await QuoteSending.send(p, { tenantId: T, actor: USER, id: q.id, format: FORMAT });

    expect(q.client.email).toBe('lucia@example.com');
    expect(sent.client.email).toBe('new@example.com');
  });
});

describe('quoteView', () => {
  it('shows the public page URL, never the raw token, the tenant or empty index values', async () => {
    const { p } = ports();
    const sent = await QuoteSending.send(p, { tenantId: T, actor: USER, id: (await draft(p)).id, format: FORMAT });

    const view = quoteView(sent, { today: '2026-03-10', publicBaseUrl: 'https://api.example.com/' });

    expect(view.publicUrl).toBe(`https://api.example.com/p/${sent.publicToken}`);
    expect(view).not.toHaveProperty('publicToken');
    expect(view).not.toHaveProperty('tenantId');
    expect(view).not.toHaveProperty('companyId');
    expect(view).not.toHaveProperty('clientId');
  });
});
