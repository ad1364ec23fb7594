/**
 * The local stand-in for EventBridge Scheduler: every function of infra/functions.ts with a `schedule` is
 * invoked on a timer, through the same handler module as in AWS (with `{}` as the event, as the scheduler
 * sends): `rate(N minutes|hours|days)` at its rate, a `cron(...)` or `at(...)` expression hourly (its jobs are
 * idempotent per day, and `npm run jobs -- --date` runs them for a given day). Minute-level schedules run every
 * `everySeconds` at most (so a webhook retry due in 5 s is not kept waiting a minute), every schedule once
 * shortly after start, and a run never overlaps the previous run of the same function.
 */
import { functions, type FunctionName } from '../functions';
import { invoke } from './handlers';

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

/** Seconds between runs of a `rate(N unit)` expression; null for other expressions. */
export function rateSeconds(expression: string): number | null {
  const m = /^rate\((\d+)\s+(minute|hour|day)s?\)$/.exec(expression.trim());
  return m ? Number(m[1]) * UNIT_SECONDS[m[2]] : null;
}

export interface LocalScheduler {
  /** Runs finished so far, per function. */
  runs: Partial<Record<FunctionName, number>>;
  stop(): Promise<void>;
}

export interface LocalSchedulerOptions {
  /** The longest wait between runs of a minute-level schedule. */
  everySeconds?: number;
  /** Overrides every period (tests, demos). */
  periodMs?: number;
  /** The first run of each schedule after start (default 5 s). */
  firstRunMs?: number;
  log?: (line: string) => void;
}

export function startLocalScheduler(options: LocalSchedulerOptions = {}): LocalScheduler {
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();
  const runs: LocalScheduler['runs'] = {};
  const log = options.log ?? ((line: string) => console.error(line));
  for (const [name, spec] of Object.entries(functions) as [FunctionName, { schedule?: string }][]) {
    if (!spec.schedule) continue;
    const seconds = rateSeconds(spec.schedule) ?? UNIT_SECONDS.hour;
    const capped = seconds <= 60 && options.everySeconds ? Math.min(seconds, options.everySeconds) : seconds;
    const periodMs = options.periodMs ?? capped * 1000;
    const tick = () => {
      if (running.has(name)) return;
      const run = invoke(name, {})
        .then((result) => {
          runs[name] = (runs[name] ?? 0) + 1;
          if (process.env.LOG_LEVEL === 'DEBUG') log(`[scheduler] ${name}: ${JSON.stringify(result)}`);
        })
        .catch((error) => log(`[scheduler] ${name} failed: ${(error as Error).message}`))
        .finally(() => running.delete(name));
      running.set(name, run);
    };
    const first = setTimeout(tick, options.firstRunMs ?? 5_000);
    const every = setInterval(tick, periodMs);
    first.unref();
    every.unref();
    timers.push(first, every);
  }
  return {
    runs,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(running.values());
    },
  };
}
