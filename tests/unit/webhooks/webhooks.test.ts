import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { RuleViolation } from '../../../functions/domain/kernel';
import {
  WebhookAddresses,
  WebhookDeliveries,
  WebhookMessages,
  WebhookSchedule,
  WebhookSubscriptions,
  type AttemptResult,
  type BusEvent,
  type WebhookSubscription,
} from '../../../functions/domain/webhooks';

const aws = { allowLoopback: false };
const local = { allowLoopback: true };
const T0 = '2026-03-01T10:00:00.000Z';
const at = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

function subscription(overrides: Partial<WebhookSubscription<string>> = {}): WebhookSubscription<string> {
  return {
    ...WebhookSubscriptions.newSubscription(
      { url: 'https://erp.example.com/hooks', events: ['invoice.*'] },
      { tenantId: 'ten_a', id: 'whk_1', now: T0, secret: 'whsec_one' },
      aws,
    ),
    ...overrides,
  };
}

const event = (type = 'invoice.paid', eventId = 'evt_1', tenantId = 'ten_a'): BusEvent => ({
  type,
  detail: { eventId, tenantId, occurredAt: '2026-03-01T09:59:59.000Z', invoiceId: 'inv_1', total: '121.00', currency: 'EUR' },
});

const answered = (status: number): AttemptResult => ({
  status,
  durationMs: 12,
  responseExcerpt: '',
  error: status >= 200 && status < 300 ? null : { kind: 'http_status', message: `answered ${status}` },
});
const timedOut: AttemptResult = { status: null, durationMs: 10_000, responseExcerpt: '', error: { kind: 'timeout', message: 'no answer' } };

describe('webhook retry schedule', () => {
  it('follows the Standard Webhooks delays, added up from the first attempt, then gives up', () => {
    const first = new Date(T0);
    const offsets = [1, 2, 3, 4, 5, 6, 7].map((n) => (WebhookSchedule.nextAttemptAt(n, first)!.getTime() - first.getTime()) / 1000);
    expect(offsets).toEqual([5, 305, 2105, 9305, 27305, 63305, 99305]);
    expect(WebhookSchedule.nextAttemptAt(8, first)).toBeNull();
    expect(WebhookSchedule.MAX_ATTEMPTS).toBe(8);
    expect(WebhookSchedule.RETRY_WINDOW_SECONDS).toBeGreaterThanOrEqual(24 * 3600);
  });

  it('accepts the first instant as a string and refuses nonsense', () => {
    expect(WebhookSchedule.nextAttemptAt(1, T0)!.toISOString()).toBe(at(T0, 5));
    expect(() => WebhookSchedule.nextAttemptAt(0, T0)).toThrow(RangeError);
    expect(() => WebhookSchedule.nextAttemptAt(1, 'yesterday')).toThrow(RangeError);
  });
});

describe('event types a subscription names', () => {
  it('matches exact names, area wildcards and everything', () => {
    expect(WebhookMessages.matchesEventType(['invoice.*'], 'invoice.paid')).toBe(true);
    expect(WebhookMessages.matchesEventType(['invoice.*'], 'invoice.stage_changed')).toBe(true);
    expect(WebhookMessages.matchesEventType(['invoice.*'], 'invoices.paid')).toBe(false);
    expect(WebhookMessages.matchesEventType(['invoice.*'], 'payment.recorded')).toBe(false);
    expect(WebhookMessages.matchesEventType(['quote.accepted'], 'quote.accepted')).toBe(true);
    expect(WebhookMessages.matchesEventType(['quote.accepted'], 'quote.sent')).toBe(false);
    expect(WebhookMessages.matchesEventType(['*'], 'document.created')).toBe(true);
    expect(WebhookMessages.matchesEventType([], 'invoice.paid')).toBe(false);
  });

  it('offers the catalog minus internal commands, and names the bad entries', () => {
    const types = WebhookMessages.subscribableEventTypes();
    expect(types).toEqual(expect.arrayContaining(['invoice.paid', 'payment.recorded', 'quote.accepted', 'document.created']));
    expect(types).not.toContain('document.requested');
    expect(WebhookMessages.patternProblem('payment.*')).toBeNull();
    expect(WebhookMessages.patternProblem('invoice.payed')).toMatch(/unknown event type/);
    expect(WebhookMessages.patternProblem('ledger.*')).toMatch(/no event type/);
    expect(WebhookMessages.patternProblem('document.requested')).toMatch(/unknown/);
  });
});

