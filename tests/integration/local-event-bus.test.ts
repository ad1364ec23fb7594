/**
 * The local EventBridge: an accepted event is kept (journal on disk) until its targets have run, so a
 * crash between PutEvents and delivery, or while a target runs, loses nothing; each target runs at
 * most its configured number of deliveries at once. Events arrive through the real EventBridge client
 * (PutEvents over HTTP); the targets are recording stand-ins: the bus is what is under test.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusRule } from '../../events/rules';
import { LocalEventBus, type BusEnvelope, type LocalBusOptions } from '../../infra/local/event-bus';
import { freePort } from '../../infra/local/ports';
import { localBusConcurrency } from '../../infra/local/stack';
import { eventually } from '../fixtures/outbox';

const rules: BusRule[] = [
  { name: 'things-to-slow', description: 'test', pattern: { source: ['test'], 'detail-type': ['thing.happened'] }, target: 'slow' },
  { name: 'things-to-audit', description: 'test', pattern: { source: ['test'], 'detail-type': ['thing.happened'] }, target: 'audit' },
];
const dirs: string[] = [];
const buses: LocalEventBus[] = [];

afterAll(async () => {
  await Promise.all(buses.map((b) => b.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function aStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bus-'));
  dirs.push(dir);
  return dir;
}

async function aBus(options: LocalBusOptions): Promise<{ bus: LocalEventBus; client: EventBridgeClient }> {
  const bus = new LocalEventBus({ rules, retryDelayMs: 1, ...options });
  buses.push(bus);
  await bus.start(await freePort());
  const client = new EventBridgeClient({ endpoint: bus.url, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  return { bus, client };
}

const putThings = (client: EventBridgeClient, n: number, from = 0) =>
  client.send(
    new PutEventsCommand({
      Entries: Array.from({ length: n }, (_, i) => ({ Source: 'test', DetailType: 'thing.happened', Detail: JSON.stringify({ n: from + i }) })),
    }),
  );

/** A target stand-in that records what ran; `gate` holds deliveries until released. */
function targets(options: { hang?: string; fail?: string } = {}) {
  const ran: { target: string; n: number }[] = [];
  let running = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  const invoke = async (target: string, event: BusEnvelope) => {
    if (target === options.hang) return new Promise(() => undefined); // a crash while it runs: never finishes
    if (target === options.fail) throw new Error('target down');
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((r) => gates.push(r));
    running--;
    ran.push({ target, n: event.detail.n as number });
  };
  return { ran, invoke, gates, peak: () => peak, running: () => running };
}

describe('the local event bus', () => {
  it('keeps accepted events until their targets have run: after a crash, the next start delivers every one, once more at most', async () => {
    // Prepare: a bus whose `slow` target never finishes (the process dies while it runs)
    const stateDir = aStateDir();
    const crashed = targets({ hang: 'slow' });
    const { bus, client } = await aBus({ stateDir, invoke: crashed.invoke });
    await putThings(client, 5);
    await eventually(async () => crashed.gates.length === 5, 'the audit deliveries to start');
    crashed.gates.forEach((release) => release());
    await eventually(async () => crashed.ran.length === 5, 'the audit deliveries');
    await bus.stop(); // the crash: `slow` never finished
    appendFileSync(join(stateDir, 'journal.jsonl'), '{"op":"put","key":"torn'); // a line cut short by the kill

    // Act: the next start on the same journal
    const after = targets();
    const restarted = await aBus({ stateDir, invoke: after.invoke });
    await eventually(async () => after.gates.length === 5, 'the redeliveries');
    after.gates.forEach((release) => release());
    await eventually(async () => !restarted.bus.busy, 'the bus to finish');
    await restarted.bus.stop();
    const third = targets();
    const again = await aBus({ stateDir, invoke: third.invoke });

    // Assess: `slow` got each event once after the restart, `audit` (done before the crash) nothing again
    expect(after.ran.map((r) => `${r.target}:${r.n}`).sort()).toEqual([0, 1, 2, 3, 4].map((n) => `slow:${n}`));
    expect(again.bus.backlog).toBe(0);
    expect(third.gates).toHaveLength(0);
  });

  it('runs at most `concurrency` deliveries of a target at once; the rest wait in order and all run', async () => {
    // Prepare
    const t = targets();
    const { bus, client } = await aBus({ invoke: t.invoke, concurrency: { slow: 2, audit: 1 } });

    // Act: a burst of 12 events
    await putThings(client, 12);
    await eventually(async () => t.gates.length === 3, 'the first deliveries');

    // Assess: 2 slow + 1 audit running, 21 waiting; then release them one by one
    expect(bus.status()).toMatchObject({ pending: 24, queues: { slow: { running: 2, waiting: 10, limit: 2 }, audit: { running: 1, waiting: 11, limit: 1 } } });
    while (t.ran.length < 24) {
      await eventually(async () => t.gates.length > 0, 'a running delivery');
      t.gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(bus.peakConcurrency).toEqual({ slow: 2, audit: 1 });
    expect(t.ran.filter((r) => r.target === 'slow').map((r) => r.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(bus.busy).toBe(false);
  });

  it('retries a failing target, then parks the event in the dead-letter list, which survives a restart', async () => {
    const stateDir = aStateDir();
    const t = targets({ fail: 'audit' });
    const { bus, client } = await aBus({ stateDir, invoke: t.invoke, maxAttempts: 3 });
    await putThings(client, 1);
    await eventually(async () => t.gates.length === 1, 'the slow delivery');
    t.gates[0]();
    await eventually(async () => !bus.busy, 'the retries');
    expect(bus.attempts).toEqual({ slow: 1, audit: 3 });
    await bus.stop();

    const restarted = await aBus({ stateDir, invoke: targets().invoke });
    expect(restarted.bus.deadLetters).toMatchObject([{ target: 'audit', error: 'target down', event: { detail: { n: 0 } } }]);
    expect(restarted.bus.backlog).toBe(0);
    const res = await fetch(`${restarted.bus.url}/dead-letters`);
    expect((await res.json()).deadLetters).toHaveLength(1);
  });

  it('reads its concurrency settings from the environment and refuses a bad value', () => {
    expect(localBusConcurrency({})).toEqual({ renderDocument: 3, '*': 10 });
    expect(localBusConcurrency({ LOCAL_RENDER_CONCURRENCY: '2', LOCAL_BUS_CONCURRENCY: '4' })).toEqual({ renderDocument: 2, '*': 4 });
    expect(() => localBusConcurrency({ LOCAL_RENDER_CONCURRENCY: '0' })).toThrow(/LOCAL_RENDER_CONCURRENCY/);
    expect(() => localBusConcurrency({ LOCAL_RENDER_CONCURRENCY: 'two' })).toThrow(/LOCAL_RENDER_CONCURRENCY/);
  });
});
