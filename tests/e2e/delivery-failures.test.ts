/**
 * Nothing lost, nothing sent twice, nothing silent (issue 16), through the HTTP API on the local stack, with
 * failures injected through the delivery run's ports (no sleeps: the ports' clock moves when the run waits).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryPorts } from '../../functions/domain/delivery';
import { DeliveryRejected } from '../../functions/domain/kernel';
import { aCompany } from '../fixtures/builders';
import { emailsTo, eventually } from '../fixtures/outbox';
import { apiClient, makeTenant, useLocalStack, type ApiClient } from '../fixtures/stack';

const stack = useLocalStack();
let api: ApiClient;
let ports: DeliveryPorts;
let restore: () => void;

beforeAll(async () => {
  const tenant = await makeTenant('Failures Co');
  api = apiClient(() => stack().apiUrl, tenant.adminKey);
  const { deliveryPorts } = await import('../../functions/shared/wiring/delivery');
  ports = deliveryPorts();
  const saved = { now: ports.now, wait: ports.wait, messages: ports.messages, mailer: ports.mailer };
  restore = () => Object.assign(ports, saved);
});

afterEach(() => restore());

/** The run's clock moves forward instead of waiting: a lease expires at once when the run waits for it. */
function fastClock(): { waits: number[] } {
  let offset = 0;
  const waits: number[] = [];
  ports.now = () => new Date(Date.now() + offset).toISOString();
  ports.wait = async (ms) => {
    waits.push(ms);
    offset += ms;
  };
  return { waits };
}

async function anInvoice() {
  const email = `client-${randomUUID().slice(0, 8)}@example.com`;
  const company = await api.post('/v1/companies', aCompany({ legalName: 'Cliente Fallido S.L.', email }));
  const invoice = await api.post('/v1/invoices', {
    companyId: company.body.id,
    currency: 'EUR',
    dueDate: '2030-12-31',
    lines: [{ description: 'Consulting', quantity: '2', unitPrice: '95.00', taxRate: '21' }],
  });
  expect(invoice.status).toBe(201);
  return { invoice: invoice.body as { id: string }, email };
}

const header = (mail: { headers?: { name: string; value: string }[] }, name: string) => mail.headers?.find((h) => h.name.toLowerCase() === name)?.value;

describe('a crash between claiming a message and recording it', () => {
  it('is resolved after the lease by resending with the same Message-ID, recorded once, nothing dead-lettered', async () => {
    const { waits } = fastClock();
    const { invoice, email } = await anInvoice();
    // the provider accepts the e-mail, then the record is lost: as if the process died right after the send
    let lost = 0;
    const real = ports.messages;
    ports.messages = {
      ...real,
      markSent: async (m, id) => {
        if (lost < 4) {
          lost++;
          throw new Error('killed between claim and record');
        }
        return real.markSent(m, id);
      },
    };

    expect((await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' })).status).toBe(200);
    await eventually(async () => (await emailsTo(email)).length >= 2, 'the resent e-mail');
    await stack().settle();

    const mails = await emailsTo(email);
    expect(mails).toHaveLength(2);
    const ids = mails.map((m) => header(m, 'message-id'));
    expect(ids[0]).toMatch(/^<msg_[0-9a-z]{26}@/);
    expect(ids[1]).toBe(ids[0]);
    // the replay came while the lease held: it waited it out (on the run's clock) instead of sending at once
    expect(waits.some((ms) => ms > 20_000)).toBe(true);

    const messages = (await api.get(`/v1/messages?subjectId=${invoice.id}`)).body.data;
    expect(messages).toMatchObject([{ status: 'sent', channel: 'email', to: email, attempts: 2, rfcMessageId: ids[0], providerMessageId: expect.any(String) }]);
    const kinds = ((await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string }[]).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'message_sent')).toHaveLength(1);
    const runs = (await api.get(`/v1/automation/runs?subjectId=${invoice.id}`)).body.data;
    expect(runs).toMatchObject([{ status: 'done', subjectId: invoice.id }]);
    expect(stack().bus.deadLetters).toEqual([]);
  });
});