describe('webhook messages', () => {
  it('wraps the event as { type, timestamp, data } with an id stable per event and subscription', () => {
    const a = WebhookMessages.webhookMessage('whk_1', event());
    expect(JSON.parse(a.body)).toEqual({ type: 'invoice.paid', timestamp: '2026-03-01T09:59:59.000Z', data: event().detail });
    expect(a.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(WebhookMessages.webhookMessage('whk_1', event())).toEqual(a);
    expect(WebhookMessages.webhookMessage('whk_2', event()).webhookId).not.toBe(a.webhookId);
    expect(WebhookMessages.webhookMessage('whk_1', event('invoice.paid', 'evt_2')).webhookId).not.toBe(a.webhookId);
  });
});

describe('webhook subscriptions', () => {
  it('generates whsec_ secrets of 32 random bytes that the standardwebhooks library accepts', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => WebhookSubscriptions.generateWebhookSecret()));
    expect(secrets.size).toBe(50);
    for (const s of secrets) {
      expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    }
    const [s] = secrets;
    const hook = new Webhook(s);
    const now = new Date();
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': hook.sign('msg_1', now, '{}'),
    };
    expect(hook.verify('{}', headers)).toEqual({});
  });

  it('accepts an https endpoint and event patterns, deduplicated', () => {
    const sub = WebhookSubscriptions.newSubscription(
      { url: 'https://erp.example.com/in?src=crm', events: ['invoice.*', 'payment.*', 'invoice.*'], description: '  ERP  ' },
      { tenantId: 'ten_a', id: 'whk_9', now: T0, secret: 'sealed' },
      aws,
    );
    expect(sub).toMatchObject({
      events: ['invoice.*', 'payment.*'],
      description: 'ERP',
      paused: false,
      version: 1,
      secrets: [{ value: 'sealed', expiresAt: null }],
    });
  });

  it('names every bad field at once', () => {
    const attempt = () =>
      WebhookSubscriptions.validateSubscriptionInput(
        { url: 'http://erp.example.com', events: ['invoice.*', 'nope', 'ledger.*'], description: 'x'.repeat(501) },
        aws,
      );
    expect(attempt).toThrow(RuleViolation);
    try {
      attempt();
    } catch (error) {
      expect((error as RuleViolation).errors.map((e) => e.field)).toEqual(['url', 'events[1]', 'events[2]', 'description']);
    }
  });

  it('refuses URLs that point inside the network, whatever the policy, and loopback unless local', () => {
    const problems = (url: string, policy = aws) =>
      WebhookSubscriptions.urlProblems(url, policy)
        .map((e) => e.message)
        .join('; ');
    for (const url of [
      'https://169.254.169.254/latest',
      'https://[fd00:ec2::254]/',
      'https://10.1.2.3/',
      'https://[::ffff:127.0.0.1]/',
      'https://user:pw@erp.example.com/',
      'https://erp.example.com/#x',
      'ftp://erp.example.com/',
      'erp.example.com/hook',
    ]) {
      expect(problems(url), url).not.toBe('');
    }
    expect(problems('https://localhost:8443/')).toMatch(/loopback/);
    expect(problems('http://127.0.0.1:8080/')).toMatch(/https/);
    expect(problems('http://127.0.0.1:8080/', local)).toBe('');
    expect(problems('http://localhost:8080/', local)).toBe('');
    expect(problems('http://erp.example.com/', local)).toMatch(/https/);
    expect(problems('https://169.254.169.254/', local)).toMatch(/linkLocal/);
    expect(problems(`https://erp.example.com/${'a'.repeat(2048)}`)).toMatch(/2048/);
  });

  it('rotates: the new secret signs first, the old one until the overlap ends, expired ones go', () => {
    const sub = subscription();
    const rotated = WebhookSubscriptions.rotateSecret(sub, 'whsec_two', at(T0, 60), 3600_000);
    expect(rotated.version).toBe(2);
    expect(WebhookSubscriptions.signingSecrets(rotated, at(T0, 61))).toEqual(['whsec_two', 'whsec_one']);
    expect(WebhookSubscriptions.signingSecrets(rotated, at(T0, 60 + 3600))).toEqual(['whsec_two']);
    const again = WebhookSubscriptions.rotateSecret(rotated, 'whsec_three', at(T0, 2 * 3600));
    expect(again.secrets.map((s) => s.value)).toEqual(['whsec_three', 'whsec_two']);
    const immediate = WebhookSubscriptions.rotateSecret(again, 'whsec_four', at(T0, 3 * 3600), 0);
    expect(WebhookSubscriptions.signingSecrets(immediate, at(T0, 3 * 3600))).toEqual(['whsec_four']);
    expect(() => WebhookSubscriptions.rotateSecret(sub, 'x', T0, -1)).toThrow(RuleViolation);
  });

  it('pauses, edits and revalidates', () => {
    const paused = WebhookSubscriptions.changeSubscription(subscription(), { paused: true, description: 'ERP' }, at(T0, 5), aws);
    expect(paused).toMatchObject({ paused: true, description: 'ERP', version: 2, url: 'https://erp.example.com/hooks' });
    const cleared = WebhookSubscriptions.changeSubscription(paused, { description: '' }, at(T0, 6), aws);
    expect(cleared.description).toBeUndefined();
    expect(() => WebhookSubscriptions.changeSubscription(paused, { url: 'https://192.168.0.2/' }, at(T0, 7), aws)).toThrow(RuleViolation);
  });
});

