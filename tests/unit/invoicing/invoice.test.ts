import { describe, expect, it } from 'vitest';
import { Conflict, DEFAULT_INVOICE_PIPELINE, NotFound, RuleViolation, type Pipeline } from '../../../functions/domain/kernel';
import { ISSUE_DEFAULTS, jitteredBackoff, MAX_BATCH } from '../../../functions/domain/invoicing/issuing';
import { Invoice, InvoicePipeline } from '../../../functions/domain/invoicing';

const { frozenFields, planStageMove, resolveLines } = Invoice;
import { acme, lucia, memoryPorts } from '../../fixtures/invoicing-fakes';

const tenantId = 'ten_01jtenant0000000000000000';
const actor = { type: 'user' as const, id: 'usr_clerk' };
const pipeline = DEFAULT_INVOICE_PIPELINE as Pipeline;

const line = (overrides: Record<string, string> = {}) => ({ description: 'Consulting', quantity: '2', unitPrice: '100.00', taxRate: '21', ...overrides });

/** Captures the domain error a promise (or function) fails with. */
async function failure(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

async function sendableDraft(setup = memoryPorts(), overrides: Record<string, unknown> = {}) {
  setup.companies.set(acme.id, acme);
  const invoice = await Invoice.create(setup.ports, {
    tenantId,
    actor,
    input: { companyId: acme.id, currency: 'EUR', lines: [line()], dueDate: '2026-04-15', ...overrides },
  });
  return { ...setup, invoice };
}

describe('creating an invoice', () => {
  it("copies the company's billing details as a snapshot and prices the lines", async () => {
    // Prepare
    const { ports, companies, invoices } = memoryPorts();
    companies.set(acme.id, acme);

    // Act
    const invoice = await Invoice.create(ports, {
      tenantId,
      actor,
      input: { companyId: acme.id, currency: 'EUR', lines: [line(), line({ description: 'Books', quantity: '1', unitPrice: '50', taxRate: '4' })] },
    });
    companies.set(acme.id, { ...acme, email: 'changed@nandu.example' });

    // Assess
    expect(invoice).toMatchObject({
      number: null,
      series: 'invoice',
      type: 'invoice',
      stage: 'NEW',
      status: 'draft',
      issueDate: null,
      dueDate: null,
      currency: 'EUR',
      version: 1,
      responsibleUserId: 'usr_sales',
      createdBy: 'usr_clerk',
      client: {
        kind: 'company',
        id: acme.id,
        name: 'Ñandú Ibérica',
        legalName: 'Ñandú Ibérica S.L.',
        taxId: 'B12345674',
        email: 'billing@nandu.example',
        address: acme.address,
      },
      totals: { net: '250.00', tax: '44.00', withholding: '0.00', total: '294.00' },
    });
    expect(invoice.lines.map((l) => l.netAmount)).toEqual(['200.00', '50.00']);
    expect((await invoices.get(tenantId, invoice.id))!.client!.email).toBe('billing@nandu.example');
    expect(invoices.timelineEntries.map((t) => [t.kind, t.actor])).toEqual([['created', actor]]);
    expect(invoices.outbox.map((e) => [e.detailType, e.detail])).toEqual([
      ['invoice.created', { invoiceId: invoice.id, type: 'invoice', stage: 'NEW', version: 1 }],
    ]);
  });

  it('takes a contact as the client, named by first and last name', async () => {
    const { ports, contacts } = memoryPorts();
    contacts.set(lucia.id, lucia);

    const invoice = await Invoice.create(ports, { tenantId, actor, input: { contactId: lucia.id, currency: 'EUR', lines: [] } });

    expect(invoice.client).toEqual({ kind: 'contact', id: lucia.id, name: 'Lucía Fernández', email: 'lucia@example.com' });
    expect(invoice.responsibleUserId).toBe('usr_clerk');
  });

  it('creates from a company with its details only, recording the source', async () => {
    const { ports, companies, invoices } = memoryPorts({ defaultCurrency: async () => 'JPY' });
    companies.set(acme.id, acme);

    const invoice = await Invoice.create(ports, { tenantId, actor, input: { from: { companyId: acme.id } } });

    expect(invoice).toMatchObject({ lines: [], currency: 'JPY', source: { type: 'company', id: acme.id }, client: { id: acme.id }, totals: { total: '0' } });
    expect(invoices.outbox[0].detail).toMatchObject({ sourceType: 'company', sourceId: acme.id });
  });

  it.each([
    [{ companyId: 'cmp_01jmissing0000000000000000', currency: 'EUR' }, 'companyId'],
    [{ contactId: 'con_01jmissing0000000000000000', currency: 'EUR' }, 'contactId'],
    [{ from: { companyId: 'cmp_01jmissing0000000000000000' } }, 'from.companyId'],
    [{ from: { dealId: 'deal_01jdeal00000000000000000' } }, 'from.dealId'],
    [{ from: { quoteId: 'quo_01jquote0000000000000000' } }, 'from.quoteId'],
  ])('refuses %j with 422 on %s', async (input, field) => {
    const { ports, invoices } = memoryPorts();

    const error = await failure(() => Invoice.create(ports, { tenantId, actor, input }));

    expect(error).toBeInstanceOf(RuleViolation);
    expect(error.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(invoices.commits).toBe(0);
  });

  it('answers "not supported yet" for a deal or a quote while no InvoiceSourceReader is plugged in', async () => {
    const { ports } = memoryPorts();

    const error = await failure(() => Invoice.create(ports, { tenantId, actor, input: { from: { quoteId: 'quo_01jquote0000000000000000' } } }));

    expect(error.errors).toEqual([{ field: 'from.quoteId', message: 'not supported yet' }]);
  });

  it('creates from a deal through the InvoiceSourceReader port when one is plugged in', async () => {
    const { ports } = memoryPorts({
      sources: {
        loadSource: async (_t, ref) =>
          'dealId' in ref
            ? {
                client: { kind: 'contact', id: lucia.id, name: 'Lucía Fernández' },
                lines: [line()],
                currency: 'USD',
                responsibleUserId: 'usr_owner',
                dealId: ref.dealId,
              }
            : null,
      },
    });

    const invoice = await Invoice.create(ports, { tenantId, actor, input: { from: { dealId: 'deal_01jdeal00000000000000000' } } });

    expect(invoice).toMatchObject({
      dealId: 'deal_01jdeal00000000000000000',
      currency: 'USD',
      responsibleUserId: 'usr_owner',
      source: { type: 'deal', id: 'deal_01jdeal00000000000000000' },
      totals: { total: '242.00' },
    });
  });
});

describe('lines from products', () => {
  const product = { id: 'prd_1', name: 'Consulting hour', unitPrice: '95.00', currency: 'EUR', taxRate: '21', unit: 'h' };

  it('fills omitted description, price, tax rate and unit from the product; given fields win', () => {
    const { lines, errors } = resolveLines(
      [
        { productId: 'prd_1', quantity: '3' },
        { productId: 'prd_1', quantity: '1', unitPrice: '80', description: 'Discounted hour' },
      ],
      'EUR',
      new Map([['prd_1', product]]),
    );

    expect(errors).toEqual([]);
    expect(lines).toEqual([
      { productId: 'prd_1', description: 'Consulting hour', quantity: '3', unitPrice: '95.00', taxRate: '21', unit: 'h' },
      { productId: 'prd_1', description: 'Discounted hour', quantity: '1', unitPrice: '80', taxRate: '21', unit: 'h' },
    ]);
  });

  it('reports every unknown product and every price in another currency', () => {
    const { errors } = resolveLines(
      [
        { productId: 'prd_x', quantity: '1' },
        { productId: 'prd_1', quantity: '1' },
      ],
      'USD',
      new Map([
        ['prd_x', null],
        ['prd_1', product],
      ]),
    );

    expect(errors).toEqual([
      { field: 'lines[0].productId', message: 'no such product' },
      { field: 'lines[1].unitPrice', message: 'the product is priced in EUR; give a unitPrice in USD' },
    ]);
  });
});

describe('editing', () => {
  it('lets a draft change anything, and nothing legal once issued', () => {
    expect(frozenFields({ status: 'draft' }, { lines: [], companyId: 'cmp_x', notes: 'x' })).toEqual([]);
    expect(frozenFields({ status: 'issued' }, { dueDate: '2026-05-01', dealId: null, responsibleUserId: 'u' })).toEqual([]);
    expect(frozenFields({ status: 'issued' }, { lines: [], currency: 'USD', notes: 'x', dueDate: '2026-05-01' }).map((e) => e.field)).toEqual([
      'lines',
      'currency',
      'notes',
    ]);
    expect(frozenFields({ status: 'paid' }, { dueDate: '2026-05-01' }).map((e) => e.field)).toEqual(['dueDate']);
    expect(frozenFields({ status: 'void' }, { responsibleUserId: 'u' })).toEqual([]);
  });

  it("re-prices a draft and refuses an issued invoice's lines with 409", async () => {
    const { ports, invoice, invoices } = await sendableDraft();

    const edited = await Invoice.update(ports, { tenantId, id: invoice.id, actor, changes: { lines: [line({ quantity: '1' })] }, expectedVersion: 1 });
    const issued = await Invoice.moveToStage(ports, { tenantId, id: invoice.id, to: 'SENT', actor });
    const refused = await failure(() => Invoice.update(ports, { tenantId, id: invoice.id, actor, changes: { lines: [line()] } }));
    const later = await Invoice.update(ports, { tenantId, id: invoice.id, actor, changes: { dueDate: '2026-05-30' } });

    expect(edited).toMatchObject({ version: 2, totals: { total: '121.00' } });
    expect(issued.version).toBe(3);
    expect(refused).toBeInstanceOf(Conflict);
    expect(refused.message).toMatch(/issued invoices cannot be edited; issue a credit note/);
    expect(refused.errors).toEqual([{ field: 'lines', message: 'cannot change once the invoice is issued' }]);
    expect(later).toMatchObject({ dueDate: '2026-05-30', version: 4, totals: { total: '121.00' } });
    expect(invoices.timelineEntries.map((t) => t.kind)).toEqual(['created', 'updated', 'stage_changed', 'updated']);
  });

  it('answers 409 to a stale version', async () => {
    const { ports, invoice } = await sendableDraft();

    const error = await failure(() => Invoice.update(ports, { tenantId, id: invoice.id, actor, changes: { notes: 'x' }, expectedVersion: 7 }));

    expect(error).toBeInstanceOf(Conflict);
    expect(error.errors).toEqual([{ field: 'version', message: 'expected 1' }]);
  });
});

describe('stage moves', () => {
  const draft = (overrides: Partial<Invoice.Info> = {}): Invoice.Info => ({
    tenantId,
    id: 'inv_1',
    number: null,
    series: 'invoice',
    type: 'invoice',
    stage: 'NEW',
    status: 'draft',
    client: { kind: 'company', id: acme.id, name: acme.name, taxId: 'B1', email: 'a@b.c' },
    lines: [{ ...line(), netAmount: '200.00' }],
    totals: { net: '200.00', tax: '42.00', withholding: '0.00', total: '242.00', taxBreakdown: [], withholdingBreakdown: [] },
    currency: 'EUR',
    issueDate: null,
    dueDate: '2026-04-01',
    responsibleUserId: 'u',
    createdBy: 'u',
    version: 1,
    createdAt: '',
    updatedAt: '',
    ...overrides,
  });
  const today = '2026-03-15';

  it('lists every missing field of SENT at once', () => {
    const error = (() => {
      try {
        planStageMove(draft({ client: null, lines: [], dueDate: null }), pipeline, 'SENT', { today });
      } catch (e) {
        return e as RuleViolation;
      }
    })()!;

    expect(error).toBeInstanceOf(RuleViolation);
    expect(error.errors.map((e) => e.field)).toEqual(['client.email', 'dueDate', 'lines', 'client']);
  });

  it('asks a company client for its tax id and accepts a phone instead of an e-mail', () => {
    const client = { kind: 'company' as const, id: 'c', name: 'X', phone: '+34600000000' };
    expect(() => planStageMove(draft({ client }), pipeline, 'SENT', { today })).toThrow(/client.taxId/);
    expect(planStageMove(draft({ client: { ...client, kind: 'contact' } }), pipeline, 'SENT', { today })).toMatchObject({ issues: true, statusTo: 'issued' });
  });

  it.each([
    ['NEW', 'draft', 'SENT', { issues: true, statusTo: 'issued', issueDate: today }],
    ['NEW', 'draft', 'PAID', { issues: true, statusTo: 'paid' }],
    ['NEW', 'draft', 'CANCELLED', { issues: false, statusTo: 'void' }],
    ['SENT', 'issued', 'VIEWED', { issues: false, statusTo: 'issued' }],
    ['SENT', 'issued', 'NEW', { issues: false, statusTo: 'issued' }],
    ['VIEWED', 'issued', 'PAID', { issues: false, statusTo: 'paid' }],
    ['SENT', 'issued', 'CANCELLED', { issues: false, statusTo: 'void' }],
  ] as const)('%s (%s) -> %s', (stage, status, to, expected) => {
    expect(planStageMove(draft({ stage, status }), pipeline, to, { today })).toMatchObject(expected);
  });

  it.each([
    ['an unknown stage', draft(), 'ARCHIVED', RuleViolation],
    ['the same stage', draft(), 'NEW', Conflict],
    ['a paid invoice', draft({ stage: 'PAID', status: 'paid' }), 'SENT', Conflict],
    ['a cancelled invoice', draft({ stage: 'CANCELLED', status: 'void' }), 'NEW', Conflict],
  ] as const)('refuses %s', (_name, invoice, to, kind) => {
    expect(() => planStageMove(invoice, pipeline, to, { today })).toThrow(kind);
  });

  it('checks the issue date and the sign of the total when issuing', () => {
    const negative = { ...draft().totals, total: '-10.00' };
    const cases: [Invoice.Info, string | undefined, string[]][] = [
      [draft(), '2026-03-16', ['issueDate']],
      [draft({ totals: negative }), undefined, ['totals.total']],
      [draft({ type: 'credit_note', series: 'credit_note' }), undefined, ['totals.total']],
      [draft({ stage: 'SENT', status: 'issued' }), '2026-03-01', ['issueDate']],
    ];
    for (const [invoice, issueDate, fields] of cases) {
      const to = invoice.status === 'draft' ? 'SENT' : 'VIEWED';
      try {
        planStageMove(invoice, pipeline, to, { today, issueDate });
        throw new Error('expected a refusal');
      } catch (error) {
        expect((error as RuleViolation).errors.map((e) => e.field)).toEqual(fields);
      }
    }
    expect(planStageMove(draft({ type: 'credit_note', totals: negative }), pipeline, 'SENT', { today, issueDate: '2026-03-01' })).toMatchObject({
      issueDate: '2026-03-01',
    });
  });

  it('issues with the next number of the series, in one commit with a timeline entry and the event', async () => {
    const setup = await sendableDraft();
    const second = await Invoice.create(setup.ports, {
      tenantId,
      actor,
      input: { companyId: acme.id, currency: 'EUR', lines: [line()], dueDate: '2026-04-15' },
    });
    const proforma = await Invoice.create(setup.ports, {
      tenantId,
      actor,
      input: { type: 'proforma', companyId: acme.id, currency: 'EUR', lines: [line()], dueDate: '2026-04-15' },
    });
    setup.invoices.outbox.length = 0;

    const first = await Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor, expectedVersion: 1 });
    const next = await Invoice.moveToStage(setup.ports, { tenantId, id: second.id, to: 'PAID', actor });
    const pro = await Invoice.moveToStage(setup.ports, { tenantId, id: proforma.id, to: 'SENT', actor });

    expect(first).toMatchObject({ number: 'INV-2026-000001', issueDate: '2026-03-15', status: 'issued', stage: 'SENT', version: 2 });
    expect(next).toMatchObject({ number: 'INV-2026-000002', status: 'paid' });
    expect(pro).toMatchObject({ number: 'PRO-2026-000001', series: 'proforma' });
    expect(setup.invoices.outbox.map((e) => e.detailType)).toEqual(['invoice.stage_changed', 'invoice.stage_changed', 'invoice.paid', 'invoice.stage_changed']);
    expect(setup.invoices.outbox[0].detail).toEqual({
      invoiceId: setup.invoice.id,
      from: 'NEW',
      to: 'SENT',
      version: 2,
      actorId: 'usr_clerk',
      actorType: 'user',
    });
    const move = setup.invoices.timelineEntries.find((t) => t.kind === 'stage_changed')!;
    expect(move).toMatchObject({ actor, data: { from: 'NEW', to: 'SENT', statusFrom: 'draft', statusTo: 'issued', number: 'INV-2026-000001' } });
  });

  it("uses the tenant's number format and refuses an issue date before the series' last one", async () => {
    const setup = await sendableDraft();
    await setup.pipelines.save({ tenantId, kind: 'invoice', stages: pipeline.stages, numbering: { invoice: 'F{YY}/{MM}-{0000}' }, version: 1 }, 0);
    const other = await Invoice.create(setup.ports, {
      tenantId,
      actor,
      input: { companyId: acme.id, currency: 'EUR', lines: [line()], dueDate: '2026-04-15' },
    });

    const issued = await Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor, issueDate: '2026-03-10' });
    const refused = await failure(() => Invoice.moveToStage(setup.ports, { tenantId, id: other.id, to: 'SENT', actor, issueDate: '2026-03-09' }));

    expect(issued.number).toBe('F26/03-0001');
    expect(refused).toBeInstanceOf(RuleViolation);
    expect(refused.errors[0].field).toBe('issueDate');
  });

  it('re-reads the counter and retries, with jittered backoff, when another issue took the number first', async () => {
    const setup = await sendableDraft();
    setup.invoices.injected = ['contention', 'contention'];

    const moved = await Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor });

    expect(moved.number).toBe('INV-2026-000001');
    expect(setup.invoices.commits).toBe(1 + 3);
    expect(setup.sleeps).toEqual([jitteredBackoff(1, () => 0.5), jitteredBackoff(2, () => 0.5)]);
    expect(setup.invoices.outbox.filter((e) => e.detailType === 'invoice.stage_changed')).toHaveLength(1);
  });

  it('gives up with 409 after the maximum of contended tries, having written nothing', async () => {
    const setup = await sendableDraft();
    setup.invoices.injected = Array(ISSUE_DEFAULTS.maxAttempts).fill('contention');

    const error = await failure(() => Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor }));

    expect(error).toBeInstanceOf(Conflict);
    expect(setup.invoices.counters.size).toBe(0);
    expect((await setup.invoices.get(tenantId, setup.invoice.id))!.status).toBe('draft');
  });

  it('answers 409 to a stale expected version, and re-plans without one', async () => {
    const setup = await sendableDraft();

    const stale = await failure(() => Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor, expectedVersion: 3 }));
    setup.invoices.injected = ['stale'];
    const replanned = await Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor });

    expect(stale).toBeInstanceOf(Conflict);
    expect(replanned.stage).toBe('SENT');
    expect(await failure(() => Invoice.moveToStage(setup.ports, { tenantId, id: 'inv_missing', to: 'SENT', actor }))).toBeInstanceOf(NotFound);
  });

  it('backs off within the cap, growing with the attempt', () => {
    expect(jitteredBackoff(1, () => 0.999)).toBeLessThan(jitteredBackoff(5, () => 0.999));
    expect(jitteredBackoff(30, () => 0.999)).toBeLessThanOrEqual(ISSUE_DEFAULTS.backoffCapMs);
    expect(jitteredBackoff(3, () => 0)).toBe(0);
  });

  it('continues from the counter a refusal returns, without reading it again', async () => {
    const setup = await sendableDraft();
    const year = '2026';
    setup.invoices.counters.set(`${tenantId}/invoice/${year}`, { tenantId, series: 'invoice', period: year, value: 41, lastIssueDate: '2026-01-02' });
    let reads = 0;
    const stale = { ...setup.invoices, getCounter: async () => (reads++, { tenantId, series: 'invoice', period: year, value: 7 }) };
    const store = Object.assign(Object.create(Object.getPrototypeOf(setup.invoices)), setup.invoices, { getCounter: stale.getCounter });

    const moved = await Invoice.moveToStage({ ...setup.ports, invoices: store }, { tenantId, id: setup.invoice.id, to: 'SENT', actor });

    expect(moved.number).toBe('INV-2026-000042');
    expect(reads).toBe(1);
  });

  it('issues concurrent moves of one process together (group commit), gapless and in issue-date order', async () => {
    // Prepare
    const setup = await sendableDraft();
    const drafts = await Promise.all(
      Array.from({ length: 39 }, () =>
        Invoice.create(setup.ports, { tenantId, actor, input: { companyId: acme.id, currency: 'EUR', lines: [line()], dueDate: '2026-04-15' } }),
      ),
    );
    const all = [setup.invoice, ...drafts];
    setup.invoices.batches.length = 0;

    // Act
    const moved = await Promise.all(
      all.map((d, i) => Invoice.moveToStage(setup.ports, { tenantId, id: d.id, to: 'SENT', actor, issueDate: i === 0 ? '2026-03-14' : undefined })),
    );

    // Assess
    expect(moved.map((m) => m.sequence).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(setup.invoices.batches.length).toBeLessThan(40);
    expect(Math.max(...setup.invoices.batches)).toBeLessThanOrEqual(MAX_BATCH);
    const byNumber = [...moved].sort((a, b) => a.sequence! - b.sequence!);
    expect(byNumber.map((m) => m.issueDate)).toEqual([...byNumber.map((m) => m.issueDate)].sort());
    expect(setup.invoices.outbox.filter((e) => e.detailType === 'invoice.stage_changed')).toHaveLength(40);
  });

  it('issues a batch in parts when the store says its items do not fit one transaction, still gapless', async () => {
    // Prepare: a store that holds 3 issues per transaction
    const setup = await sendableDraft();
    const drafts = await Promise.all(
      Array.from({ length: 9 }, () =>
        Invoice.create(setup.ports, { tenantId, actor, input: { companyId: acme.id, currency: 'EUR', lines: [line()], dueDate: '2026-04-15' } }),
      ),
    );
    setup.invoices.maxMembers = 3;
    setup.invoices.batches.length = 0;

    // Act
    const moved = await Promise.all([setup.invoice, ...drafts].map((d) => Invoice.moveToStage(setup.ports, { tenantId, id: d.id, to: 'SENT', actor })));

    // Assess: all issued, numbers 1..10, and the batches the store took were of at most 3
    expect(moved.map((m) => m.sequence).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const committed = setup.invoices.batches.filter((n) => n <= 3); // the others were answered too_large
    expect(committed.reduce((a, b) => a + b, 0)).toBe(10);
    expect(committed.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses (422) the one document whose own items exceed a transaction, and issues the others', async () => {
    const setup = await sendableDraft();
    setup.invoices.maxMembers = 0;

    const refused = await Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor }).catch((e) => e);

    expect(refused).toBeInstanceOf(RuleViolation);
    expect(refused.errors).toEqual([{ field: 'id', message: expect.stringContaining('more than 100 items') }]);
    expect((await setup.invoices.get(tenantId, setup.invoice.id))!.status).toBe('draft');
  });

  it('lets the others of a batch go on when one of them changed meanwhile', async () => {
    const setup = await sendableDraft();
    const other = await Invoice.create(setup.ports, {
      tenantId,
      actor,
      input: { companyId: acme.id, currency: 'EUR', lines: [line()], dueDate: '2026-04-15' },
    });
    const realGet = setup.invoices.get.bind(setup.invoices);
    let edited = false;
    setup.invoices.get = async (t, id) => {
      const found = await realGet(t, id);
      if (id === other.id && !edited) {
        // someone edits `other` right after this move read it
        edited = true;
        await Invoice.update(setup.ports, { tenantId, id: other.id, actor, changes: { notes: 'edited' } });
      }
      return found;
    };

    const [a, b] = await Promise.all([
      Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor }),
      Invoice.moveToStage(setup.ports, { tenantId, id: other.id, to: 'SENT', actor }),
    ]);

    expect([a.number, b.number].sort()).toEqual(['INV-2026-000001', 'INV-2026-000002']);
    expect(b).toMatchObject({ notes: 'edited', version: 3 });
  });
});