describe('a message the provider refuses for good', () => {
  it('is failed visibly (message, run, timeline, message.failed) and sent by a one-call retry', async () => {
    fastClock();
    const { invoice, email } = await anInvoice();
    ports.mailer = {
      send: async () => {
        throw new DeliveryRejected('Address blacklisted');
      },
    };

    await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    const failed = await eventually(async () => {
      const res = await api.get(`/v1/messages?status=failed&subjectId=${invoice.id}`);
      return res.body.data.length ? res.body.data : undefined;
    }, 'the failed message');
    await stack().settle();

    expect(failed).toMatchObject([{ status: 'failed', to: email, failureReason: expect.stringContaining('Address blacklisted') }]);
    const runs = (await api.get(`/v1/automation/runs?status=failed&subjectId=${invoice.id}`)).body.data;
    expect(runs).toHaveLength(1);
    expect(runs[0].steps.map((s: { status: string }) => s.status)).toEqual(['done', 'failed']);
    expect((await api.get(`/v1/automation/runs/${runs[0].id}`)).body).toMatchObject({
      id: runs[0].id,
      status: 'failed',
      error: expect.stringContaining('blacklisted'),
    });
    const timeline = (await api.get(`/v1/invoices/${invoice.id}/timeline`)).body.data as { kind: string; data: Record<string, string> }[];
    expect(timeline.find((e) => e.kind === 'message_failed')?.data).toMatchObject({ messageId: failed[0].id, reason: expect.stringContaining('blacklisted') });
    const event = stack().bus.received.find((e) => e['detail-type'] === 'message.failed' && e.detail.subjectId === invoice.id);
    expect(event?.detail).toMatchObject({ messageId: failed[0].id, channel: 'email', reason: expect.stringContaining('blacklisted') });
    expect(await emailsTo(email)).toHaveLength(0);

    // fixed (the provider takes it now): one call sends it, as the same message
    restore();
    const retry = await api.post(`/v1/messages/${failed[0].id}/retry`, {});
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ id: failed[0].id, status: 'sending' });
    await eventually(async () => (await emailsTo(email)).length > 0, 'the e-mail after the retry');
    await stack().settle();
    expect(await emailsTo(email)).toHaveLength(1);
    expect((await api.get(`/v1/messages/${failed[0].id}`)).body).toMatchObject({ status: 'sent', rfcMessageId: failed[0].rfcMessageId });
    expect((await api.get(`/v1/automation/runs/${runs[0].id}`)).body).toMatchObject({ status: 'done', attempt: 2 });
    // a second retry: nothing failed any more
    expect((await api.post(`/v1/messages/${failed[0].id}/retry`, {})).status).toBe(409);
    expect((await api.post(`/v1/automation/runs/${runs[0].id}/retry`, {})).status).toBe(409);
  });

  it('lists 404 for another id, and filters by channel and status', async () => {
    expect((await api.get('/v1/messages/msg_00000000000000000000000000')).status).toBe(404);
    expect((await api.get('/v1/automation/runs/run_00000000000000000000000000')).status).toBe(404);
    const sms = await api.get('/v1/messages?channel=sms');
    expect(sms.status).toBe(200);
    expect(sms.body.data.every((m: { channel: string }) => m.channel === 'sms')).toBe(true);
    expect((await api.get('/v1/messages?status=bogus')).status).toBe(400);
  });
});

describe('a rule acts only on events after it was created or last changed', () => {
  it('a replay of an older stage change does not meet a newer rule; a new move does', async () => {
    const { invoice, email } = await anInvoice();
    await api.post(`/v1/invoices/${invoice.id}/stage`, { stage: 'SENT' });
    await eventually(async () => (await emailsTo(email)).length > 0, 'the e-mail');
    await stack().settle();
    const audit = `audit-${randomUUID().slice(0, 8)}@example.com`;
    const rule = await api.post('/v1/automation/rules', {
      entity: 'invoice',
      stage: 'SENT',
      actions: [{ type: 'send_email', to: audit, attach: 'none', subject: 'Sent: {{number}}', body: 'Invoice {{number}} was sent.' }],
    });
    expect(rule.status).toBe(201);
    expect(rule.body.activeSince).toEqual(expect.any(String));

    // the old event again (a restart's replay, a re-created stream mapping)
    const original = stack().bus.received.find(
      (e) => e['detail-type'] === 'invoice.stage_changed' && e.detail.invoiceId === invoice.id && e.detail.to === 'SENT',
    )!;
    stack().bus.put(original.source, original['detail-type'], original.detail);
    await stack().settle();
    expect(await emailsTo(audit)).toHaveLength(0);
    expect(await emailsTo(email)).toHaveLength(1);

    // a new move after the rule: it acts
    const next = await anInvoice();
    await api.post(`/v1/invoices/${next.invoice.id}/stage`, { stage: 'SENT' });
    await eventually(async () => (await emailsTo(audit)).length > 0, 'the audit e-mail');
    await api.del(`/v1/automation/rules/${rule.body.id}`);
  });
});
