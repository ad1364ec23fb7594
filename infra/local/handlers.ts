import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { functions, type FunctionName } from '../functions';

const root = resolve(import.meta.dirname, '../..');
const loaded = new Map<string, Promise<{ handler: (event: unknown, context: Context) => Promise<unknown> }>>();

/** Loads a function's handler module from infra/functions.ts, the same file CDK bundles. */
export function loadHandler(name: FunctionName) {
  const entry = functions[name].entry;
  if (!loaded.has(entry)) loaded.set(entry, import(pathToFileURL(resolve(root, entry)).href));
  return loaded.get(entry)!;
}

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(name: FunctionName): Context {
  const timeoutMs = ((functions[name] as { timeoutSeconds?: number }).timeoutSeconds ?? 29) * 1000;
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function invoke(name: FunctionName, event: unknown): Promise<unknown> {
  const mod = await loadHandler(name);
  return mod.handler(event, lambdaContext(name));
}
