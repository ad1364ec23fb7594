import { describe, expect, it } from 'vitest';
import {
  InvalidListCursor,
  invoiceKeys,
  planInvoiceList,
  runListPlan,
  sortableDecimalKey,
  type IndexedInvoice,
  type InvoiceListFilters,
  type ListStep,
} from '../../../functions/domain/invoicing/list';

const today = '2026-03-15';

describe('sortable total keys', () => {
  it('sort as the amounts do, negatives (credit notes) first', () => {
    // Prepare
    const amounts = [
      '0',
      '-0.01',
      '12',
      '-1000000000000',
      '999999999999999.9999',
      '-12.5',
      '12.0001',
      '0.5',
      '-12.4999',
      '1000000000000',
      '-0.0001',
      '100',
      '9',
    ];
    const numeric = [...amounts].sort((a, b) => Number(a) - Number(b));

    // Act
    const byKey = [...amounts].sort((a, b) => (sortableDecimalKey(a) < sortableDecimalKey(b) ? -1 : 1));

    // Assess
    expect(byKey).toEqual(numeric);
    expect(new Set(amounts.map(sortableDecimalKey)).size).toBe(amounts.length);
  });

  it('have a fixed width and treat -0 and 0 alike', () => {
    expect(sortableDecimalKey('0')).toBe(sortableDecimalKey('-0.00'));
    expect(new Set(['1', '-1', '123456789012345.1234', '-5.5'].map((a) => sortableDecimalKey(a).length))).toEqual(new Set([25]));
    expect(() => sortableDecimalKey('1e21')).toThrow(RangeError);
  });
});

describe('index keys of an invoice', () => {
  const invoice = (overrides: Partial<IndexedInvoice> = {}): IndexedInvoice => ({
    id: 'inv_1',
    stage: 'NEW',
    status: 'draft',
    number: null,
    issueDate: null,
    dueDate: '2026-04-01',
    client: { id: 'cmp_1', name: '  ÑANDÚ   Ibérica S.L. ' },
    totals: { total: '-12.50' },
    ...overrides,
  });

  it('keep drafts after every issue date, and out of the number and overdue indexes', () => {
    const keys = invoiceKeys(invoice());
    expect(keys).toMatchObject({ issueSort: '~#inv_1', numberKey: '', dueSort: '', clientId: 'cmp_1', dealId: '' });
    expect('2099-12-31#inv_9' < keys.issueSort).toBe(true);
  });

  it('make the client name case- and accent-insensitive, and the number lower case', () => {
    const keys = invoiceKeys(invoice({ status: 'issued', number: 'INV-2026-000042', issueDate: '2026-03-01', dealId: 'deal_1' }));
    expect(keys).toMatchObject({
      nameKey: 'nandu iberica s.l.',
      nameSort: 'nandu iberica s.l.#inv_1',
      numberKey: 'inv-2026-000042',
      issueSort: '2026-03-01#inv_1',
      dueSort: '2026-04-01#inv_1',
      dealId: 'deal_1',
    });
  });

  it('leave paid and void invoices out of the overdue index', () => {
    expect(invoiceKeys(invoice({ status: 'paid', number: 'X', issueDate: '2026-01-01' })).dueSort).toBe('');
    expect(invoiceKeys(invoice({ status: 'void' })).dueSort).toBe('');
    expect(invoiceKeys(invoice({ status: 'issued', dueDate: null })).dueSort).toBe('');
  });
});

