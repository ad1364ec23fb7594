import { describe, expect, it } from 'vitest';
import {
  canMove,
  DEFAULT_DEAL_PIPELINE,
  DEFAULT_INVOICE_PIPELINE,
  DEFAULT_LEAD_PIPELINE,
  DEFAULT_PIPELINES,
  findStage,
  initialStage,
  isPresent,
  missingFields,
  ruleFor,
  validatePipeline,
  valueAt,
  type Pipeline,
  type Stage,
} from '../../../functions/domain/kernel/pipeline';

/** Test data builders. */
function stage(id: string, overrides: Partial<Stage> = {}): Stage {
  return { id, name: id.charAt(0) + id.slice(1).toLowerCase(), kind: 'open', requiredFields: [], ...overrides };
}

function invoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'inv_01',
    client: {
      kind: 'company',
      name: 'Ñandú S.L.',
      taxId: 'B12345674',
      email: 'billing@nandu.example',
      address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28013', country: 'ES' },
    },
    dueDate: '2026-12-05',
    lines: [{ description: 'Consulting', quantity: '1', unitPrice: '100', taxRate: '21' }],
    ...overrides,
  };
}

function sentStage(): Stage {
  return findStage(DEFAULT_INVOICE_PIPELINE, 'SENT') as Stage;
}

describe('default pipelines', () => {
  it('has the invoice stages of the API contract', () => {
    // Assess
    expect(DEFAULT_INVOICE_PIPELINE.stages).toEqual([
      { id: 'NEW', name: 'New', kind: 'open', requiredFields: [] },
      {
        id: 'SENT',
        name: 'Sent to client',
        kind: 'open',
        requiredFields: ['client.emailOrPhone', 'dueDate', 'lines', 'client.taxId'],
      },
      {
        id: 'VIEWED',
        name: 'Viewed by client',
        kind: 'open',
        requiredFields: ['client.emailOrPhone', 'dueDate', 'lines', 'client.taxId'],
      },
      { id: 'PAID', name: 'Paid', kind: 'success', requiredFields: [] },
      { id: 'CANCELLED', name: 'Cancelled', kind: 'failure', requiredFields: [] },
    ]);
  });

  it('has the lead and deal stages', () => {
    // Assess
    expect(DEFAULT_LEAD_PIPELINE.stages.map((s) => [s.id, s.kind, s.requiredFields])).toEqual([
      ['NEW', 'open', []],
      ['IN_PROGRESS', 'open', ['contact.emailOrPhone']],
      ['QUALIFIED', 'open', ['contact.emailOrPhone', 'topic']],
      ['CONVERTED', 'success', []],
      ['JUNK', 'failure', []],
    ]);
    expect(DEFAULT_DEAL_PIPELINE.stages.map((s) => [s.id, s.kind, s.requiredFields])).toEqual([
      ['NEW', 'open', []],
      ['PREPARATION', 'open', []],
      ['CONTRACT_SIGNED', 'open', ['contractNumber', 'lines']],
      ['WON', 'success', []],
      ['LOST', 'failure', []],
    ]);
  });

  it('are valid for their own entity kind', () => {
    // Act
    const errors = Object.entries(DEFAULT_PIPELINES).map(([entity, pipeline]) => validatePipeline(pipeline, entity as 'invoice' | 'lead' | 'deal'));

    // Assess
    expect(errors).toEqual([[], [], []]);
  });

  it('cannot be changed by accident', () => {
    // Act / Assess: a tenant's pipeline is built from a copy, never by mutating the shared default
    expect(() => (DEFAULT_INVOICE_PIPELINE.stages as Stage[]).push(stage('OVERDUE'))).toThrow(TypeError);
    expect(() => sentStage().requiredFields.push('notes')).toThrow(TypeError);
    expect(initialStage(DEFAULT_INVOICE_PIPELINE).id).toBe('NEW');
  });
});

