import { describe, expect, it } from 'vitest';
import { Recapitulative } from '../../../functions/domain/invoicing';
import { Conflict, RuleViolation } from '../../../functions/domain/kernel';
import { RecapitulativeSelection } from '../../../functions/domain/sales';
import type { RecapitulativeCandidate } from '../../../functions/domain/sales/recapitulative';

const { selectRecapitulative, dealCandidate, quoteCandidate } = RecapitulativeSelection;

const line = (description: string) => ({ description, quantity: '1', unitPrice: '100.00', taxRate: '21' });

function deal(id: string, over: Partial<RecapitulativeCandidate> = {}): RecapitulativeCandidate {
  return { type: 'deal', id, companyId: 'cmp_a', contactId: '', concluded: true, operationDate: '2026-11-10', currency: 'EUR', lines: [line(id)], ...over };
}
function quote(id: string, over: Partial<RecapitulativeCandidate> = {}): RecapitulativeCandidate {
  return { ...deal(id, over), type: 'quote', ...over };
}

function refusal(fn: () => unknown): { kind: string; errors: { field: string; message: string }[]; extra: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    if (error instanceof RuleViolation || error instanceof Conflict)
      return { kind: error instanceof Conflict ? 'conflict' : 'rule', errors: error.errors, extra: error.extra };
    throw error;
  }
  throw new Error('not refused');
}

