import { describe, expect, it } from 'vitest';
import { Automation, Retries, Sending, type AutomationRun, type MessageRecord } from '../../../functions/domain/delivery';
import { Conflict } from '../../../functions/domain/kernel';

const { claimState, leaseUntil, rfcMessageId, backoffMs, msUntil, LEASE_MS } = Sending;
const T0 = '2026-12-01T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

describe('the message protocol: what a claim that finds the message means (clock as an argument)', () => {
  const sending = { status: 'sending' as const, leaseUntil: leaseUntil(T0) };

  it('sent: nothing to send; failed: stays failed until a person retries', () => {
    expect(claimState({ status: 'sent', providerMessageId: 'ses-1' }, T0)).toEqual({ kind: 'sent', providerMessageId: 'ses-1' });
    expect(claimState({ status: 'failed', error: 'refused' }, T0)).toEqual({ kind: 'failed', error: 'refused' });
  });

  it('sending under a lease: held until it expires, then taken over', () => {
    expect(claimState(sending, at(1))).toEqual({ kind: 'held', until: at(LEASE_MS) });
    expect(claimState(sending, at(LEASE_MS - 1))).toMatchObject({ kind: 'held' });
    expect(claimState(sending, at(LEASE_MS))).toEqual({ kind: 'takeover' });
    expect(claimState(sending, at(LEASE_MS + 60_000))).toEqual({ kind: 'takeover' });
  });

  it('a claim written before leases existed is an interrupted one: taken over', () => {
    expect(claimState({ status: 'sending' }, T0)).toEqual({ kind: 'takeover' });
  });

  it('waits at most a lease, never a negative time', () => {
    expect(msUntil(at(5_000), T0)).toBe(5_000);
    expect(msUntil(at(-5_000), T0)).toBe(0);
    expect(msUntil(at(10 * LEASE_MS), T0)).toBe(LEASE_MS);
  });

  it('backs off 1 s, 2 s, 4 s, capped at 8 s; a lease covers every attempt of a send', () => {
    expect([1, 2, 3, 4, 5].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 8000]);
    let total = 0;
    for (let a = 1; a <= Sending.SEND_ATTEMPTS; a++) total += Sending.SEND_TIMEOUT_MS + (a < Sending.SEND_ATTEMPTS ? backoffMs(a) : 0);
    expect(total).toBeLessThan(LEASE_MS);
  });

  it('derives one Message-ID per message, on the sending domain', () => {
    expect(rfcMessageId('msg_abc', 'invoices@billing.example.com')).toBe('<msg_abc@billing.example.com>');
    expect(rfcMessageId('msg_abc', '"Acme" <no-reply@acme.example>')).toBe('<msg_abc@acme.example>');
    expect(rfcMessageId('msg_abc', 'nobody')).toBe('<msg_abc@crm.invalid>');
  });
});

describe('rules act only on events after they were created or last changed', () => {
  const rule = { createdAt: T0, updatedAt: at(60_000), activeSince: at(60_000) };

  it('compares the event time with activeSince (at or after)', () => {
    expect(Automation.actsOn(rule, at(59_999))).toBe(false);
    expect(Automation.actsOn(rule, at(60_000))).toBe(true);
    expect(Automation.actsOn(rule, at(120_000))).toBe(true);
  });

  it('a rule stored before activeSince existed reads its updatedAt', () => {
    expect(Automation.actsOn({ createdAt: T0, updatedAt: at(10) }, T0)).toBe(false);
    expect(Automation.actsOn({ createdAt: T0, updatedAt: at(10) }, at(10))).toBe(true);
  });
});

function failedRun(): AutomationRun {
  return {
    tenantId: 't',
    id: 'run_1',
    subjectType: 'invoice',
    subjectId: 'inv_1',
    causeEventId: 'evt_1',
    actor: 'automation:rule_1',
    status: 'failed',
    steps: [
      { action: { type: 'create_document' }, status: 'done', result: { documentId: 'doc_1' } },
      { action: { type: 'send_email', attach: 'document' }, status: 'failed', result: { documentId: 'doc_1', messageId: 'msg_1' }, error: 'refused' },
    ],
    error: 'refused',
    version: 5,
    createdAt: T0,
    updatedAt: T0,
  };
}

describe('retrying a failed run', () => {
  it('makes its failed steps pending, keeps the message (same id, same Message-ID), and counts the attempt', () => {
    const { run, messageIds } = Automation.retried(failedRun(), at(1000));
    expect(run).toMatchObject({ status: 'running', error: undefined, attempt: 2, updatedAt: at(1000) });
    expect(run.steps[0]).toEqual(failedRun().steps[0]);
    expect(run.steps[1]).toEqual({
      action: { type: 'send_email', attach: 'document' },
      status: 'pending',
      result: { documentId: 'doc_1', messageId: 'msg_1' },
    });
    expect(messageIds).toEqual(['msg_1']);
  });

  it('a failed render gets a new document on retry', () => {
    const r = failedRun();
    r.steps[0] = { action: { type: 'create_document' }, status: 'failed', result: { documentId: Automation.documentIdFor(r, 0) }, error: 'timeout' };
    r.steps[1] = { action: { type: 'send_email' }, status: 'pending' };
    const { run } = Automation.retried(r, at(1000));
    expect(run.steps[0]).toEqual({ action: { type: 'create_document' }, status: 'pending' });
    expect(Automation.documentIdFor(run, 0)).not.toBe(Automation.documentIdFor(r, 0));
    expect(Automation.documentIdFor(run, 0)).toMatch(/^doc_/);
  });

  it('only a failed run (409 otherwise)', () => {
    expect(() => Automation.retried({ ...failedRun(), status: 'done' }, T0)).toThrow(Conflict);
    expect(() => Automation.retried({ ...failedRun(), status: 'running' }, T0)).toThrow(Conflict);
  });

  it('retrying a failed message retries the run that asked for it, in one write', async () => {
    const writes: { run: AutomationRun; expected: number; messageIds: string[]; retried?: string }[] = [];
    const message: MessageRecord = {
      tenantId: 't',
      id: 'msg_1',
      subjectType: 'invoice',
      subjectId: 'inv_1',
      channel: 'email',
      to: 'c@example.com',
      status: 'failed',
      error: 'refused',
      runId: 'run_1',
      version: 2,
      createdAt: T0,
      updatedAt: T0,
    };
    const ports = {
      now: () => at(5000),
      runs: {
        get: async () => failedRun(),
        retry: async (run: AutomationRun, expected: number, messageIds: string[], retried?: string) => {
          writes.push({ run, expected, messageIds, retried });
        },
      },
      messages: { get: async (_t: string, id: string) => (id === 'msg_1' ? message : null) },
    };
    const result = await Retries.retryMessage(ports, { tenantId: 't', id: 'msg_1' });
    expect(result.message).toMatchObject({ status: 'sending', leaseUntil: at(5000) });
    expect(writes).toEqual([{ run: expect.objectContaining({ status: 'running', attempt: 2 }), expected: 5, messageIds: ['msg_1'], retried: 'msg_1' }]);
    await expect(Retries.retryMessage(ports, { tenantId: 't', id: 'msg_2' })).rejects.toThrow(/message/);
    message.status = 'sent';
    await expect(Retries.retryMessage(ports, { tenantId: 't', id: 'msg_1' })).rejects.toThrow(Conflict);
  });
});