describe('missingFields', () => {
  it('finds nothing missing on a complete invoice', () => {
    // Act
    const missing = missingFields(invoice(), sentStage(), 'invoice');

    // Assess
    expect(missing).toEqual([]);
  });

  it('lists every missing field at once, in the stage order', () => {
    // Prepare
    const incomplete = invoice({ client: { kind: 'company', name: 'Ñandú S.L.' }, dueDate: null, lines: [] });

    // Act
    const missing = missingFields(incomplete, sentStage(), 'invoice');

    // Assess
    expect(missing).toEqual([
      { field: 'client.email', message: 'client e-mail or phone is required to send the invoice' },
      { field: 'dueDate', message: 'due date is required' },
      { field: 'lines', message: 'at least one line is required' },
      { field: 'client.taxId', message: 'client tax id is required when the client is a company' },
    ]);
  });

  it('accepts a phone instead of an e-mail', () => {
    // Prepare
    const byPhone = invoice({ client: { kind: 'company', taxId: 'B1', phone: '+34600123456', email: '  ' } });

    // Act
    const missing = missingFields(byPhone, sentStage(), 'invoice');

    // Assess
    expect(missing).toEqual([]);
  });

  it('requires a tax id only from companies', () => {
    // Prepare
    const person = invoice({ client: { kind: 'contact', name: 'Ana García', email: 'ana@example.com' } });
    const company = invoice({ client: { kind: 'company', name: 'ACME', email: 'ap@acme.example', taxId: '' } });

    // Act / Assess
    expect(missingFields(person, sentStage(), 'invoice')).toEqual([]);
    expect(missingFields(company, sentStage(), 'invoice')).toEqual([
      { field: 'client.taxId', message: 'client tax id is required when the client is a company' },
    ]);
  });

  it('reports everything when there is no client at all', () => {
    // Prepare
    const noClient = { lines: 'not an array', dueDate: '   ' };

    // Act
    const missing = missingFields(noClient, sentStage(), 'invoice');

    // Assess: without a client there is no company, so no tax id is asked for
    expect(missing.map((m) => m.field)).toEqual(['client.email', 'dueDate', 'lines']);
  });

  it('checks plain dotted paths for non-empty values', () => {
    // Prepare
    const custom = stage('READY', { requiredFields: ['notes', 'client.address.line1', 'client.address.region', 'dealId'] });
    const obj = invoice({ notes: '', dealId: 'deal_1' });

    // Act
    const missing = missingFields(obj, custom, 'invoice');

    // Assess
    expect(missing).toEqual([
      { field: 'notes', message: 'notes is required' },
      { field: 'client.address.region', message: 'client.address.region is required' },
    ]);
  });

  it('checks lead and deal rules', () => {
    // Prepare
    const qualified = findStage(DEFAULT_LEAD_PIPELINE, 'QUALIFIED') as Stage;
    const signed = findStage(DEFAULT_DEAL_PIPELINE, 'CONTRACT_SIGNED') as Stage;
    const lead = { title: 'Website', contact: { firstName: 'Ana', lastName: 'García' } };
    const deal = { title: 'Website', contractNumber: 'C-2026-7', lines: [] };

    // Act / Assess
    expect(missingFields(lead, qualified, 'lead')).toEqual([
      { field: 'contact.email', message: 'contact e-mail or phone is required' },
      { field: 'topic', message: 'topic is required' },
    ]);
    expect(missingFields({ ...lead, contact: { phone: '+34600123456' }, topic: 'SEO' }, qualified, 'lead')).toEqual([]);
    expect(missingFields(deal, signed, 'deal')).toEqual([{ field: 'lines', message: 'at least one line is required' }]);
    expect(missingFields({ lines: [{}] }, signed, 'deal')).toEqual([{ field: 'contractNumber', message: 'contract number is required' }]);
  });

  it('finds named rules of any entity kind when none is given', () => {
    // Prepare
    const inProgress = findStage(DEFAULT_LEAD_PIPELINE, 'IN_PROGRESS') as Stage;

    // Act
    const missing = missingFields({ contact: { email: 'ana@example.com' } }, inProgress);

    // Assess
    expect(missing).toEqual([]);
  });

  it('reports an entry it cannot understand as missing rather than letting the item through', () => {
    // Prepare
    const broken = stage('BROKEN', { requiredFields: ['client..email', '__proto__'] });

    // Act
    const missing = missingFields(invoice(), broken, 'invoice');

    // Assess
    expect(missing).toEqual([
      { field: 'client..email', message: 'unknown required field rule "client..email"' },
      { field: '__proto__', message: 'unknown required field rule "__proto__"' },
    ]);
  });

  it('reports a repeated entry once', () => {
    // Act
    const missing = missingFields({}, stage('X', { requiredFields: ['dueDate', 'dueDate'] }), 'invoice');

    // Assess
    expect(missing).toEqual([{ field: 'dueDate', message: 'due date is required' }]);
  });
});

