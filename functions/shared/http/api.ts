import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { Forbidden, InvalidInput, PayloadTooLarge, Unauthenticated } from '../../domain/kernel';
import { Permissions } from '../../domain/tenancy';
import { logger } from '../logger';
import { toProblem } from './problem';
import { RawResponse, type Caller, type RouteDef, type Routes } from './route';
import { parseWith } from './validation';
import type { IdempotentRunner } from '../../adapters/dynamo/idempotency';

export interface HttpDeps {
  /** Resolves a bearer token to its tenant, user and role, or throws Unauthenticated. */
  authenticate(token: string): Promise<Caller>;
  idempotent: IdempotentRunner;
}

const DEFAULT_MAX_BODY = 64 * 1024;

/** application/json, or a +json type (application/merge-patch+json). */
const isJson = (contentType: string) => /^application\/([a-z.+-]*\+)?json\b/i.test(contentType);

function lowerCaseHeaders(headers: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function parseBody(event: APIGatewayProxyEventV2, def: RouteDef): unknown {
  if (!def.body) return undefined;
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw) > (def.maxBodyBytes ?? DEFAULT_MAX_BODY)) {
    throw new PayloadTooLarge(`the body is larger than ${def.maxBodyBytes ?? DEFAULT_MAX_BODY} bytes`, [{ field: 'body', message: 'too large' }]);
  }
  const contentType = lowerCaseHeaders(event.headers)['content-type'] ?? '';
  if (def.textBody && contentType.toLowerCase().startsWith(def.textBody.mediaType)) {
    return parseWith(def.body, { [def.textBody.field]: raw });
  }
  if (raw && contentType && !isJson(contentType)) {
    if (/^application\/x-www-form-urlencoded/i.test(contentType) && def.permission === 'public') {
      return Object.fromEntries(new URLSearchParams(raw));
    }
    throw new InvalidInput('the body must be JSON', [{ field: 'content-type', message: 'expected application/json' }]);
  }
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : undefined;
  } catch (e) {
    throw new InvalidInput(`the body is not valid JSON: ${(e as Error).message}`, [{ field: 'body', message: 'malformed JSON' }]);
  }
  if (json === undefined) {
    // a POST action with no body at all: what an empty object would be, when every field is optional
    // (POST .../documents, .../send). Never a PUT or a PATCH: an empty one is a mistake, not "change nothing"
    const empty = event.requestContext.http.method === 'POST' ? def.body.safeParse({}) : undefined;
    if (empty?.success) return empty.data;
    throw new InvalidInput('a JSON body is required', [{ field: 'body', message: 'required' }]);
  }
  return parseWith(def.body, json);
}

/** A 401 that says what is wrong with the Authorization header, and how it should look. */
function missingBearer(authorization: string): Unauthenticated {
  const field = [{ field: 'Authorization', message: 'expected "Bearer <api key>"' }];
  if (!authorization) return new Unauthenticated('an API key is required: send the header Authorization: Bearer <api key>', field);
  if (/^crm_/i.test(authorization) || !/\s/.test(authorization)) {
    return new Unauthenticated(
      'the Authorization header lacks the "Bearer " prefix: send Authorization: Bearer <api key> (the word Bearer, a space, then the key)',
      [{ field: 'Authorization', message: 'missing the "Bearer " prefix before the key' }],
    );
  }
  return new Unauthenticated('the Authorization header must be "Bearer <api key>" (the word Bearer, a space, then the key)', field);
}

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInput('If-Match must be a version number', [{ field: 'If-Match', message: 'expected a positive integer' }]);
  return n;
}

function toResponse(def: RouteDef, result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result instanceof RawResponse) return result.response;
  const status = def.status ?? 200;
  if (status === 204) return { statusCode: 204 };
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
}

/**
 * Every answer, success or problem: never cached by a browser or a proxy unless the route says otherwise (API
 * answers hold tenant data), and never content-sniffed into something other than its declared type.
 * Registered first, so that it runs last, after the error handler has made the problem+json answer.
 */
