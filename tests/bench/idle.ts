/**
 * What the local stack costs when nobody uses it: CPU of this process (the stream poller's loop) and of
 * DynamoDB Local's JVM (answering the polls), as % of one core over a window, for
 *  - baseline: no poller at all (DynamoDB Local idling on its own);
 *  - the former poller: DescribeStream + GetRecords every 50 ms, whatever happens;
 *  - the poller as configured now: backs off to one poll a second when idle, woken by the gateway and bus.
 * Runs last: it stops the stack's own poller.
 */
import { readFileSync } from 'node:fs';
import { StreamPoller, type StreamPollerOptions } from '../../infra/local/stream-poller';
import type { BenchContext } from './run';

function jvmTicks(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 per second on Linux)
  } catch {
    return undefined;
  }
}

async function window(ctx: BenchContext, ms: number): Promise<{ node: number; jvm: number | undefined }> {
  const cpu0 = process.cpuUsage();
  const jvm0 = jvmTicks(ctx.stack.dynamodbPid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const jvm1 = jvmTicks(ctx.stack.dynamodbPid);
  return {
    node: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
    jvm: jvm0 !== undefined && jvm1 !== undefined ? (((jvm1 - jvm0) * 10) / elapsed) * 100 : undefined,
  };
}

export async function run(ctx: BenchContext): Promise<string> {
  const ms = ctx.quick ? 5000 : 15_000;
  await ctx.stack.settle(120_000);
  await ctx.stack.poller.stop();
  const endpoint = ctx.stack.endpoints.dynamodb;
  const measureWith = async (options?: StreamPollerOptions) => {
    if (!options) return window(ctx, ms);
    // a poller of its own from the stream's start: let it catch up, then measure it idle
    const poller = new StreamPoller(endpoint, ctx.stack.tableName, { handler: async () => ({ batchItemFailures: [] }), ...options });
    poller.start();
    for (let i = 0; i < 600 && !poller.idle; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2500)); // past the back-off's ramp
    const result = await window(ctx, ms);
    await poller.stop();
    return { ...result, rounds: poller.rounds };
  };
  const none = await measureWith();
  // the current poller before the former one: the JVM's work for a busy poller lingers a little (GC, JIT)
  const now = await measureWith({});
  const former = await measureWith({ minIntervalMs: 50, maxIntervalMs: 50, shardRefreshMs: 0 });
  const pct = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(1)} %`);
  const total = (r: { node: number; jvm: number | undefined }) => r.node + (r.jvm ?? 0);
  const over = (r: { node: number; jvm: number | undefined }) => total(r) - total(none);
  const lines = [
    `\n## Idle cost of the local stack (CPU, % of one core, over ${ms / 1000} s idle)`,
    '| what | this process | DynamoDB Local (JVM) | above no poller | ratio vs the former poller |',
    '|---|---|---|---|---|',
    `| baseline: no poller | ${pct(none.node)} | ${pct(none.jvm)} | 0 | |`,
    `| the former poller (every 50 ms) | ${pct(former.node)} | ${pct(former.jvm)} | ${pct(over(former))} | baseline |`,
    `| the poller now (back-off to 1 s, woken on writes) | ${pct(now.node)} | ${pct(now.jvm)} | ${pct(over(now))} | ${(over(now) / Math.max(0.01, over(former))).toFixed(2)}x |`,
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}