describe('valueAt and isPresent', () => {
  it('reads own properties only', () => {
    // Prepare
    const obj = { client: { address: { line1: 'Calle Mayor 1' } } };

    // Act / Assess
    expect(valueAt(obj, 'client.address.line1')).toBe('Calle Mayor 1');
    expect(valueAt(obj, 'client.toString')).toBeUndefined();
    expect(valueAt(obj, 'client.address.line1.length')).toBeUndefined();
    expect(valueAt(null, 'client')).toBeUndefined();
  });

  it.each([
    [undefined, false],
    [null, false],
    ['', false],
    ['  \t', false],
    [[], false],
    [{}, false],
    [Number.NaN, false],
    ['x', true],
    [0, true],
    [false, true],
    [['a'], true],
    [{ a: 1 }, true],
  ])('isPresent(%j) is %s', (value, expected) => {
    expect(isPresent(value)).toBe(expected);
  });
});

describe('ruleFor', () => {
  it('gives the named rule, else a plain path rule, else null', () => {
    // Act / Assess
    expect(ruleFor('client.emailOrPhone', 'invoice')?.field).toBe('client.email');
    expect(ruleFor('client.address.line1', 'invoice')).toMatchObject({
      field: 'client.address.line1',
      message: 'client address is required',
    });
    expect(ruleFor('client. email', 'invoice')).toBeNull();
    expect(ruleFor('a.constructor', 'invoice')).toBeNull();
    expect(ruleFor('a.b.c.d.e.f.g.h.i', 'invoice')).toBeNull();
  });
});

describe('validatePipeline', () => {
  it('accepts a tenant pipeline with its own stages and rules', () => {
    // Prepare
    const pipeline: Pipeline = {
      stages: [
        stage('DRAFT'),
        stage('APPROVED', { requiredFields: ['lines', 'notes'] }),
        stage('SENT', { requiredFields: ['client.emailOrPhone', 'client.taxId', 'dueDate', 'client.address.line1'] }),
        stage('OVERDUE'),
        stage('PAID', { kind: 'success' }),
        stage('PARTLY_PAID_2', { kind: 'success' }),
        stage('CANCELLED', { kind: 'failure' }),
      ],
    };

    // Act
    const errors = validatePipeline(pipeline, 'invoice');

    // Assess
    expect(errors).toEqual([]);
  });

  it('lists every problem with its JSON path', () => {
    // Prepare
    const pipeline = {
      stages: [
        stage('PAID', { kind: 'success' }),
        stage('sent'),
        stage('PAID', { name: '  ' }),
        stage('X', { kind: 'closed' as Stage['kind'], requiredFields: ['dueDate', 'client..name', 'dueDate', 42 as unknown as string] }),
        stage('A'.repeat(33), { requiredFields: 'lines' as unknown as string[] }),
        'not a stage',
      ],
    };

    // Act
    const errors = validatePipeline(pipeline, 'invoice');

    // Assess
    expect(errors).toEqual([
      { field: 'stages[0].kind', message: 'the first stage must be an open stage' },
      { field: 'stages[1].id', message: 'id must be 1 to 32 upper-case letters, digits or underscores, starting with a letter' },
      { field: 'stages[2].id', message: 'duplicate stage id "PAID" (also stages[0])' },
      { field: 'stages[2].name', message: 'name must be a non-blank string of at most 100 characters' },
      { field: 'stages[3].kind', message: 'kind must be "open", "success" or "failure"' },
      { field: 'stages[3].requiredFields[1]', message: 'unknown required field "client..name"' },
      { field: 'stages[3].requiredFields[2]', message: 'duplicate required field "dueDate"' },
      { field: 'stages[3].requiredFields[3]', message: 'unknown required field 42' },
      { field: 'stages[4].id', message: 'id must be 1 to 32 upper-case letters, digits or underscores, starting with a letter' },
      { field: 'stages[4].requiredFields', message: 'requiredFields must be an array' },
      { field: 'stages[5]', message: 'a stage must be an object' },
    ]);
  });

  it('needs at least one stage and a success stage', () => {
    // Act / Assess
    expect(validatePipeline({ stages: [] })).toEqual([{ field: 'stages', message: 'a pipeline needs at least one stage' }]);
    expect(validatePipeline({ stages: [stage('NEW'), stage('LOST', { kind: 'failure' })] })).toEqual([
      { field: 'stages', message: 'a pipeline needs at least one success stage' },
    ]);
    expect(validatePipeline({ stages: [stage('NEW'), stage('DONE', { kind: 'success' })] })).toEqual([]);
  });

  it('refuses what is not a pipeline', () => {
    // Act / Assess
    expect(validatePipeline(null)).toEqual([{ field: 'stages', message: 'stages must be an array' }]);
    expect(validatePipeline({ stages: {} })).toEqual([{ field: 'stages', message: 'stages must be an array' }]);
  });

  it('limits the number of stages', () => {
    // Prepare
    const stages = [...Array.from({ length: 50 }, (_, i) => stage(`S${i}`)), stage('DONE', { kind: 'success' })];

    // Act
    const errors = validatePipeline({ stages });

    // Assess
    expect(errors).toEqual([{ field: 'stages', message: 'a pipeline has at most 50 stages' }]);
  });

  it('refuses a named rule of another entity kind', () => {
    // Prepare
    const pipeline = {
      stages: [stage('NEW', { requiredFields: ['contact.emailOrPhone', 'lines'] }), stage('WON', { kind: 'success' })],
    };

    // Act / Assess: a lead has no lines; an invoice has a client, not a contact
    expect(validatePipeline(pipeline, 'lead')).toEqual([
      { field: 'stages[0].requiredFields[1]', message: 'required field rule "lines" does not apply to leads' },
    ]);
    expect(validatePipeline(pipeline, 'invoice')).toEqual([
      { field: 'stages[0].requiredFields[0]', message: 'required field rule "contact.emailOrPhone" does not apply to invoices' },
    ]);
    expect(validatePipeline(pipeline)).toEqual([]);
  });
});

