import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { busRules, type BusRule } from '../../events/rules';
import type { FunctionName } from '../functions';
import { invoke } from './handlers';

export interface BusEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** EventBridge's matching for the pattern forms our rules use: exact values, per field, nested. */
export function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) return expected.some((v) => (Array.isArray(actual) ? actual.includes(v) : actual === v));
    if (expected && typeof expected === 'object') {
      return actual !== null && typeof actual === 'object' && matches(expected as Record<string, unknown>, actual as Record<string, unknown>);
    }
    return false;
  });
}

export interface LocalBusOptions {
  rules?: BusRule[];
  /** Deliveries per event and target, like EventBridge's retry policy for async Lambda targets. */
  maxAttempts?: number;
  retryDelayMs?: number;
}

/**
 * The local EventBridge: it answers PutEvents (so the bus adapter runs unchanged) and routes each
 * event with the very rules in events/rules.ts to the target function, retrying failed deliveries
 * and parking what still fails in a dead-letter list, as the deployed rules' DLQs do.
 */
export class LocalEventBus {
  readonly received: BusEnvelope[] = [];
  readonly deadLetters: { event: BusEnvelope; target: string; error: string }[] = [];
  private inFlight = 0;
  private failPutEvents = 0;
  private server?: Server;
  url = '';
  private readonly rules: BusRule[];

  constructor(private readonly options: LocalBusOptions = {}) {
    this.rules = options.rules ?? busRules;
  }

  /** Fault injection: the next n PutEvents calls answer 500, as a throttled or failing bus would. */
  failNextPutEvents(n: number): void {
    this.failPutEvents = n;
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  async start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (target !== 'AWSEvents.PutEvents') {
          res
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
            .end(JSON.stringify({ __type: 'UnknownOperationException', message: `${target} is not emulated` }));
          return;
        }
        if (this.failPutEvents > 0) {
          this.failPutEvents--;
          res
            .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
            .end(JSON.stringify({ __type: 'InternalException', message: 'injected failure' }));
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: { Source: string; DetailType: string; Detail: string }[] };
        const entries = body.Entries.map((entry) => this.put(entry.Source, entry.DetailType, JSON.parse(entry.Detail)));
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((id) => ({ EventId: id })) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  /** Accepts one event and routes it to every matching rule's target, asynchronously. */
  put(source: string, detailType: string, detail: Record<string, unknown>): string {
    const envelope: BusEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: '000000000000',
      time: new Date().toISOString(),
      region: process.env.AWS_REGION ?? 'eu-west-1',
      resources: [],
      detail,
    };
    this.received.push(envelope);
    for (const rule of this.rules) {
      if (matches(rule.pattern, envelope as unknown as Record<string, unknown>)) void this.deliver(envelope, rule.target as FunctionName);
    }
    return envelope.id;
  }

  private async deliver(event: BusEnvelope, target: FunctionName): Promise<void> {
    this.inFlight++;
    try {
      const attempts = this.options.maxAttempts ?? 3;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          await invoke(target, event);
          return;
        } catch (error) {
          if (attempt === attempts) {
            this.deadLetters.push({ event, target, error: (error as Error).message });
            console.error(`[bus] ${event['detail-type']} -> ${target} failed ${attempts} times; parked in the dead-letter list:`, (error as Error).message);
          } else {
            await new Promise((r) => setTimeout(r, (this.options.retryDelayMs ?? 200) * attempt));
          }
        }
      }
    } finally {
      this.inFlight--;
    }
  }
}