describe('list plans', () => {
  const plan = (filters: InvoiceListFilters) =>
    planInvoiceList(filters, today).steps.map((s) => ({ index: s.index, order: s.order, partition: s.partition, range: s.range, filters: s.filters }));

  it.each<[string, InvoiceListFilters, Partial<ListStep>[]]>([
    ['nothing: newest issue date first', {}, [{ index: 'byIssueDate', order: 'desc', partition: {}, range: undefined, filters: {} }]],
    ['stage', { stage: 'SENT' }, [{ index: 'byStage', order: 'desc', partition: { stage: 'SENT' }, filters: {} }]],
    ['client beats stage', { clientId: 'cmp_1', stage: 'SENT' }, [{ index: 'byClient', partition: { clientId: 'cmp_1' }, filters: { stage: 'SENT' } }]],
    ['deal beats client', { dealId: 'deal_1', clientId: 'cmp_1' }, [{ index: 'byDeal', partition: { dealId: 'deal_1' }, filters: { clientId: 'cmp_1' } }]],
    [
      'date range in the key',
      { issueDateFrom: '2026-01-01', issueDateTo: '2026-01-31', sort: 'issueDate' },
      [{ index: 'byIssueDate', order: 'asc', range: { between: ['2026-01-01', '2026-01-31#~'] }, filters: {} }],
    ],
    [
      'date range on the stage index',
      { stage: 'PAID', issueDateTo: '2026-01-31' },
      [{ index: 'byStage', range: { between: ['0000-00-00', '2026-01-31#~'] }, filters: {} }],
    ],
    [
      'total, ascending, every filter residual',
      { sort: 'total', stage: 'SENT', issueDateFrom: '2026-01-01' },
      [{ index: 'byTotal', order: 'asc', range: undefined, filters: { stage: 'SENT', issueDateFrom: '2026-01-01' } }],
    ],
    ['total, descending', { sort: '-total' }, [{ index: 'byTotal', order: 'desc', filters: {} }]],
    [
      'exact number',
      { number: 'INV-2026-000001' },
      [{ index: 'byNumber', order: 'asc', range: { beginsWith: 'inv-2026-000001' }, filters: { numberEquals: 'inv-2026-000001' } }],
    ],
    ['number prefix', { number: 'inv-2026-*' }, [{ index: 'byNumber', range: { beginsWith: 'inv-2026-' }, filters: {} }]],
    ['overdue', { overdue: true }, [{ index: 'byOverdue', order: 'asc', range: { between: ['0000-00-00', today] }, filters: {} }]],
    ['overdue of a client', { overdue: true, clientId: 'cmp_1' }, [{ index: 'byClient', filters: { overdueBefore: today } }]],
    [
      'q with a sort is a filter',
      { q: 'Ñan', sort: '-issueDate' },
      [{ index: 'byIssueDate', filters: { search: { numberPrefix: 'ñan', namePrefix: 'nan' } } }],
    ],
  ])('%s', (_name, filters, expected) => {
    expect(plan(filters)).toMatchObject(expected);
  });

  it('searches q in numbers first, then in client names without repeating a number match', () => {
    expect(plan({ q: ' Éclair ', stage: 'SENT' })).toEqual([
      { index: 'byNumber', order: 'asc', partition: {}, range: { beginsWith: 'éclair' }, filters: { stage: 'SENT' } },
      { index: 'byClientName', order: 'asc', partition: {}, range: { beginsWith: 'eclair' }, filters: { stage: 'SENT', numberNotPrefix: 'éclair' } },
    ]);
  });

  it('gives a different signature to a different query', () => {
    expect(planInvoiceList({ stage: 'SENT' }, today).signature).not.toBe(planInvoiceList({ stage: 'PAID' }, today).signature);
    expect(planInvoiceList({ stage: 'SENT' }, today).signature).toBe(planInvoiceList({ stage: 'SENT' }, today).signature);
  });
});

describe('running a plan page by page', () => {
  // two steps over in-memory data: the runner pages with a numeric cursor
  const data: Record<string, string[]> = { byNumber: ['n1', 'n2', 'n3'], byClientName: ['c1', 'c2'] };
  const plan = planInvoiceList({ q: 'x' }, today);
  const run = async (step: ListStep, { count, cursor }: { count: number; cursor: string | null }) => {
    const start = cursor === null ? 0 : Number(cursor) + 1;
    return data[step.index].slice(start, start + count).map((item, i) => ({ item, cursor: String(start + i) }));
  };

  it.each([1, 2, 3, 5, 6])('returns every item once, in order, with limit %i', async (limit) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result: { data: string[]; nextCursor: string | null } = await runListPlan(plan, { limit, cursor }, run);
      expect(result.data.length).toBeLessThanOrEqual(limit);
      seen.push(...result.data);
      cursor = result.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(['n1', 'n2', 'n3', 'c1', 'c2']);
    expect(pages).toBe(Math.ceil(5 / limit));
  });

  it('refuses a cursor made by another query', async () => {
    const page = await runListPlan(plan, { limit: 1 }, run);
    const other = planInvoiceList({ q: 'y' }, today);
    await expect(runListPlan(other, { limit: 1, cursor: page.nextCursor }, run)).rejects.toBeInstanceOf(InvalidListCursor);
    await expect(runListPlan(plan, { limit: 1, cursor: 'garbage' }, run)).rejects.toBeInstanceOf(InvalidListCursor);
  });
});
