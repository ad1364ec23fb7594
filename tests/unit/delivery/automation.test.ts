import { describe, expect, it } from 'vitest';
import {
  Automation,
  Delivery,
  Messages,
  type AutomationRule,
  type AutomationRun,
  type DeliveryPorts,
  type DeliverySubject,
  type MessageRecord,
} from '../../../functions/domain/delivery';
import type { DocumentRecord, PublicLinkRecord as PublicLink } from '../../../functions/domain/documents';
import { derivedId } from '../../../functions/domain/kernel';

const { newRun, stageAfterView, standardRules } = Automation;
const { invoiceEmail, invoiceSmsText, smsSegments } = Messages;
const advanceRun = Delivery.advance;
const startRun = Delivery.start;

const order = ['NEW', 'SENT', 'VIEWED', 'PAID', 'CANCELLED'];
const rule = (over: Partial<AutomationRule> = {}): AutomationRule => ({
  tenantId: 't',
  id: 'rule_1',
  version: 1,
  createdAt: '',
  updatedAt: '',
  ...standardRules()[0],
  ...over,
});

describe('client views move invoices forward only', () => {
  it.each([
    ['SENT', 'email_open', 'VIEWED'],
    ['SENT', 'link', 'VIEWED'],
    ['NEW', 'link', 'VIEWED'],
    ['VIEWED', 'link', undefined],
    ['PAID', 'email_open', undefined],
    ['CANCELLED', 'link', undefined],
  ] as const)('from %s via %s -> %s', (current, via, expected) => {
    const to = stageAfterView({ rules: [rule()], via, currentStage: current, stageOrder: order, closedStages: ['PAID', 'CANCELLED'] });
    expect(to).toBe(expected);
  });

  it('ignores disabled rules and triggers of the other kind', () => {
    const linkOnly = rule({ triggers: [{ type: 'link_opened', moveTo: 'VIEWED' }] });
    expect(stageAfterView({ rules: [linkOnly], via: 'email_open', currentStage: 'SENT', stageOrder: order, closedStages: [] })).toBeUndefined();
    expect(stageAfterView({ rules: [rule({ enabled: false })], via: 'link', currentStage: 'SENT', stageOrder: order, closedStages: [] })).toBeUndefined();
  });
});

describe('SMS text', () => {
  it('counts GSM-7 and UCS-2 segments', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(smsSegments('я'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(smsSegments('я'.repeat(71))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1 });
  });

  it('keeps the link whole and fits two segments, shortening a long Cyrillic seller name', () => {
    const url = 'https://billing.example.com/p/AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    const text = invoiceSmsText({
      sellerName: 'Общество с ограниченной ответственностью «Ромашка и партнёры»',
      number: 'INV-2026-000123',
      total: '1210.00',
      currency: 'EUR',
      dueDate: '2026-12-31',
      url,
    });
    expect(text.endsWith(url)).toBe(true);
    expect(text).toContain('INV-2026-000123');
    expect(smsSegments(text).segments).toBeLessThanOrEqual(2);
  });

  it('uses one segment for a short Latin message', () => {
    const text = invoiceSmsText({ sellerName: 'Acme', number: 'INV-1', total: '10.00', currency: 'EUR', url: 'https://x.io/p/abc' });
    expect(text).toBe('Acme: invoice INV-1, €10.00. https://x.io/p/abc');
    expect(smsSegments(text).segments).toBe(1);
  });
});

describe('e-mail body', () => {
  it('carries the public link and the open pixel, and escapes client names', () => {
    const mail = invoiceEmail({
      subject: { type: 'invoice', tenantId: 't', id: 'inv_1', number: 'INV-1', currency: 'EUR', total: '12.00', client: { name: '<b>Bad</b> & Co' } },
      sellerName: 'Acme',
      token: 'tok',
      baseUrl: 'https://b.example/',
    });
    expect(mail.subject).toBe('Invoice INV-1 from Acme');
    expect(mail.html).toContain('<img src="https://b.example/p/tok/open.gif"');
    expect(mail.html).toContain('<a href="https://b.example/p/tok">');
    expect(mail.html).toContain('&lt;b&gt;Bad&lt;/b&gt; &amp; Co');
    expect(mail.text).toContain('https://b.example/p/tok');
  });
});

