/**
 * The local stand-in of EventBridge Scheduler inside `npm start`: every function of infra/functions.ts with a
 * `schedule` is invoked at its rate (rate(N minutes|hours|days); a cron(...) expression runs hourly here), once
 * shortly after start and then on every tick, with the same empty event the AWS schedule sends. A run still
 * going when the next tick comes is not overlapped. `LOCAL_SCHEDULE_MS` overrides every period (tests, demos).
 */
import { functions, type FunctionName } from '../functions';
import { invoke } from './handlers';

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The period of a schedule expression, in ms (cron and at(...) fall back to an hour). */
export function periodOf(expression: string): number {
  const m = /^rate\((\d+)\s+(minute|hour|day)s?\)$/.exec(expression.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : UNIT_MS.hour;
}

export interface LocalScheduler {
  stop(): void;
}

export function startLocalScheduler(options: { periodMs?: number; firstRunMs?: number; log?: (line: string) => void } = {}): LocalScheduler {
  const timers: NodeJS.Timeout[] = [];
  const log = options.log ?? ((line: string) => console.log(line));
  for (const [name, spec] of Object.entries(functions) as [FunctionName, { schedule?: string }][]) {
    if (!spec.schedule) continue;
    let running = false;
    const run = async () => {
      if (running) return;
      running = true;
      try {
        const result = await invoke(name, {});
        log(`[scheduler] ${name}: ${JSON.stringify(result)}`);
      } catch (error) {
        log(`[scheduler] ${name} failed: ${(error as Error).message}`);
      } finally {
        running = false;
      }
    };
    const first = setTimeout(run, options.firstRunMs ?? 5_000);
    const every = setInterval(run, options.periodMs ?? periodOf(spec.schedule));
    first.unref();
    every.unref();
    timers.push(first, every);
  }
  return { stop: () => timers.forEach((t) => clearTimeout(t)) };
}
