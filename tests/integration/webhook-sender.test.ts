import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpWebhookSender, type ResolvedAddress } from '../../functions/adapters/webhooks/http-sender';
import { WebhookSubscriptions } from '../../functions/domain/webhooks';
import { freePort } from '../../infra/local/ports';
import { TEST_TLS, WebhookReceiver } from '../fixtures/webhook-receiver';

const secret = WebhookSubscriptions.generateWebhookSecret();
const message = (url: string, secrets = [secret]) => ({
  url,
  webhookId: 'msg_0123456789abcdef',
  timestamp: new Date(),
  body: JSON.stringify({ type: 'invoice.paid', timestamp: '2026-01-02T03:04:05.000Z', data: { invoiceId: 'inv_1', total: '121.00' } }),
  secrets,
});

/** A resolver standing in for DNS: names map to fixed answers; every question is counted. */
function fakeDns(answers: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    asked.push(hostname);
    const found = answers[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { asked, resolve };
}

describe('webhook HTTP sender', () => {
  const receiver = new WebhookReceiver();
  const other = new WebhookReceiver();
  const tlsReceiver = new WebhookReceiver([{ status: 200, body: 'ok' }], true);

  beforeAll(async () => {
    await Promise.all([receiver.start(), other.start(), tlsReceiver.start()]);
  });
  afterEach(() => {
    for (const r of [receiver, other, tlsReceiver]) r.received.length = 0;
    receiver.answer({ status: 204 });
  });
  afterAll(async () => {
    await Promise.all([receiver.stop(), other.stop(), tlsReceiver.stop()]);
  });

  describe('with loopback allowed (local runs)', () => {
    const sender = createHttpWebhookSender({ allowLoopback: true, ca: TEST_TLS.cert });

    it('posts the body once, signed so that the standardwebhooks library verifies it', async () => {
      // Prepare
      const sent = message(`${receiver.url}/hooks/crm?x=1`);
      // Act
      const result = await sender.send(sent);
      // Assess
      expect(result).toMatchObject({ status: 204, error: null });
      expect(receiver.received).toHaveLength(1);
      const [got] = receiver.received;
      expect(got.path).toBe('/hooks/crm?x=1');
      expect(got.body).toBe(sent.body);
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers['webhook-id']).toBe('msg_0123456789abcdef');
      expect(got.headers['webhook-timestamp']).toBe(String(Math.floor(sent.timestamp.getTime() / 1000)));
      expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(new Webhook(secret).verify(got.body, got.headers)).toEqual(JSON.parse(sent.body));
      expect(() => new Webhook(WebhookSubscriptions.generateWebhookSecret()).verify(got.body, got.headers)).toThrow(/No matching signature/);
      expect(() => new Webhook(secret).verify(`${got.body} `, got.headers)).toThrow(/No matching signature/);
    });

    it('signs with every secret during a rotation, each verifiable on its own', async () => {
      const next = WebhookSubscriptions.generateWebhookSecret();
      await sender.send(message(receiver.url, [next, secret]));
      const [got] = receiver.received;
      expect(got.headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(new Webhook(next).verify(got.body, got.headers)).toBeTruthy();
      expect(new Webhook(secret).verify(got.body, got.headers)).toBeTruthy();
    });

    it('reports a non-2xx answer with its status and the start of its body', async () => {
      receiver.answer({ status: 503, body: 'maintenance until 18:00' });
      const result = await sender.send(message(receiver.url));
      expect(result).toMatchObject({ status: 503, responseExcerpt: 'maintenance until 18:00', error: { kind: 'http_status' } });
    });

    it('follows no redirect: a 3xx is a failed attempt and the target is never called', async () => {
      receiver.answer({ redirectTo: `${other.url}/elsewhere`, status: 307 });
      const result = await sender.send(message(receiver.url));
      expect(result).toMatchObject({ status: 307, error: { kind: 'http_status' } });
      expect(receiver.received).toHaveLength(1);
      expect(other.received).toHaveLength(0);
    });

    it('gives up on an endpoint that never answers at the deadline', async () => {
      receiver.answer({ hang: true });
      const hasty = createHttpWebhookSender({ allowLoopback: true, timeoutMs: 300 });
      const result = await hasty.send(message(receiver.url));
      expect(result).toMatchObject({ status: null, error: { kind: 'timeout' } });
      expect(result.durationMs).toBeGreaterThanOrEqual(290);
      expect(result.durationMs).toBeLessThan(5000);
    });

    it('reads only the first 4 KiB of an endless answer and hangs up', async () => {
      receiver.answer({ stream: 1024 ** 3 });
      receiver.streamed = 0;
      const result = await sender.send(message(receiver.url));
      expect(result).toMatchObject({ status: 200, error: null });
      expect(Buffer.byteLength(result.responseExcerpt)).toBe(4096);
      expect(receiver.streamed).toBeLessThan(64 * 1024 ** 2);
    });

    it('connects to the address it resolved and checked, with TLS verified for the host name', async () => {
      // Prepare: receiver.test exists only in this resolver, so a second, system lookup would fail
      const dns = fakeDns({ 'receiver.test': ['127.0.0.1'], 'wrong.test': ['127.0.0.1'] });
      const pinned = createHttpWebhookSender({ allowLoopback: true, ca: TEST_TLS.cert, resolve: dns.resolve });
      // Act
      const ok = await pinned.send(message(`https://receiver.test:${tlsReceiver.port}/in`));
      const wrongName = await pinned.send(message(`https://wrong.test:${tlsReceiver.port}/in`));
      // Assess
      expect(ok).toMatchObject({ status: 200, responseExcerpt: 'ok', error: null });
      expect(tlsReceiver.received[0].headers.host).toBe(`receiver.test:${tlsReceiver.port}`);
      expect(dns.asked).toEqual(['receiver.test', 'wrong.test']);
      expect(wrongName).toMatchObject({ status: null, error: { kind: 'connection' } });
      expect(wrongName.error?.message).toMatch(/altnames|certificate|ERR_TLS/i);
    });

    it('reaches an IPv6 loopback receiver, by literal and by a name that resolves to ::1', async (ctx) => {
      const v6 = new WebhookReceiver([{ status: 202 }]);
      try {
        await v6.start('::1');
      } catch {
        return ctx.skip();
      }
      try {
        const dns = fakeDns({ 'v6.test': ['::1'] });
        const local = createHttpWebhookSender({ allowLoopback: true, resolve: dns.resolve });
        expect(await local.send(message(`http://[::1]:${v6.port}/a`))).toMatchObject({ status: 202, error: null });
        expect(await local.send(message(`http://v6.test:${v6.port}/b`))).toMatchObject({ status: 202, error: null });
        expect(v6.received.map((r) => [r.path, r.headers.host])).toEqual([
          ['/a', `[::1]:${v6.port}`],
          ['/b', `v6.test:${v6.port}`],
        ]);
      } finally {
        await v6.stop();
      }
    });

    it('still refuses private and metadata addresses, and http to anything but loopback', async () => {
      const dns = fakeDns({ 'public.test': ['93.184.215.14'], 'meta.test': ['169.254.169.254'], 'lan.test': ['192.168.1.10'] });
      const local = createHttpWebhookSender({ allowLoopback: true, resolve: dns.resolve });
      expect((await local.send(message('http://public.test/in'))).error?.kind).toBe('refused_address');
      expect((await local.send(message('https://meta.test/latest/meta-data'))).error?.kind).toBe('refused_address');
      expect((await local.send(message('https://lan.test/'))).error?.kind).toBe('refused_address');
    });

    it('tells a refused connection and an unknown host apart', async () => {
      const closed = await sender.send(message(`http://127.0.0.1:${await freePort()}/`));
      expect(closed).toMatchObject({ status: null, error: { kind: 'connection' } });
      expect(closed.error?.message).toMatch(/ECONNREFUSED/);
      const unknown = await sender.send(message('https://no-such-host.invalid/hook'));
      expect(unknown).toMatchObject({ status: null, error: { kind: 'dns' } });
    });
  });

  describe('with the default policy (AWS)', () => {
    it('refuses a host name that resolves to loopback, before connecting', async () => {
      const sender = createHttpWebhookSender({ ca: TEST_TLS.cert });
      const plain = await sender.send(message(`http://localhost:${receiver.port}/`));
      const tls = await sender.send(message(`https://localhost:${tlsReceiver.port}/`));
      expect(plain.error?.kind).toBe('refused_address');
      expect(tls.error?.kind).toBe('refused_address');
      expect(tls.error?.message).toMatch(/loopback/);
      expect(receiver.received).toHaveLength(0);
      expect(tlsReceiver.received).toHaveLength(0);
    });

    it('refuses address literals outside the public internet, IPv4-mapped IPv6 included', async () => {
      const sender = createHttpWebhookSender();
      for (const host of [
        '127.0.0.1',
        '[::1]',
        '[::ffff:127.0.0.1]',
        '[::ffff:a9fe:a9fe]',
        '169.254.169.254',
        '[fd00:ec2::254]',
        '10.0.0.1',
        '100.64.0.1',
        '0.0.0.0',
        '[::]',
        '224.0.0.1',
      ]) {
        const result = await sender.send(message(`https://${host}:${tlsReceiver.port}/`));
        expect(result.error?.kind, host).toBe('refused_address');
      }
      expect(tlsReceiver.received).toHaveLength(0);
    });

    it('refuses a name when any of its addresses is private, asking DNS once', async () => {
      const dns = fakeDns({ 'mixed.test': ['93.184.215.14', '10.0.0.5'], 'v6.test': ['2606:4700::1', '::ffff:192.168.0.1'] });
      const sender = createHttpWebhookSender({ resolve: dns.resolve });
      expect((await sender.send(message('https://mixed.test/'))).error?.kind).toBe('refused_address');
      expect((await sender.send(message('https://v6.test/'))).error?.kind).toBe('refused_address');
      expect(dns.asked).toEqual(['mixed.test', 'v6.test']);
    });

    it('refuses http, other schemes and URLs with credentials', async () => {
      const dns = fakeDns({ 'public.test': ['93.184.215.14'] });
      const sender = createHttpWebhookSender({ resolve: dns.resolve });
      for (const url of ['http://public.test/', 'ftp://public.test/', 'https://user:pw@public.test/', 'not a url']) {
        expect((await sender.send(message(url))).error?.kind, url).toBe('refused_address');
      }
    });
  });
});