describe('canMove', () => {
  it.each([
    ['NEW', 'SENT'],
    ['SENT', 'VIEWED'],
    ['VIEWED', 'SENT'],
    ['SENT', 'NEW'],
    ['NEW', 'PAID'],
    ['VIEWED', 'PAID'],
    ['NEW', 'CANCELLED'],
    ['SENT', 'CANCELLED'],
  ])('allows %s -> %s', (from, to) => {
    expect(canMove(DEFAULT_INVOICE_PIPELINE, from, to)).toBeNull();
  });

  it.each([
    ['PAID', 'SENT', 'stage "PAID" is final (success); the item cannot leave it'],
    ['PAID', 'CANCELLED', 'stage "PAID" is final (success); the item cannot leave it'],
    ['CANCELLED', 'NEW', 'stage "CANCELLED" is final (failure); the item cannot leave it'],
    ['CANCELLED', 'PAID', 'stage "CANCELLED" is final (failure); the item cannot leave it'],
    ['SENT', 'SENT', 'already in stage "SENT"'],
    ['SENT', 'OVERDUE', 'unknown stage "OVERDUE"'],
    ['DRAFT', 'SENT', 'unknown stage "DRAFT"'],
  ])('refuses %s -> %s: %s', (from, to, reason) => {
    expect(canMove(DEFAULT_INVOICE_PIPELINE, from, to)).toBe(reason);
  });

  it('keeps junk leads and lost deals final too', () => {
    // Act / Assess
    expect(canMove(DEFAULT_LEAD_PIPELINE, 'JUNK', 'IN_PROGRESS')).toBe('stage "JUNK" is final (failure); the item cannot leave it');
    expect(canMove(DEFAULT_DEAL_PIPELINE, 'LOST', 'NEW')).toBe('stage "LOST" is final (failure); the item cannot leave it');
    expect(canMove(DEFAULT_DEAL_PIPELINE, 'CONTRACT_SIGNED', 'WON')).toBeNull();
  });
});
