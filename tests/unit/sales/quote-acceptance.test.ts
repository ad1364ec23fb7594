import { describe, expect, it } from 'vitest';
import type { DocumentRecord } from '../../../functions/domain/documents';
import type { Invoice } from '../../../functions/domain/invoicing';
import { Conflict } from '../../../functions/domain/kernel';
import { InvoiceSources, QuoteAcceptance, type AcceptancePlan, type AcceptancePorts, type Quote } from '../../../functions/domain/sales';

const { decodeSignature, MAX_SIGNATURE_BYTES, signatureKey } = QuoteAcceptance;
const validateAcceptance = QuoteAcceptance.validate;
const { alreadyInvoiced } = InvoiceSources;
import { memoryPorts } from '../../fixtures/invoicing-fakes';

const T = 'ten_1';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

function aQuote(overrides: Partial<Quote.Info> = {}): Quote.Info {
  return {
    tenantId: T,
    id: 'quo_1',
    version: 2,
    createdAt: '2026-03-01T00:00:00Z',
    updatedAt: '2026-03-01T00:00:00Z',
    number: 'QUO-2026-000001',
    series: 'quote',
    status: 'sent',
    client: {
      kind: 'company',
      id: 'cmp_1',
      name: 'Acme',
      legalName: 'Acme S.L.',
      email: 'a@acme.example',
      taxId: 'B12345674',
      address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
    },
    companyId: 'cmp_1',
    contactId: '',
    dealId: 'deal_1',
    clientId: 'cmp_1',
    lines: [{ description: 'Hour', quantity: '2', unitPrice: '100.00', taxRate: '21', netAmount: '200.00' }],
    totals: {
      net: '200.00',
      tax: '42.00',
      withholding: '0.00',
      total: '242.00',
      taxBreakdown: [{ rate: '21', base: '200.00', amount: '42.00' }],
      withholdingBreakdown: [],
    } as Quote.Info['totals'],
    currency: 'EUR',
    validUntil: '2026-03-31',
    issueDate: '2026-03-01',
    publicToken: 'x'.repeat(32),
    ...overrides,
  };
}

const aDoc = (overrides: Partial<DocumentRecord> = {}): DocumentRecord => ({
  tenantId: T,
  id: 'doc_1',
  subjectType: 'quote',
  subjectId: 'quo_1',
  templateId: 'standard',
  status: 'ready',
  s3Key: 'k',
  sha256: 'a'.repeat(64),
  token: 't'.repeat(32),
  createdBy: 'usr_1',
  version: 2,
  createdAt: '2026-03-01T00:00:00Z',
  updatedAt: '2026-03-01T00:00:00Z',
  ...overrides,
});

function acceptancePorts(quote: Quote.Info | null, docs: DocumentRecord[] = [], outcome: 'ok' | 'refused' = 'ok') {
  const puts: { key: string; body: Uint8Array }[] = [];
  const plans: AcceptancePlan[] = [];
  const ports: AcceptancePorts = {
    quotes: { get: async () => quote },
    documents: {
      get: async (_t, id) => docs.find((d) => d.id === id) ?? null,
      latestReady: async () => docs.filter((d) => d.status === 'ready').at(-1) ?? null,
    },
    storage: {
      put: async (key, body) => {
        puts.push({ key, body });
      },
    },
    commitAcceptance: async (plan) => {
      plans.push(plan);
      return outcome;
    },
    now: () => new Date('2026-03-10T12:00:00Z'),
  };
  return { ports, puts, plans };
}

describe('what the client posts', () => {
  it('takes a typed name (whitespace tidied) and consent from a form or JSON', () => {
    expect(validateAcceptance({ signerName: '  Ana   Pérez ', consent: 'yes' })).toEqual({ signerName: 'Ana Pérez', signature: null });
    expect(validateAcceptance({ signerName: 'Ana Pérez', consent: true, signature: '' }).signature).toBeNull();
    expect(validateAcceptance({ signerName: 'Ana Pérez', consent: 'on', documentId: 'doc_01jabcdefghjkmnpqrstvwxyz0' }).documentId).toBe(
      'doc_01jabcdefghjkmnpqrstvwxyz0',
    );
    expect(validateAcceptance({ signerName: 'Ana Pérez', consent: 'on', documentId: '../../etc' }).documentId).toBeUndefined();
  });

  it('lists every problem at once: name length, missing consent, a bad signature', () => {
    const attempt = (input: Record<string, unknown>) => {
      try {
        validateAcceptance(input);
        return [];
      } catch (error) {
        return (error as { errors: { field: string }[] }).errors.map((e) => e.field);
      }
    };
    expect(attempt({})).toEqual(['signerName', 'consent']);
    expect(attempt({ signerName: 'A', consent: 'no' })).toEqual(['signerName', 'consent']);
    expect(attempt({ signerName: 'x'.repeat(201), consent: true })).toEqual(['signerName']);
    expect(attempt({ signerName: 'Ana\u0000Pérez', consent: true })).toEqual(['signerName']);
    expect(attempt({ signerName: 'Ana Pérez', consent: true, signature: 42 })).toEqual(['signature']);
    expect(attempt({ signerName: 'Ana Pérez', consent: true, signature: 'data:image/svg+xml;base64,PHN2Zz4=' })).toEqual(['signature']);
  });

  it('decodes a drawn signature only when it is a real, reasonably sized PNG', () => {
    expect(decodeSignature(dataUrl(PNG))).toEqual({ png: PNG });
    expect(decodeSignature(dataUrl(Buffer.from('GIF89a......................................')))).toEqual({ error: 'is not a PNG image' });
    expect(decodeSignature('data:image/png;base64,not base64!')).toEqual({ error: 'must be a data:image/png;base64,... URL' });
    const huge = Buffer.concat([PNG.subarray(0, 33), Buffer.alloc(MAX_SIGNATURE_BYTES)]);
    expect(decodeSignature(dataUrl(huge))).toEqual({ error: 'must be at most 200 KB' });
    const wide = Buffer.from(PNG);
    wide.writeUInt32BE(100_000, 16);
    expect(decodeSignature(dataUrl(wide))).toMatchObject({ error: expect.stringMatching(/pixels/) });
  });
});