function secureHeaders(request: { response?: APIGatewayProxyStructuredResultV2 | null }): void {
  const response = request.response;
  if (!response) return;
  const headers = { ...(response.headers ?? {}) };
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (!has('cache-control')) headers['cache-control'] = 'no-store';
  if (!has('x-content-type-options')) headers['x-content-type-options'] = 'nosniff';
  response.headers = headers;
}

/**
 * One Lambda serves a group of routes (API Gateway's routeKey picks the route). Every request is
 * authenticated, authorized by the permission table, validated by the route's schemas and, for
 * POSTs with an Idempotency-Key, made idempotent; errors become problem+json in one place.
 */
export function httpApi(routes: Routes, deps: () => HttpDeps) {
  async function dispatch(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    const def = routes[event.routeKey];
    if (!def) throw new Error(`no route for ${event.routeKey}`);
    const headers = lowerCaseHeaders(event.headers);
    let caller: Caller = { tenantId: '', userId: '', role: 'viewer', keyId: '' };
    if (def.permission !== 'public') {
      const authorization = headers.authorization?.trim() ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (!token) throw missingBearer(authorization);
      caller = await deps().authenticate(token);
      logger.appendKeys({ tenantId: caller.tenantId, userId: caller.userId });
      if (!Permissions.can(caller.role, def.permission)) {
        throw new Forbidden(`the role ${caller.role} may not ${def.permission.replace(':', ' ')}`);
      }
    }
    const body = parseBody(event, def);
    const query = def.query ? parseWith(def.query, event.queryStringParameters ?? {}, 'query') : (event.queryStringParameters ?? {});
    const ctx = {
      body,
      query,
      params: (event.pathParameters ?? {}) as Record<string, string>,
      headers,
      caller,
      requestId: event.requestContext.requestId,
      ifMatch: parseIfMatch(headers['if-match']),
      sourceIp: event.requestContext.http.sourceIp,
      userAgent: event.requestContext.http.userAgent,
      event,
    };
    const idempotencyKey = headers['idempotency-key'];
    const keyed = def.idempotent !== false && (def.idempotentUpToBytes === undefined || Buffer.byteLength(event.body ?? '') <= def.idempotentUpToBytes);
    // a public route (the token in its path is the credential) honours the key for JSON clients; a browser's form
    // post sends none, and its answers (pages, redirects) name the token, which the store must never keep
    const publicJson = def.permission === 'public' && isJson(headers['content-type'] ?? '');
    if (event.requestContext.http.method === 'POST' && idempotencyKey && (def.permission !== 'public' || publicJson) && keyed) {
      if (idempotencyKey.length > 255) throw new InvalidInput('Idempotency-Key is too long', [{ field: 'Idempotency-Key', message: 'at most 255 characters' }]);
      const seal = def.idempotent || undefined;
      let fresh: APIGatewayProxyStructuredResultV2 | undefined;
      const stored = await deps().idempotent(
        { scope: `${caller.tenantId || 'public'} ${event.routeKey} ${event.rawPath}`, key: idempotencyKey, payload: body ?? null },
        async () => {
          const sealed = seal ? await seal.prepare(caller.tenantId) : null; // before the handler writes anything
          fresh = toResponse(def, await def.handler(ctx));
          return sealed ? sealed(fresh) : fresh;
        },
        context,
      );
      // a replay answers the stored answer (opened when sealed)
      return fresh ?? (seal ? seal.open(caller.tenantId, stored) : (stored as APIGatewayProxyStructuredResultV2));
    }
    return toResponse(def, await def.handler(ctx));
  }

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use({ after: secureHeaders, onError: secureHeaders })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        const headers = lowerCaseHeaders(request.event.headers);
        logger.appendKeys({
          requestId: request.event.requestContext?.requestId,
          correlationId: headers['x-correlation-id'] ?? request.event.requestContext?.requestId,
          route: request.event.routeKey,
        });
      },
      after: (request) => {
        logger.info('request', { status: request.response?.statusCode });
      },
      onError: (request) => {
        request.response = toProblem(request.error);
        logger.info('request', { status: request.response.statusCode });
      },
    })
    .handler(dispatch);
}
