import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { busRules, type BusRule } from '../../events/rules';
import type { FunctionName } from '../functions';
import { JsonLines } from './durable';
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

/** Deliveries of one target running at once, unless configured: the render function's is smaller. */
export const DEFAULT_TARGET_CONCURRENCY = 10;
/**
 * Renders running at once: the render function's reserved concurrency proposed for AWS (Chromium is
 * the heaviest thing the service runs; a burst waits in the queue instead of sharing one browser 100 ways).
 */
export const DEFAULT_RENDER_CONCURRENCY = 3;

export interface LocalBusOptions {
  rules?: BusRule[];
  /** Deliveries per event and target, like EventBridge's retry policy for async Lambda targets. */
  maxAttempts?: number;
  retryDelayMs?: number;
  /**
   * Keep every accepted event in `<stateDir>/journal.jsonl` until its targets have run, and the dead
   * letters in `<stateDir>/dead-letters.jsonl`: a crash loses nothing, and a restart delivers what is
   * left. In memory when omitted.
   */
  stateDir?: string;
  /** Deliveries running at once per target (by function name; `*` for the others, else DEFAULT_TARGET_CONCURRENCY). */
  concurrency?: Partial<Record<string, number>>;
  /** Runs a target; the handler module declared in infra/functions.ts by default. */
  invoke?: (target: string, event: BusEnvelope) => Promise<unknown>;
  /** Called after each delivery attempt (a target may have written to the table: the stack wakes the poller). */
  onDelivered?: () => void;
  /** Extra fields for GET /status (the stack adds the stream poller's state). */
  status?: () => Record<string, unknown>;
}

interface Delivery {
  key: string;
  target: string;
  event: BusEnvelope;
  attempt: number;
}

type JournalEntry = { op: 'put'; key: string; target: string; event: BusEnvelope } | { op: 'done'; key: string };

export interface DeadLetter {
  event: BusEnvelope;
  target: string;
  error: string;
}

/**
 * The local EventBridge: it answers PutEvents (so the bus adapter runs unchanged) and routes each
 * event with the very rules in events/rules.ts to the target function, retrying failed deliveries
 * and parking what still fails in a dead-letter list, as the deployed rules' DLQs do.
 *
 * Accepted means kept: PutEvents answers only after the event and its targets are in the journal, and
 * a delivery leaves it only when its target has run (or was dead-lettered). Delivery is at least once
 * (a crash while a target runs delivers it again on restart), as EventBridge's; consumers dedupe by
 * eventId. Each target runs at most `concurrency[target]` deliveries at once; the rest wait in order.
 *
 * GET /status answers what is pending (for scripts and the crash test); GET /dead-letters lists them.
 */