describe('acceptQuote', () => {
  it('stores a drawn signature under the quote and records the evidence, the event and the timeline in one plan', async () => {
    const { ports, puts, plans } = acceptancePorts(aQuote(), [aDoc({ id: 'doc_old', sha256: 'b'.repeat(64) }), aDoc()]);

    const accepted = await QuoteAcceptance.accept(ports, {
      tenantId: T,
      id: 'quo_1',
      input: { signerName: 'Ana Pérez', consent: true, signature: dataUrl(PNG) },
      ip: '203.0.113.9',
      userAgent: 'UA',
      linkDocumentId: 'doc_old',
    });

    const sha = (await import('node:crypto')).createHash('sha256').update(PNG).digest('hex');
    expect(puts).toEqual([{ key: signatureKey(T, 'quo_1', sha), body: PNG }]);
    expect(puts[0]!.key).toBe(`tenant/${T}/quotes/quo_1/signature-${sha.slice(0, 8)}.png`);
    expect(accepted).toMatchObject({ status: 'accepted', version: 3, acceptedAt: '2026-03-10T12:00:00.000Z' });
    expect(accepted.acceptance).toEqual({
      signerName: 'Ana Pérez',
      method: 'drawn',
      signatureKey: puts[0]!.key,
      signatureSha256: sha,
      signedAt: '2026-03-10T12:00:00.000Z',
      ip: '203.0.113.9',
      userAgent: 'UA',
      documentId: 'doc_old',
      documentSha256: 'b'.repeat(64), // the document the link pointed to
    });
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ tenantId: T, quoteId: 'quo_1', day: '2026-03-10' });
    expect(plans[0]!.events).toEqual([
      {
        tenantId: T,
        detailType: 'quote.accepted',
        detail: { quoteId: 'quo_1', signerName: 'Ana Pérez', documentSha256: 'b'.repeat(64), number: 'QUO-2026-000001', dealId: 'deal_1' },
      },
    ]);
    expect(plans[0]!.timeline).toMatchObject([{ subjectType: 'quote', subjectId: 'quo_1', kind: 'accepted', actor: { type: 'client' } }]);
  });

  it('falls back to the latest ready document; without any, the hash is null; a typed signature stores nothing', async () => {
    const withDocs = acceptancePorts(aQuote(), [
      aDoc({ id: 'doc_a', sha256: '1'.repeat(64) }),
      aDoc({ id: 'doc_b', sha256: '2'.repeat(64) }),
      aDoc({ id: 'doc_c', status: 'pending', sha256: undefined }),
    ]);
    const none = acceptancePorts(aQuote());
    const input = { signerName: 'Ana Pérez', consent: true };

    const a = await QuoteAcceptance.accept(withDocs.ports, { tenantId: T, id: 'quo_1', input: { ...input, documentId: 'doc_c' } });
    const b = await QuoteAcceptance.accept(none.ports, { tenantId: T, id: 'quo_1', input });

    expect(a.acceptance).toMatchObject({ documentId: 'doc_b', documentSha256: '2'.repeat(64), method: 'typed', signatureKey: null });
    expect(b.acceptance).toMatchObject({ documentId: null, documentSha256: null, ip: null, userAgent: null });
    expect([...withDocs.puts, ...none.puts]).toEqual([]);
  });

  it('refuses (409) accepted, declined, expired and draft quotes before looking at the input, and 404 for none', async () => {
    const input = {}; // invalid, but the state answers first
    for (const [overrides, message] of [
      [{ status: 'accepted' }, 'this quote has already been accepted'],
      [{ status: 'declined' }, 'this quote was declined'],
      [{ validUntil: '2026-03-09' }, 'this quote expired on 2026-03-09'],
      [{ status: 'draft' }, 'this quote has not been sent'],
    ] as const) {
      const { ports, plans } = acceptancePorts(aQuote(overrides as Partial<Quote.Info>));
      await expect(QuoteAcceptance.accept(ports, { tenantId: T, id: 'quo_1', input })).rejects.toMatchObject({ kind: 'conflict', message });
      expect(plans).toEqual([]);
    }
    await expect(QuoteAcceptance.accept(acceptancePorts(null).ports, { tenantId: T, id: 'quo_1', input })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('turns a refused write into the refusal of the quote as it is now (the other accept won)', async () => {
    let reads = 0;
    const { ports } = acceptancePorts(aQuote(), [], 'refused');
    ports.quotes.get = async () => (reads++ === 0 ? aQuote() : aQuote({ status: 'accepted' }));
    await expect(QuoteAcceptance.accept(ports, { tenantId: T, id: 'quo_1', input: { signerName: 'Ana Pérez', consent: true } })).rejects.toMatchObject({
      kind: 'conflict',
      message: 'this quote has already been accepted',
      extra: { quoteStatus: 'accepted' },
    });
  });
});

describe('invoiceFromAcceptedQuote', () => {
  const actor = { type: 'automation' as const, id: 'rule_1' };

  function setup(quote: Quote.Info) {
    const quotes = new Map([[quote.id, quote]]);
    const { ports, invoices } = memoryPorts({
      sources: {
        loadSource: async (_t, ref) => {
          const q = quotes.get((ref as { quoteId: string }).quoteId)!;
          if (q.invoiceId) throw alreadyInvoiced(q.id, q.invoiceId);
          return {
            client: {
              kind: 'company',
              id: 'cmp_1',
              name: 'Acme',
              legalName: 'Acme S.L.',
              email: 'a@acme.example',
              taxId: 'B12345674',
              address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
            },
            lines: q.lines.map(({ netAmount: _n, ...l }) => l),
            currency: q.currency,
            quoteId: q.id,
            dealId: q.dealId,
          };
        },
      },
    });
    return { ports: { quotes: { get: async (_t: string, id: string) => quotes.get(id) ?? null }, invoices: ports }, invoices, quotes };
  }

  it('makes the invoice (due in the days the rule says) and moves it when the rule says so', async () => {
    const { ports } = setup(aQuote({ status: 'accepted' }));

    const result = await QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor, moveTo: 'SENT', dueInDays: 14 });

    expect(result).toMatchObject({
      created: true,
      move: 'moved',
      invoice: { stage: 'SENT', status: 'issued', quoteId: 'quo_1', dueDate: '2026-03-29', createdBy: 'rule_1' },
    });
    expect(result.invoice.totals.total).toBe('242.00');
  });

  it('finds the invoice a first run made (redelivery) and moves it only if it has not moved yet', async () => {
    const { ports, quotes } = setup(aQuote({ status: 'accepted' }));
    const first = await QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor });
    quotes.set('quo_1', { ...quotes.get('quo_1')!, invoiceId: first.invoice.id });

    const again = await QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor, moveTo: 'SENT' });
    const third = await QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor, moveTo: 'SENT' });

    expect(first).toMatchObject({ created: true, move: 'skipped', invoice: { stage: 'NEW', status: 'draft' } });
    expect(again).toMatchObject({ created: false, move: 'moved', invoice: { id: first.invoice.id, stage: 'SENT' } });
    expect(third).toMatchObject({ created: false, move: 'skipped', invoice: { id: first.invoice.id } });
  });

  it("takes the winner's invoice when another create won the race, and never moves an invoice someone else made", async () => {
    const { ports, invoices } = setup(aQuote({ status: 'accepted' }));
    const byUser = await QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor: { type: 'user', id: 'usr_1' } });
    ports.invoices.sources = {
      loadSource: async () => {
        throw alreadyInvoiced('quo_1', byUser.invoice.id);
      },
    };

    const result = await QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor, moveTo: 'SENT' });

    expect(result).toMatchObject({ created: false, move: 'skipped', invoice: { id: byUser.invoice.id, stage: 'NEW' } });
    expect([...invoices.invoices.values()]).toHaveLength(1);
  });

  it('reports a move the pipeline refuses instead of throwing (a retry would not help)', async () => {
    const { ports } = setup(aQuote({ status: 'accepted' }));
    ports.invoices.sources = {
      loadSource: async () => ({
        client: { kind: 'company', id: 'cmp_1', name: 'Acme' },
        lines: [{ description: 'Hour', quantity: '1', unitPrice: '1', taxRate: '21' }],
        currency: 'EUR',
      }),
    };

    const result = await QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor, moveTo: 'SENT' });

    expect(result.created).toBe(true);
    expect(result.move).toEqual({ refused: expect.stringMatching(/client\.(emailOrPhone|taxId)/) });
    expect((result.invoice as Invoice.Info).stage).toBe('NEW');
  });

  it('refuses a quote that is not accepted', async () => {
    const { ports } = setup(aQuote());
    await expect(QuoteAcceptance.invoiceAccepted(ports, { tenantId: T, id: 'quo_1', actor })).rejects.toBeInstanceOf(Conflict);
  });
});