/** In-memory ports: plain maps with the same conditional semantics as the DynamoDB adapters. */
function fakePorts() {
  const runs = new Map<string, AutomationRun>();
  const docs = new Map<string, DocumentRecord>();
  const messages = new Map<string, MessageRecord>();
  const sent: { to: string; subject: string; attachments: number }[] = [];
  const messageIds: (string | undefined)[] = [];
  const waits: number[] = [];
  let clock = Date.parse('2026-12-01T10:00:00.000Z');
  const sms: { to: string; text: string }[] = [];
  const moves: string[] = [];
  const requested: string[] = [];
  let mailFailures = 0;
  let markSentFailures = 0;
  const subject: DeliverySubject = {
    type: 'invoice',
    tenantId: 't',
    id: 'inv_1',
    number: 'INV-2026-000001',
    stage: 'SENT',
    currency: 'EUR',
    total: '121.00',
    client: { name: 'Client', email: 'client@example.com', phone: '+34600000000' },
  };
  const ports: DeliveryPorts = {
    now: () => new Date(clock).toISOString(),
    // waiting moves the clock: no test sleeps
    wait: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    publicBaseUrl: 'https://b.example',
    mailFrom: 'invoices@b.example',
    subjects: { get: async () => subject },
    tenants: { get: async () => ({ name: 'Seller' }) },
    users: { emailOf: async () => undefined },
    runs: {
      create: async (run) => (runs.has(run.id) ? 'exists' : (runs.set(run.id, structuredClone(run)), 'created')),
      get: async (_t, id) => structuredClone(runs.get(id) ?? null),
      save: async (run) => {
        const current = runs.get(run.id)!;
        if (current.version !== run.version) throw new Error('stale run');
        const saved = { ...structuredClone(run), version: run.version + 1 };
        runs.set(run.id, saved);
        return structuredClone(saved);
      },
    },
    documents: {
      request: async (doc: DocumentRecord, _link: PublicLink) => {
        if (docs.has(doc.id)) return 'exists';
        docs.set(doc.id, doc);
        requested.push(doc.id);
        return 'created';
      },
      get: async (_t, id) => docs.get(id) ?? null,
    },
    messages: {
      claim: async (m) =>
        messages.has(m.id)
          ? { claimed: false as const, existing: structuredClone(messages.get(m.id)!) }
          : (messages.set(m.id, structuredClone(m)), { claimed: true as const }),
      takeOver: async (existing, next) => {
        const current = messages.get(existing.id);
        if (!current || current.version !== existing.version || current.status !== 'sending') return false;
        messages.set(existing.id, { ...current, leaseUntil: next.leaseUntil, attempts: (current.attempts ?? 1) + 1, version: current.version + 1 });
        return true;
      },
      markSent: async (m, providerMessageId) => {
        if (markSentFailures > 0) {
          markSentFailures--;
          throw new Error('throttled');
        }
        const current = messages.get(m.id)!;
        if (current.status === 'sent') return;
        if (current.status !== 'sending') throw new Error(`message is ${current.status}`);
        messages.set(m.id, { ...current, status: 'sent', providerMessageId });
      },
      markFailed: async (m, error) => {
        const current = messages.get(m.id)!;
        if (current.status === 'failed') return;
        if (current.status !== 'sending') throw new Error(`message is ${current.status}`);
        messages.set(m.id, { ...current, status: 'failed', error });
      },
    },
    stages: {
      move: async (_t, id, to) => {
        moves.push(`${id}->${to}`);
      },
    },
    storage: { put: async () => undefined, get: async () => Buffer.from('%PDF-1.7'), presignGet: async () => 'https://s3/x' },
    mailer: {
      send: async (m) => {
        if (mailFailures > 0) {
          mailFailures--;
          throw new Error('connection reset');
        }
        sent.push({ to: m.to, subject: m.subject, attachments: m.attachments?.length ?? 0 });
        messageIds.push(m.messageId);
        return { messageId: `ses-${sent.length}` };
      },
    },
    sms: {
      send: async (m) => {
        sms.push(m);
        return { messageId: `sns-${sms.length}` };
      },
    },
  };
  const renderAll = () => {
    for (const d of docs.values()) if (d.status === 'pending') Object.assign(d, { status: 'ready', sha256: 'x', size: 8 });
  };
  return {
    ports,
    runs,
    docs,
    messages,
    messageIds,
    waits,
    tick: (ms: number) => {
      clock += ms;
    },
    sent,
    sms,
    moves,
    requested,
    renderAll,
    failMail: (n: number) => {
      mailFailures = n;
    },
    failMarkSent: (n: number) => {
      markSentFailures = n;
    },
  };
}