describe('webhook deliveries', () => {
  it('fans an event out to the active subscriptions of its tenant that want it, idempotently', () => {
    const subs = [
      subscription({ id: 'whk_1' }),
      subscription({ id: 'whk_2', events: ['payment.*'] }),
      subscription({ id: 'whk_3', paused: true }),
      subscription({ id: 'whk_4', tenantId: 'ten_b' }),
      subscription({ id: 'whk_5', events: ['invoice.paid'] }),
    ];
    const first = WebhookDeliveries.fanOut(subs, event(), T0);
    expect(first.map((d) => d.subscriptionId)).toEqual(['whk_1', 'whk_5']);
    expect(first[0]).toMatchObject({ status: 'pending', attemptCount: 0, nextAttemptAt: T0, eventType: 'invoice.paid' });
    expect(WebhookDeliveries.fanOut(subs, event(), at(T0, 30)).map((d) => [d.id, d.webhookId, d.body])).toEqual(first.map((d) => [d.id, d.webhookId, d.body]));
  });

  it('retries failures on the schedule, 8 attempts in all, then fails', () => {
    let [d] = WebhookDeliveries.fanOut([subscription()], event(), T0);
    const attemptTimes: string[] = [];
    for (let n = 1; n <= 8; n++) {
      const now = d.nextAttemptAt!;
      expect(WebhookDeliveries.decideAttempt(d, subscription(), now)).toEqual({ action: 'send' });
      attemptTimes.push(now);
      d = WebhookDeliveries.recordAttempt(d, n, n % 2 ? answered(500) : timedOut, now).delivery;
    }
    expect(attemptTimes.map((t) => (Date.parse(t) - Date.parse(T0)) / 1000)).toEqual([0, 5, 305, 2105, 9305, 27305, 63305, 99305]);
    expect(d).toMatchObject({ status: 'failed', attemptCount: 8, nextAttemptAt: null, failureReason: 'no answer' });
  });

  it('ends at the first 2xx; an attempt run late is retried no earlier than it ran', () => {
    let [d] = WebhookDeliveries.fanOut([subscription()], event(), T0);
    d = WebhookDeliveries.recordAttempt(d, 1, answered(500), T0).delivery;
    expect(WebhookDeliveries.decideAttempt(d, subscription(), at(T0, 1))).toEqual({ action: 'wait', until: at(T0, 5) });
    const late = WebhookDeliveries.recordAttempt(d, 2, answered(502), at(T0, 900));
    expect(late.delivery.nextAttemptAt).toBe(at(T0, 900));
    const done = WebhookDeliveries.recordAttempt(late.delivery, 3, answered(204), at(T0, 901));
    expect(done.delivery).toMatchObject({ status: 'succeeded', attemptCount: 3, nextAttemptAt: null });
    expect(done.delivery.failureReason).toBeUndefined();
    expect(done.attempt).toMatchObject({ n: 3, status: 204, replay: false, deliveryId: d.id });
  });

  it('refuses a duplicate or out-of-order attempt, and an attempt on a finished delivery', () => {
    const [d] = WebhookDeliveries.fanOut([subscription()], event(), T0);
    const one = WebhookDeliveries.recordAttempt(d, 1, answered(500), T0).delivery;
    expect(() => WebhookDeliveries.recordAttempt(one, 1, answered(500), T0)).toThrow(/not the next/);
    expect(() => WebhookDeliveries.recordAttempt(one, 3, answered(500), T0)).toThrow(/not the next/);
    const done = WebhookDeliveries.recordAttempt(one, 2, answered(200), T0).delivery;
    expect(() => WebhookDeliveries.recordAttempt(done, 3, answered(200), T0)).toThrow(/succeeded/);
    expect(WebhookDeliveries.decideAttempt(done, subscription(), T0)).toMatchObject({ action: 'skip' });
  });

  it('gives up a pending delivery once its subscription is paused or deleted', () => {
    const [d] = WebhookDeliveries.fanOut([subscription()], event(), T0);
    expect(WebhookDeliveries.decideAttempt(d, subscription({ paused: true }), T0)).toEqual({ action: 'cancel', reason: 'the subscription is paused' });
    expect(WebhookDeliveries.decideAttempt(d, null, T0)).toMatchObject({ action: 'cancel' });
    expect(WebhookDeliveries.cancelDelivery(d, 'the subscription is paused', T0)).toMatchObject({ status: 'failed', nextAttemptAt: null });
  });

  it('replays a finished delivery once, with the same id and body, without a new schedule', () => {
    let [d] = WebhookDeliveries.fanOut([subscription()], event(), T0);
    d = WebhookDeliveries.recordAttempt(d, 1, answered(200), T0).delivery;
    expect(() => WebhookDeliveries.replayDelivery({ ...d, status: 'pending' }, T0)).toThrow(/pending/);
    const replay = WebhookDeliveries.replayDelivery(d, at(T0, 3600));
    expect(replay).toMatchObject({ status: 'pending', nextAttemptAt: at(T0, 3600), replays: 1, webhookId: d.webhookId, body: d.body });
    const failed = WebhookDeliveries.recordAttempt(replay, 2, answered(500), at(T0, 3600));
    expect(failed.delivery).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect(failed.attempt.replay).toBe(true);
  });
});

describe('webhook address policy', () => {
  it('allows only global unicast, loopback when local', () => {
    const allowed = (a: string, p = aws) => WebhookAddresses.judgeAddress(a, p).allowed;
    for (const a of ['8.8.8.8', '93.184.215.14', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(allowed(a), a).toBe(true);
    for (const a of [
      '127.0.0.1',
      '::1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::7f00:1',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      'ff02::1',
      '255.255.255.255',
      '192.0.2.1',
      '64:ff9b::a00:1',
      '2002:a00:1::',
      'fec0::1',
      'not-an-ip',
    ]) {
      expect(allowed(a), a).toBe(false);
    }
    expect(allowed('127.0.0.1', local)).toBe(true);
    expect(allowed('::1', local)).toBe(true);
    expect(allowed('10.0.0.1', local)).toBe(false);
    expect(WebhookAddresses.literalAddress('[::1]')).toBe('::1');
    expect(WebhookAddresses.literalAddress('erp.example.com')).toBeNull();
  });
});
