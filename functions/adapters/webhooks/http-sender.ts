/**
 * Delivers one signed webhook over HTTP(S) to a subscriber's URL, safely:
 *
 * - the host name is resolved first and every address it resolves to must pass the address policy
 *   (functions/domain/webhooks/address-policy.ts); the connection then goes to those very addresses
 *   through a `lookup` that answers from that result, so DNS cannot answer differently between the
 *   check and the connection (no DNS rebinding). TLS still verifies the certificate for the host name
 *   (SNI and Host are the URL's);
 * - `https` only; `http` only to loopback and only when the local setting allows loopback;
 * - no redirect is followed (a 3xx is a failed attempt like any non-2xx);
 * - at most `maxExcerptBytes` of the answer are read (then the connection is closed);
 * - one deadline covers resolving, connecting, sending and the answer's headers;
 * - every outcome is a structured AttemptResult, never an exception.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  type AddressPolicy,
  type AttemptErrorKind,
  type AttemptResult,
  type OutgoingWebhook,
  WebhookAddresses,
  type WebhookSender,
} from '../../domain/webhooks';
import { signWebhook } from './signing';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface HttpSenderOptions extends Partial<AddressPolicy> {
  /** Deadline of one attempt, from resolving to the answer's headers (default 10 s). */
  timeoutMs?: number;
  /** Most bytes of the answer read and kept (default 4 KiB). */
  maxExcerptBytes?: number;
  /** Resolves a host name to all its addresses (default: the system resolver, as getaddrinfo answers). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Extra trusted certificate authorities (tests with a local HTTPS receiver). */
  ca?: string | Buffer;
  userAgent?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_EXCERPT_BYTES = 4096;

class AttemptError extends Error {
  constructor(
    readonly kind: AttemptErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME']);

function kindOf(error: unknown): AttemptError {
  if (error instanceof AttemptError) return error;
  const e = error as NodeJS.ErrnoException;
  if (e?.code && DNS_CODES.has(e.code)) return new AttemptError('dns', `cannot resolve the host: ${e.code}`);
  return new AttemptError('connection', e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? error));
}

const systemResolve = async (hostname: string): Promise<ResolvedAddress[]> => dnsLookup(hostname, { all: true, verbatim: true });

/** The addresses the URL's host stands for, each checked; AttemptError when any is refused. */
async function resolveChecked(url: URL, policy: AddressPolicy, resolve: NonNullable<HttpSenderOptions['resolve']>) {
  const literal = WebhookAddresses.literalAddress(url.hostname);
  const addresses = literal ? [{ address: literal, family: literal.includes(':') ? 6 : 4 }] : await resolve(url.hostname);
  if (addresses.length === 0) throw new AttemptError('dns', `${url.hostname} resolves to no address`);
  let allLoopback = true;
  for (const { address } of addresses) {
    const verdict = WebhookAddresses.judgeAddress(address, policy);
    if (!verdict.allowed) throw new AttemptError('refused_address', `${url.hostname}: ${verdict.reason}`);
    allLoopback &&= verdict.loopback;
  }
  if (url.protocol === 'http:' && !(policy.allowLoopback && allLoopback)) {
    throw new AttemptError('refused_address', 'only https URLs are called (http only to loopback in local runs)');
  }
  return { literal, addresses };
}

/** A `lookup` for net.connect that answers from addresses already resolved and checked. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    const wanted = options?.family === 4 || options?.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (wanted.length === 0) return callback(Object.assign(new Error('no address of the requested family'), { code: 'ENOTFOUND' }));
    if (options?.all) return callback(null, wanted);
    return callback(null, wanted[0].address, wanted[0].family);
  }) as LookupFunction;
}

export function createHttpWebhookSender(options: HttpSenderOptions = {}): WebhookSender {
  const policy: AddressPolicy = { allowLoopback: options.allowLoopback ?? false };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxExcerpt = options.maxExcerptBytes ?? DEFAULT_MAX_EXCERPT_BYTES;
  const resolve = options.resolve ?? systemResolve;
  const userAgent = options.userAgent ?? 'crm-invoicing-webhooks/1';

  return {
    async send(message: OutgoingWebhook): Promise<AttemptResult> {
      const started = performance.now();
      let status: number | null = null;
      let excerpt = '';
      // One deadline for the whole attempt; each stage says what reaching it means for that stage.
      let timedOut = false;
      let onDeadline = () => {};
      const timeout = () => new AttemptError('timeout', `no answer within ${timeoutMs} ms`);
      const timer = setTimeout(() => {
        timedOut = true;
        onDeadline();
      }, timeoutMs);
      try {
        const url = parseUrl(message.url);
        const { literal, addresses } = await new Promise<Awaited<ReturnType<typeof resolveChecked>>>((done, fail) => {
          onDeadline = () => fail(timeout());
          resolveChecked(url, policy, resolve).then(done, fail);
        });
        if (timedOut) throw timeout();
        const body = Buffer.from(message.body, 'utf8');
        const headers = {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': userAgent,
          connection: 'close',
          ...signWebhook(message.webhookId, message.timestamp, message.body, message.secrets),
        };
        await new Promise<void>((done, fail) => {
          const request = (url.protocol === 'https:' ? https : http).request(
            {
              protocol: url.protocol,
              hostname: literal ?? url.hostname,
              port: url.port || undefined,
              path: `${url.pathname}${url.search}`,
              method: 'POST',
              headers,
              agent: false,
              lookup: pinnedLookup(addresses),
              ...(options.ca ? { ca: options.ca } : {}),
            },
            (response) => {
              status = response.statusCode ?? null;
              const chunks: Buffer[] = [];
              let size = 0;
              // The status is what counts: a body that is too long or never ends is cut, not waited for.
              const finish = () => {
                excerpt = Buffer.concat(chunks).subarray(0, maxExcerpt).toString('utf8');
                response.destroy();
                done();
              };
              onDeadline = finish;
              response.on('data', (chunk: Buffer) => {
                chunks.push(chunk);
                size += chunk.length;
                if (size >= maxExcerpt) finish();
              });
              response.on('end', finish);
              response.on('error', finish);
            },
          );
          onDeadline = () => {
            request.destroy();
            fail(timeout());
          };
          request.on('error', fail);
          request.end(body);
        });
        const ok = status !== null && status >= 200 && status < 300;
        return { status, durationMs: elapsedMs(started), responseExcerpt: excerpt, error: ok ? null : { kind: 'http_status', message: `answered ${status}` } };
      } catch (error) {
        const e = kindOf(error);
        return { status, durationMs: elapsedMs(started), responseExcerpt: excerpt, error: { kind: e.kind, message: e.message } };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

const elapsedMs = (started: number) => Math.round(performance.now() - started);

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AttemptError('refused_address', 'not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AttemptError('refused_address', `${url.protocol} URLs are not called`);
  if (url.username || url.password) throw new AttemptError('refused_address', 'URLs with credentials are not called');
  return url;
}
