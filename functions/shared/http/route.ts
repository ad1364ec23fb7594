import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Actor } from '../../domain/kernel';
import type { Permission, Role } from '../../domain/tenancy';

export interface Caller {
  tenantId: string;
  userId: string;
  role: Role;
  keyId: string;
}

/** The caller of an API request as the actor of a domain command. */
export const callerActor = (caller: Caller): Actor => ({ type: 'user', id: caller.userId });

export interface RequestContext<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  headers: Record<string, string | undefined>;
  caller: Caller;
  requestId: string;
  /** The If-Match header as a version number, when given. */
  ifMatch?: number;
  sourceIp?: string;
  userAgent?: string;
  event: APIGatewayProxyEventV2;
}

/** What a route handler may return instead of a JSON body: a full response (redirect, HTML, PDF). */
export class RawResponse {
  constructor(readonly response: APIGatewayProxyStructuredResultV2) {}
}

/** Seals an answer before the Idempotency-Key store keeps it, and opens it for a replay. */
export interface AnswerSeal {
  seal(tenantId: string, answer: APIGatewayProxyStructuredResultV2): Promise<unknown>;
  open(tenantId: string, stored: unknown): Promise<APIGatewayProxyStructuredResultV2>;
}

export interface RouteDef<B = unknown, Q = unknown> {
  summary: string;
  /** `public` routes need no API key (the public links); all others name a permission. */
  permission: Permission | 'public';
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  response?: z.ZodType;
  /** HTTP status of a successful answer (default 200). */
  status?: number;
  /** Largest accepted body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /**
   * false: the Idempotency-Key header is not honoured. An AnswerSeal (`sealedAnswer`, shared/http/sealed-answer.ts):
   * honoured, the stored answer sealed with the tenant secrets cipher (it carries a secret shown once).
   */
  idempotent?: false | AnswerSeal;
  /**
   * The Idempotency-Key is honoured only for bodies up to this many bytes (a stored answer must fit one
   * DynamoDB item); a larger request runs without it. For routes idempotent by themselves (a bank statement
   * import remembers every row), so a replayed large request is still safe.
   */
  idempotentUpToBytes?: number;
  /**
   * The route also takes a plain-text body of this media type (e.g. 'text/csv'): it is validated as the JSON
   * body `{ [field]: <the text> }` would be.
   */
  textBody?: { mediaType: string; field: string };
  /** Extra documented error statuses, besides those every route may answer. */
  errors?: number[];
  handler: (ctx: RequestContext<B, Q>) => Promise<unknown>;
}

/** Declares a route with its schemas; the types of body and query follow from them. */
export function route<B = undefined, Q = Record<string, string | undefined>>(def: RouteDef<B, Q>): RouteDef<B, Q> {
  return def;
}

/**
 * A function's routes, each with its own body and query types. A route's handler takes its own context, so a
 * map of routes of different types can only be typed with `any` here (function parameters are contravariant);
 * `route()` checks each one where it is declared.
 */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous registry of routes, each typed where declared (see above)
export type Routes = Record<string, RouteDef<any, any>>;

/**
 * Attaches their response schemas to routes: what the OpenAPI document says a route answers (no answer is
 * checked against it at run time). Called in a statement labelled `DOCS:`, which the functions' bundles drop
 * (esbuild --drop-labels=DOCS, infra/constructs/app-function.ts): a function then bundles and builds no schema
 * it only documents. Tests and the OpenAPI generator run the sources, where the statement runs.
 */
export function documentResponses(routes: Routes, responses: Record<string, z.ZodType>): void {
  for (const [key, schema] of Object.entries(responses)) {
    const def = routes[key];
    if (!def) throw new Error(`documentResponses: no route ${key}`);
    def.response = schema;
  }
}