describe('recapitulative invoices: which operations one invoice groups (pure rule)', () => {
  const month = '2026-11';

  it('without ids: every won deal and accepted quote of the client in the month without an invoice, oldest first', () => {
    const candidates = [
      deal('deal_2', { operationDate: '2026-11-20' }),
      deal('deal_1', { operationDate: '2026-11-03' }),
      quote('quo_1', { operationDate: '2026-11-15' }),
      deal('deal_other_month', { operationDate: '2026-10-31' }),
      deal('deal_next_month', { operationDate: '2026-12-01' }),
      deal('deal_other_client', { companyId: 'cmp_b' }),
      deal('deal_open', { concluded: false, operationDate: null }),
      deal('deal_invoiced', { invoiceId: 'inv_1' }),
      quote('quo_sent', { concluded: false, operationDate: null }),
    ];

    const chosen = selectRecapitulative({ companyId: 'cmp_a', month }, candidates);

    expect(chosen.map((c) => c.id)).toEqual(['deal_1', 'quo_1', 'deal_2']);
  });

  it('with ids: exactly those, in operation-date order', () => {
    const candidates = [deal('deal_1', { operationDate: '2026-11-30' }), deal('deal_2', { operationDate: '2026-11-01' }), deal('deal_3')];

    const chosen = selectRecapitulative({ companyId: 'cmp_a', month, dealIds: ['deal_1', 'deal_2'] }, candidates);

    expect(chosen.map((c) => c.id)).toEqual(['deal_2', 'deal_1']);
  });

  it('refuses by name, all at once: another month, another client, not won, unknown, named twice (422)', () => {
    const candidates = [
      deal('deal_1'),
      deal('deal_2', { operationDate: '2026-10-28' }),
      deal('deal_3', { companyId: 'cmp_b' }),
      deal('deal_4', { concluded: false, operationDate: null }),
      quote('quo_1', { concluded: false, operationDate: null }),
    ];

    const refused = refusal(() =>
      selectRecapitulative(
        { companyId: 'cmp_a', month, dealIds: ['deal_1', 'deal_2', 'deal_3', 'deal_4', 'deal_x', 'deal_1'], quoteIds: ['quo_1'] },
        candidates,
      ),
    );

    expect(refused.kind).toBe('rule');
    expect(refused.errors).toEqual([
      { field: 'dealIds[1]', message: 'won on 2026-10-28, not in 2026-11' },
      { field: 'dealIds[2]', message: "another client's deal" },
      { field: 'dealIds[3]', message: 'the deal is not won' },
      { field: 'dealIds[4]', message: 'no such deal' },
      { field: 'dealIds[5]', message: 'named twice (dealIds[0])' },
      { field: 'quoteIds[0]', message: 'the quote is not accepted' },
    ]);
  });

  it('a deal and its accepted quote are one operation: the quote bills it (unnamed); naming both is refused', () => {
    const candidates = [deal('deal_1'), quote('quo_1', { dealId: 'deal_1', operationDate: '2026-11-12' }), deal('deal_2')];

    const unnamed = selectRecapitulative({ companyId: 'cmp_a', month }, candidates);
    const both = refusal(() => selectRecapitulative({ companyId: 'cmp_a', month, dealIds: ['deal_2', 'deal_1'], quoteIds: ['quo_1'] }, candidates));

    expect(unnamed.map((c) => c.id)).toEqual(['deal_2', 'quo_1']);
    expect(both.errors).toEqual([{ field: 'dealIds[1]', message: 'its quote quo_1 is in this invoice too: one operation, name one of them' }]);
  });

  it('refuses an already invoiced source by name with 409 naming the invoice', () => {
    const refused = refusal(() =>
      selectRecapitulative({ companyId: 'cmp_a', month, dealIds: ['deal_1', 'deal_2'] }, [deal('deal_1'), deal('deal_2', { invoiceId: 'inv_9' })]),
    );

    expect(refused).toMatchObject({ kind: 'conflict', errors: [{ field: 'dealIds[1]', message: 'already invoiced: inv_9' }], extra: { invoiceId: 'inv_9' } });
  });

  it('refuses operations in two currencies (one invoice per currency), and an empty month on `month`', () => {
    const mixed = refusal(() =>
      selectRecapitulative({ companyId: 'cmp_a', month }, [deal('deal_1'), deal('deal_2', { currency: 'USD', operationDate: '2026-11-12' })]),
    );
    const empty = refusal(() => selectRecapitulative({ companyId: 'cmp_a', month }, [deal('deal_1', { operationDate: '2026-10-01' })]));

    expect(mixed.errors).toEqual([{ field: 'dealIds', message: 'in USD; the other operations are in EUR: one invoice per currency' }]);
    expect(empty).toMatchObject({ kind: 'rule', errors: [{ field: 'month', message: 'nothing to invoice in this month' }] });
  });

  it('refuses a month of more operations than one invoice groups (one transaction), on `month`, saying how to split it', () => {
    const many = Array.from({ length: RecapitulativeSelection.MAX_SOURCES + 1 }, (_, i) =>
      deal(`deal_${String(i).padStart(2, '0')}`, { operationDate: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}` }),
    );

    const refused = refusal(() => selectRecapitulative({ companyId: 'cmp_a', month }, many));

    expect(refused.kind).toBe('rule');
    expect(refused.errors).toEqual([{ field: 'month', message: expect.stringMatching(/^41 operations, at most 40 per invoice: name them with dealIds/) }]);
    expect(selectRecapitulative({ companyId: 'cmp_a', month }, many.slice(1))).toHaveLength(RecapitulativeSelection.MAX_SOURCES);
  });

  it("a contact's operations are those without a company; a company's deal with the contact is the company's", () => {
    const candidates = [deal('deal_1', { companyId: '', contactId: 'con_a' }), deal('deal_2', { companyId: 'cmp_a', contactId: 'con_a' })];

    expect(selectRecapitulative({ contactId: 'con_a', month }, candidates).map((c) => c.id)).toEqual(['deal_1']);
    expect(refusal(() => selectRecapitulative({ contactId: 'con_a', month, dealIds: ['deal_2'] }, candidates)).errors).toEqual([
      { field: 'dealIds[0]', message: "another client's deal" },
    ]);
  });

  it('a deal counts from the day it was won (closedAt), a quote from the day it was accepted (acceptedAt)', () => {
    const base = {
      tenantId: 't',
      companyId: 'cmp_a',
      contactId: '',
      currency: 'EUR',
      lines: [{ ...line('x'), netAmount: '100.00' }],
      invoiceId: undefined,
    } as const;
    const won = dealCandidate({ ...base, id: 'deal_1', status: 'won', closedAt: '2026-11-30T23:59:59.000Z' } as never);
    const lost = dealCandidate({ ...base, id: 'deal_2', status: 'lost', closedAt: '2026-11-30T10:00:00.000Z' } as never);
    const accepted = quoteCandidate(
      { ...base, id: 'quo_1', status: 'accepted', acceptedAt: '2026-11-02T08:00:00.000Z', invoiceId: 'inv_1' } as never,
      '2026-11-05',
    );
    const sent = quoteCandidate({ ...base, id: 'quo_2', status: 'sent' } as never, '2026-11-05');

    expect(won).toMatchObject({ concluded: true, operationDate: '2026-11-30', lines: [line('x')] });
    expect(lost).toMatchObject({ concluded: false, operationDate: null });
    expect(accepted).toMatchObject({ concluded: true, operationDate: '2026-11-02', invoiceId: 'inv_1' });
    expect(sent).toMatchObject({ concluded: false, operationDate: null });
  });

  it("counts the day in the tenant's time zone: won at 23:30Z on 30 November is 1 December in Madrid", () => {
    const base = { tenantId: 't', companyId: 'cmp_a', contactId: '', currency: 'EUR', lines: [] } as const;
    const late = { ...base, id: 'deal_1', status: 'won', closedAt: '2026-11-30T23:30:00.000Z' } as never;

    expect(dealCandidate(late).operationDate).toBe('2026-11-30');
    expect(dealCandidate(late, 'Europe/Madrid').operationDate).toBe('2026-12-01');
    expect(dealCandidate(late, 'America/New_York').operationDate).toBe('2026-11-30');
    expect(dealCandidate(late, 'Not/AZone').operationDate).toBe('2026-11-30');
    const accepted = { ...base, id: 'quo_1', status: 'accepted', acceptedAt: '2026-10-31T23:15:00.000Z' } as never;
    expect(quoteCandidate(accepted, '2026-11-05', 'Europe/Madrid').operationDate).toBe('2026-11-01');
  });

  it("the invoice's lines: each source's lines in date order, with its operation date and source id", () => {
    const lines = Recapitulative.recapitulativeLines([
      { type: 'deal', id: 'deal_2', operationDate: '2026-11-20', currency: 'EUR', lines: [line('b1'), line('b2')] },
      { type: 'quote', id: 'quo_1', operationDate: '2026-11-03', currency: 'EUR', lines: [line('a')] },
    ]);

    expect(lines.map((l) => [l.description, l.operationDate, l.sourceId])).toEqual([
      ['a', '2026-11-03', 'quo_1'],
      ['b1', '2026-11-20', 'deal_2'],
      ['b2', '2026-11-20', 'deal_2'],
    ]);
  });
});

describe('Recapitulative.create (invoicing, over in-memory ports)', () => {
  const tenantId = 'ten_01jtenant0000000000000000';
  const actor = { type: 'user' as const, id: 'usr_clerk' };
  const source = (id: string, operationDate: string) => ({ type: 'deal' as const, id, operationDate, currency: 'EUR', lines: [line(id)] });

  it('makes one draft with the sources; a collided write is tried again from the sources', async () => {
    const { memoryPorts, acme } = await import('../../fixtures/invoicing-fakes');
    const reads: number[] = [];
    const setup = memoryPorts();
    setup.companies.set(acme.id, acme);
    setup.invoices.injected.push('contention');
    const ports = {
      ...setup.ports,
      sources: {
        loadSource: async () => null,
        recapitulativeSources: async () => {
          reads.push(1);
          return [source('deal_2', '2026-03-10'), source('deal_1', '2026-03-02')];
        },
      },
    };

    const invoice = await Recapitulative.create(ports, { tenantId, actor, input: { companyId: acme.id, month: '2026-03', dueDate: '2026-04-30' } });

    expect(reads).toHaveLength(2);
    expect(invoice).toMatchObject({
      status: 'draft',
      recapitulative: true,
      dueDate: '2026-04-30',
      sources: [
        { type: 'deal', id: 'deal_1' },
        { type: 'deal', id: 'deal_2' },
      ],
      totals: { net: '200.00', total: '242.00' },
    });
    expect(invoice.lines.map((l) => [l.sourceId, l.operationDate])).toEqual([
      ['deal_1', '2026-03-02'],
      ['deal_2', '2026-03-10'],
    ]);
    expect(await setup.invoices.get(tenantId, invoice.id)).toMatchObject({ recapitulative: true });
  });

  it('names by field the sources the store found taken by another invoice (a race lost), and refuses a month that is not one', async () => {
    const { memoryPorts, acme } = await import('../../fixtures/invoicing-fakes');
    const setup = memoryPorts();
    setup.companies.set(acme.id, acme);
    setup.invoices.commit = async () => {
      throw new Conflict('taken', [], { taken: [{ type: 'deal', id: 'deal_2', invoiceId: 'inv_winner' }] });
    };
    const ports = {
      ...setup.ports,
      sources: { loadSource: async () => null, recapitulativeSources: async () => [source('deal_1', '2026-03-02'), source('deal_2', '2026-03-03')] },
    };

    const lost = await Recapitulative.create(ports, { tenantId, actor, input: { companyId: acme.id, month: '2026-03', dealIds: ['deal_1', 'deal_2'] } }).catch(
      (e) => e,
    );
    const badMonth = await Recapitulative.create(ports, { tenantId, actor, input: { companyId: acme.id, month: '2026-13' } }).catch((e) => e);

    expect(lost).toBeInstanceOf(Conflict);
    expect(lost.errors).toEqual([{ field: 'dealIds[1]', message: 'already invoiced: inv_winner' }]);
    expect(lost.extra).toMatchObject({ invoiceId: 'inv_winner' });
    expect(badMonth).toBeInstanceOf(RuleViolation);
    expect(badMonth.errors[0].field).toBe('month');
  });
});