describe('pipeline settings', () => {
  it('refuses an invalid pipeline and numbering with every problem and its path', async () => {
    const { ports } = memoryPorts();

    const error = await failure(() =>
      InvoicePipeline.update(ports, {
        tenantId,
        actor,
        stages: [{ id: 'new', name: '', kind: 'success', requiredFields: ['nope!'] }],
        numbering: { invoice: 'INV-{YYYY}', receipt: 'R{000}' },
      }),
    );

    expect(error).toBeInstanceOf(RuleViolation);
    expect(error.errors.map((e: { field: string }) => e.field)).toEqual([
      'stages[0].id',
      'stages[0].name',
      'stages[0].kind',
      'stages[0].requiredFields[0]',
      'numbering.invoice',
      'numbering.receipt',
    ]);
  });

  it('refuses to remove or change the kind of a stage that invoices are in', async () => {
    const setup = await sendableDraft();
    await Invoice.moveToStage(setup.ports, { tenantId, id: setup.invoice.id, to: 'SENT', actor });
    const stages = pipeline.stages.filter((s) => s.id !== 'SENT' && s.id !== 'VIEWED');

    const removed = await failure(() => InvoicePipeline.update(setup.ports, { tenantId, actor, stages }));
    const saved = await InvoicePipeline.update(setup.ports, {
      tenantId,
      actor,
      stages: pipeline.stages.filter((s) => s.id !== 'VIEWED'),
      numbering: { invoice: '{YYYY}/{0000}' },
    });

    expect(removed.errors).toEqual([{ field: 'stages', message: 'stage "SENT" has invoices in it: move them to another stage before removing it' }]);
    expect(saved).toMatchObject({ version: 1, numbering: { invoice: '{YYYY}/{0000}', proforma: 'PRO-{YYYY}-{000000}' } });
    expect(saved.pipeline.stages.map((s) => s.id)).toEqual(['NEW', 'SENT', 'PAID', 'CANCELLED']);
  });
});
