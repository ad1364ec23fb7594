import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { functions, parseRoute, type FunctionName } from '../functions';
import { invoke } from './handlers';

interface CompiledRoute {
  routeKey: string;
  method: string;
  pattern: RegExp;
  names: string[];
  fn: FunctionName;
  literalSegments: number;
}

/** The routes of infra/functions.ts, most specific first (literal segments beat parameters). */
export function compileRoutes(): CompiledRoute[] {
  const compiled: CompiledRoute[] = [];
  for (const [fn, spec] of Object.entries(functions) as [FunctionName, { routes?: string[] }][]) {
    for (const routeKey of spec.routes ?? []) {
      const { method, path } = parseRoute(routeKey);
      const names: string[] = [];
      const source = path
        .split('/')
        .map((seg) => {
          const greedy = /^\{(\w+)\+\}$/.exec(seg);
          if (greedy) {
            names.push(greedy[1]);
            return '(.+)';
          }
          const m = /^\{(\w+)\}$/.exec(seg);
          if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(m[1]);
          return '([^/]+)';
        })
        .join('/');
      // a greedy path ({proxy+}) matches only what no other route does, as in API Gateway
      const literalSegments = /\{\w+\+\}/.test(path) ? -1 : path.split('/').length - names.length;
      compiled.push({ routeKey, method, pattern: new RegExp(`^${source}$`), names, fn, literalSegments });
    }
  }
  return compiled.sort((a, b) => b.literalSegments - a.literalSegments);
}

const TEXT_TYPES = /^(application\/(json|[a-z.+-]*\+json|x-www-form-urlencoded|xml)|text\/)/i;
const MAX_BODY = 10 * 1024 * 1024; // API Gateway's payload limit

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('payload too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * A local stand-in for API Gateway (HTTP API): turns requests into API Gateway v2 events and
 * calls the same handler modules that CDK deploys, routed by the same route declarations.
 * `onResponse` runs after each answer (the local stack wakes the stream poller: the call may have written).
 */
export async function startGateway(port: number, host = '127.0.0.1', options: { onResponse?: () => void } = {}): Promise<{ url: string; server: Server }> {
  const routes = compileRoutes();
  const server = createServer(async (req, res) => {
    if (options.onResponse) res.once('finish', options.onResponse);
    try {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const method = req.method ?? 'GET';
      const candidates = routes.filter((r) => r.pattern.test(url.pathname));
      const match = candidates.find((r) => r.method === method) ?? candidates.find((r) => r.method === 'ANY');
      if (!match) {
        const status = candidates.length ? 405 : 404;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: status === 404 ? 'Not Found' : 'Method Not Allowed' }));
        return;
      }
      const values = match.pattern.exec(url.pathname)!.slice(1);
      const body = await readBody(req);
      const contentType = String(req.headers['content-type'] ?? '');
      const isText = body.length === 0 || TEXT_TYPES.test(contentType);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = query[k] !== undefined ? `${query[k]},${v}` : v;
      const now = new Date();
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: match.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: Object.keys(query).length ? query : undefined,
        pathParameters: match.names.length ? Object.fromEntries(match.names.map((n, i) => [n, decodeURIComponent(values[i])])) : undefined,
        body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
        isBase64Encoded: !isText,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: match.routeKey,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
        },
      };
      const result = (await invoke(match.fn, event)) as APIGatewayProxyStructuredResultV2;
      const outHeaders: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
      if (result.cookies?.length) outHeaders['set-cookie'] = result.cookies;
      res.writeHead(result.statusCode ?? 200, outHeaders);
      res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      if (status === 500) console.error('[gateway] handler crashed:', error);
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: status === 413 ? 'Request Entity Too Large' : 'Internal Server Error' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { url: `http://${host}:${(server.address() as { port: number }).port}`, server };
}