const standardRun = (eventId = 'evt_1') =>
  newRun({
    tenantId: 't',
    subjectType: 'invoice',
    subjectId: 'inv_1',
    causeEventId: eventId,
    actor: 'automation:rule_1',
    ruleId: 'rule_1',
    actions: standardRules()[0].actions,
    now: new Date().toISOString(),
  });

describe('running the standard rule', () => {
  it('waits for the document, then sends exactly one e-mail with the PDF attached', async () => {
    const f = fakePorts();

    const waiting = await startRun(f.ports, standardRun());
    expect(waiting.status).toBe('waiting');
    expect(f.sent).toHaveLength(0);

    f.renderAll();
    const done = await advanceRun(f.ports, (await f.ports.runs.get('t', waiting.id))!);

    expect(done.status).toBe('done');
    expect(f.sent).toEqual([{ to: 'client@example.com', subject: 'Invoice INV-2026-000001 from Seller', attachments: 1 }]);
  });

  it('does nothing twice when the same event is delivered again, before or after the document is ready', async () => {
    const f = fakePorts();
    await startRun(f.ports, standardRun());
    await startRun(f.ports, standardRun()); // redelivered while waiting
    f.renderAll();
    const run = (await f.ports.runs.get('t', standardRun().id))!;
    await advanceRun(f.ports, run);
    await startRun(f.ports, standardRun()); // redelivered after completion
    await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!); // document.created redelivered

    expect(f.requested).toHaveLength(1);
    expect(f.sent).toHaveLength(1);
  });

  it('retries a provider failure with backoff and sends once', async () => {
    const f = fakePorts();
    const run = await startRun(f.ports, standardRun());
    f.renderAll();
    f.failMail(2);

    const done = await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!);

    expect(done.status).toBe('done');
    expect(f.sent).toHaveLength(1);
    expect(f.waits).toEqual([1000, 2000]);
    expect(f.requested).toHaveLength(1);
  });

  it('fails the message visibly (status failed, reason) when the provider stays unavailable through every attempt', async () => {
    const f = fakePorts();
    const run = await startRun(f.ports, standardRun());
    f.renderAll();
    f.failMail(10);

    const result = await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!);

    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/e-mail provider was unavailable \(3 attempts\): connection reset/);
    expect(f.sent).toHaveLength(0);
    expect([...f.messages.values()]).toMatchObject([{ status: 'failed', error: expect.stringMatching(/unavailable/) }]);
  });

  it('retries recording a sent e-mail: a failed write after the send causes no second e-mail', async () => {
    const f = fakePorts();
    const run = await startRun(f.ports, standardRun());
    f.renderAll();
    f.failMarkSent(1);

    const done = await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!);

    expect(done.status).toBe('done');
    expect(f.sent).toHaveLength(1);
  });

  it('a crash between claim and record: the replay waits out the lease, then resends with the SAME Message-ID, and records it once', async () => {
    const f = fakePorts();
    const run = await startRun(f.ports, standardRun());
    f.renderAll();
    f.failMarkSent(10); // the record never lands: as if the process died right after the provider accepted

    await expect(advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!)).rejects.toThrow(/throttled/);
    expect([...f.messages.values()]).toMatchObject([{ status: 'sending', attempts: 1 }]);
    f.failMarkSent(0);
    const replayed = await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!);

    expect(replayed.status).toBe('done');
    expect(f.sent).toHaveLength(2);
    expect(f.messageIds[0]).toMatch(/^<msg_[0-9a-z]{26}@b\.example>$/);
    expect(f.messageIds[1]).toBe(f.messageIds[0]);
    expect([...f.messages.values()]).toMatchObject([{ status: 'sent', attempts: 2, providerMessageId: 'ses-2' }]);
    // the replay came within the lease: it waited for it to expire instead of sending at once
    expect(f.waits.some((ms) => ms >= 25_000)).toBe(true);
  });

  it('after the lease expired, a replay takes over at once; a second replay after that finds it sent', async () => {
    const f = fakePorts();
    const run = await startRun(f.ports, standardRun());
    f.renderAll();
    f.failMarkSent(10);
    await expect(advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!)).rejects.toThrow(/throttled/);
    f.failMarkSent(0);
    f.tick(31_000);
    const waitsBefore = f.waits.length;

    const replayed = await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!);
    const again = await startRun(f.ports, standardRun());

    expect(f.waits.length).toBe(waitsBefore);
    expect(replayed.status).toBe('done');
    expect(again.status).toBe('done');
    expect(f.sent).toHaveLength(2);
  });

  it('records a message it cannot attempt (no address) as failed, visibly', async () => {
    const f = fakePorts();
    f.ports.subjects.get = async () => ({
      type: 'invoice',
      tenantId: 't',
      id: 'inv_1',
      number: 'INV-1',
      currency: 'EUR',
      total: '1.00',
      client: { name: 'C' },
    });
    const run = await startRun(f.ports, standardRun());
    f.renderAll();

    const result = await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!);

    expect(result.status).toBe('failed');
    expect(result.error).toBe('the client has no e-mail address');
    expect([...f.messages.values()]).toMatchObject([{ status: 'failed', error: 'the client has no e-mail address', runId: run.id, stepIndex: 1 }]);
  });

  it("notifies the responsible user at their address, and has the client's replies go to them", async () => {
    const f = fakePorts();
    const to: { to: string; replyTo?: string }[] = [];
    f.ports.users.emailOf = async (_t, userId) => (userId === 'usr_ana' ? 'ana@seller.example' : undefined);
    f.ports.subjects.get = async () => ({
      type: 'invoice',
      tenantId: 't',
      id: 'inv_1',
      number: 'INV-1',
      stage: 'PAID',
      currency: 'EUR',
      total: '1.00',
      client: { name: 'C', email: 'c@example.com' },
      responsibleUserId: 'usr_ana',
    });
    f.ports.mailer.send = async (m) => {
      to.push({ to: m.to, replyTo: m.replyTo });
      return { messageId: 'ses-x' };
    };

    const run = newRun({
      tenantId: 't',
      subjectType: 'invoice',
      subjectId: 'inv_1',
      causeEventId: 'evt_n',
      actor: 'automation:r',
      actions: [{ type: 'notify_responsible' }, { type: 'send_email', attach: 'none' }],
      now: new Date().toISOString(),
    });
    const result = await startRun(f.ports, run);

    expect(result.status).toBe('done');
    expect(to).toEqual([
      { to: 'ana@seller.example', replyTo: undefined },
      { to: 'c@example.com', replyTo: 'ana@seller.example' },
    ]);
  });

  it('marks the step failed, without retrying, when the provider rejects the message for good', async () => {
    const f = fakePorts();
    const { DeliveryRejected } = await import('../../../functions/domain/kernel/errors');
    f.ports.mailer.send = async () => {
      throw new DeliveryRejected('Address blacklisted');
    };
    const run = await startRun(f.ports, standardRun());
    f.renderAll();

    const result = await advanceRun(f.ports, (await f.ports.runs.get('t', run.id))!);

    expect(result.status).toBe('failed');
    expect(result.error).toContain('Address blacklisted');
  });

  it('gives distinct runs to distinct events and the same run to the same event', () => {
    expect(standardRun('evt_1').id).toBe(standardRun('evt_1').id);
    expect(standardRun('evt_1').id).not.toBe(standardRun('evt_2').id);
    expect(derivedId('document', 'a', '1')).toMatch(/^doc_[0-9a-z]{26}$/);
  });
});
