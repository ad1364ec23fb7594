/**
 * The local stand-in for EventBridge Scheduler: every function of infra/functions.ts with a `rate(...)`
 * schedule is invoked on a timer, through the same handler module as in AWS (with `{}` as the event, as
 * the scheduler sends). A run never overlaps the previous run of the same function. `cron(...)` and
 * `at(...)` schedules are left to their own local runners.
 */
import { functions, type FunctionName } from '../functions';
import { invoke } from './handlers';

const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

/** Seconds between runs of a `rate(N unit)` expression; null for other expressions. */
export function rateSeconds(expression: string): number | null {
  const m = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  return m ? Number(m[1]) * UNIT_SECONDS[m[2]] : null;
}

export interface LocalScheduler {
  /** Runs finished so far, per function. */
  runs: Partial<Record<FunctionName, number>>;
  stop(): Promise<void>;
}

export function startLocalScheduler(options: { everySeconds?: number; onError?: (name: string, error: unknown) => void } = {}): LocalScheduler {
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();
  const runs: LocalScheduler['runs'] = {};
  for (const [name, spec] of Object.entries(functions) as [FunctionName, { schedule?: string }][]) {
    const seconds = spec.schedule ? rateSeconds(spec.schedule) : null;
    if (seconds === null) continue;
    const every = Math.min(seconds, options.everySeconds ?? seconds);
    const tick = () => {
      if (running.has(name)) return;
      const run = invoke(name, {})
        .then(() => void (runs[name] = (runs[name] ?? 0) + 1))
        .catch((error) => (options.onError ?? ((n, e) => console.error(`scheduled ${n} failed:`, e)))(name, error))
        .finally(() => running.delete(name));
      running.set(name, run);
    };
    const timer = setInterval(tick, every * 1000);
    timer.unref();
    timers.push(timer);
  }
  return {
    runs,
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all(running.values());
    },
  };
}