export class LocalEventBus {
  readonly received: BusEnvelope[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private readonly pending = new Map<string, Delivery>();
  private readonly queues = new Map<string, { running: number; waiting: Delivery[] }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly journal?: JsonLines<JournalEntry>;
  private readonly deadLetterLog?: JsonLines<DeadLetter>;
  private doneSinceCompaction = 0;
  private failPutEvents = 0;
  private stopped = false;
  private server?: Server;
  url = '';
  private readonly rules: BusRule[];
  /** Deliveries that ran (attempts, successful or not), per target. */
  readonly attempts: Record<string, number> = {};
  /** The most deliveries of one target seen running at once. */
  readonly peakConcurrency: Record<string, number> = {};

  constructor(private readonly options: LocalBusOptions = {}) {
    this.rules = options.rules ?? busRules;
    if (options.stateDir) {
      this.journal = new JsonLines<JournalEntry>(join(options.stateDir, 'journal.jsonl'));
      this.deadLetterLog = new JsonLines<DeadLetter>(join(options.stateDir, 'dead-letters.jsonl'));
      this.deadLetters.push(...this.deadLetterLog.read());
    }
  }

  /** Fault injection: the next n PutEvents calls answer 500, as a throttled or failing bus would. */
  failNextPutEvents(n: number): void {
    this.failPutEvents = n;
  }

  /** Deliveries accepted and not yet run to the end (waiting, running or waiting to be retried). */
  get backlog(): number {
    return this.pending.size;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  concurrencyOf(target: string): number {
    return this.options.concurrency?.[target] ?? this.options.concurrency?.['*'] ?? DEFAULT_TARGET_CONCURRENCY;
  }

  status(): Record<string, unknown> {
    const queues = Object.fromEntries(
      [...this.queues].map(([target, q]) => [target, { running: q.running, waiting: q.waiting.length, limit: this.concurrencyOf(target) }]),
    );
    return { pending: this.pending.size, busy: this.busy, queues, deadLetters: this.deadLetters.length, ...this.options.status?.() };
  }

  async start(port: number): Promise<void> {
    this.resumeFromJournal();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/status') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.status()));
          return;
        }
        if (req.method === 'GET' && req.url === '/dead-letters') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ deadLetters: this.deadLetters }));
          return;
        }
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
        let ids: string[];
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: { Source: string; DetailType: string; Detail: string }[] };
          ids = this.putAll(body.Entries.map((entry) => ({ source: entry.Source, detailType: entry.DetailType, detail: JSON.parse(entry.Detail) })));
        } catch (error) {
          // Not kept (a malformed request, or the journal could not be written): the caller retries.
          res
            .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
            .end(JSON.stringify({ __type: 'InternalException', message: (error as Error).message }));
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ FailedEntryCount: 0, Entries: ids.map((id) => ({ EventId: id })) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Stops taking events and starting deliveries; what is pending stays in the journal for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise((r) => this.server?.close(r));
  }

  /** Accepts one event and routes it to every matching rule's target, asynchronously. */
  put(source: string, detailType: string, detail: Record<string, unknown>): string {
    return this.putAll([{ source, detailType, detail }])[0];
  }

  private putAll(entries: { source: string; detailType: string; detail: Record<string, unknown> }[]): string[] {
    const deliveries: Delivery[] = [];
    const ids = entries.map(({ source, detailType, detail }) => {
      const event: BusEnvelope = {
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
      this.received.push(event);
      for (const rule of this.rules) {
        if (matches(rule.pattern, event as unknown as Record<string, unknown>)) {
          deliveries.push({ key: `${event.id}/${rule.target}`, target: rule.target, event, attempt: 1 });
        }
      }
      return event.id;
    });
    // Written before PutEvents answers: an accepted event survives a crash.
    this.journal?.append(...deliveries.map((d): JournalEntry => ({ op: 'put', key: d.key, target: d.target, event: d.event })));
    for (const d of deliveries) this.enqueue(d);
    return ids;
  }

  /** What the journal holds without a `done`: delivered again (at least once), in the order accepted. */
  private resumeFromJournal(): void {
    if (!this.journal) return;
    const open = new Map<string, Extract<JournalEntry, { op: 'put' }>>();
    for (const entry of this.journal.read()) {
      if (entry.op === 'put') open.set(entry.key, entry);
      else open.delete(entry.key);
    }
    this.journal.rewrite([...open.values()]);
    if (open.size > 0) console.log(`[bus] ${open.size} deliveries accepted before the last stop are delivered now`);
    for (const entry of open.values()) this.enqueue({ key: entry.key, target: entry.target, event: entry.event, attempt: 1 });
  }

  private queue(target: string) {
    let q = this.queues.get(target);
    if (!q) this.queues.set(target, (q = { running: 0, waiting: [] }));
    return q;
  }

  private enqueue(delivery: Delivery): void {
    this.pending.set(delivery.key, delivery);
    this.queue(delivery.target).waiting.push(delivery);
    this.pump(delivery.target);
  }

  private pump(target: string): void {
    const q = this.queue(target);
    while (!this.stopped && q.running < this.concurrencyOf(target) && q.waiting.length > 0) {
      const delivery = q.waiting.shift()!;
      q.running++;
      this.peakConcurrency[target] = Math.max(this.peakConcurrency[target] ?? 0, q.running);
      void this.run(delivery).finally(() => {
        q.running--;
        this.pump(target);
      });
    }
  }

  private async run(delivery: Delivery): Promise<void> {
    const { event, target } = delivery;
    const attempts = this.options.maxAttempts ?? 3;
    this.attempts[target] = (this.attempts[target] ?? 0) + 1;
    let error: unknown;
    try {
      await (this.options.invoke ?? ((t, e) => invoke(t as FunctionName, e)))(target, event);
    } catch (e) {
      error = e ?? new Error('the target failed');
    }
    this.options.onDelivered?.();
    if (this.stopped) return; // left in the journal: the next start delivers it
    if (error === undefined) return this.finish(delivery);
    const message = (error as Error).message ?? String(error);
    if (delivery.attempt >= attempts) {
      const letter: DeadLetter = { event, target, error: message };
      this.deadLetters.push(letter);
      this.deadLetterLog?.append(letter);
      console.error(`[bus] ${event['detail-type']} -> ${target} failed ${attempts} times; parked in the dead-letter list:`, message);
      return this.finish(delivery);
    }
    // Retried later, without holding a slot of the target meanwhile.
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.pending.delete(delivery.key);
        this.enqueue({ ...delivery, attempt: delivery.attempt + 1 });
      },
      (this.options.retryDelayMs ?? 200) * delivery.attempt,
    );
    this.timers.add(timer);
  }

  private finish(delivery: Delivery): void {
    this.pending.delete(delivery.key);
    if (!this.journal) return;
    this.journal.append({ op: 'done', key: delivery.key });
    // Compaction: the journal only needs what is still pending.
    if (++this.doneSinceCompaction >= 500) {
      this.doneSinceCompaction = 0;
      this.journal.rewrite([...this.pending.values()].map((d): JournalEntry => ({ op: 'put', key: d.key, target: d.target, event: d.event })));
    }
  }
}
