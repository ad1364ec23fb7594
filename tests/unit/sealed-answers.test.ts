/**
 * The HTTP stack's Idempotency-Key with a sealed answer (route `idempotent: AnswerSeal`), against an in-memory
 * store that behaves as Powertools' does (runs once per key, replays what the function returned): the store
 * keeps only the sealed form, the first answer is never opened, a replay opens the stored one.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { httpApi } from '../../functions/shared/http/api';
import { type AnswerSeal, route } from '../../functions/shared/http/route';
import type { IdempotentRunner } from '../../functions/adapters/dynamo/idempotency';
import { logger } from '../../functions/shared/logger';

logger.setLogLevel('SILENT');

function memoryStore() {
  const kept = new Map<string, unknown>();
  const runner: IdempotentRunner = async <R>(request: { scope: string; key: string }, fn: () => Promise<R>) => {
    const id = `${request.scope}|${request.key}`;
    if (kept.has(id)) return kept.get(id) as R;
    const result = await fn();
    kept.set(id, JSON.parse(JSON.stringify(result)));
    return result;
  };
  return { kept, runner };
}

function event(routeKey: string, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const [method, rawPath] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { authorization: 'Bearer crm_test', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'req', http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2;
}

describe('a route whose stored answer is sealed', () => {
  it('stores only the sealed answer, answers the first request without opening it, and opens it for a replay', async () => {
    const calls = { handler: 0, seal: 0, open: [] as unknown[] };
    const seal: AnswerSeal = {
      async seal(tenantId, answer) {
        calls.seal++;
        return { sealedFor: tenantId, box: Buffer.from(JSON.stringify(answer)).toString('base64') };
      },
      async open(tenantId, stored) {
        calls.open.push(stored);
        const { sealedFor, box } = stored as { sealedFor: string; box: string };
        expect(sealedFor).toBe(tenantId);
        return JSON.parse(Buffer.from(box, 'base64').toString());
      },
    };
    const routes = {
      'POST /v1/things': route({
        summary: 'a thing with a secret',
        permission: 'apiKeys:write',
        idempotent: seal,
        body: z.strictObject({ name: z.string() }),
        status: 201,
        handler: async ({ body }) => ({ name: body.name, secret: `s3cret-${++calls.handler}` }),
      }),
    };
    const store = memoryStore();
    const handler = httpApi(routes, () => ({
      authenticate: async () => ({ tenantId: 'ten_a', userId: 'usr_a', role: 'admin', keyId: 'key_a' }),
      idempotent: store.runner,
    }));
    const call = (headers?: Record<string, string>) => handler(event('POST /v1/things', { name: 'x' }, headers), {} as Context);

    const first = await call({ 'idempotency-key': 'k1' });
    expect(first.statusCode).toBe(201);
    expect(JSON.parse(first.body!)).toEqual({ name: 'x', secret: 's3cret-1' });
    expect(calls.open).toEqual([]);
    expect(JSON.stringify([...store.kept.values()])).not.toContain('s3cret-1');

    const replay = await call({ 'idempotency-key': 'k1' });
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(calls).toMatchObject({ handler: 1, seal: 1 });
    expect(calls.open).toHaveLength(1);

    // without a key: neither stored nor sealed
    const plain = await call();
    expect(JSON.parse(plain.body!).secret).toBe('s3cret-2');
    expect(calls.seal).toBe(1);
    expect(store.kept.size).toBe(1);
  });
});
