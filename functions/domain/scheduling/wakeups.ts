/**
 * Wake-ups of sleeping automation runs (an action's `delay`): recorded when the run goes to sleep, fired by the
 * sweep when due. Firing resumes the run (delivery's `advance`, safe to call again: its steps are idempotent),
 * then marks the wake-up done; a crash in between resumes it once more, which does nothing twice.
 */
export interface Wakeup {
  tenantId: string;
  runId: string;
  stepIndex: number;
  at: string;
  status: 'pending' | 'done';
}

export interface WakeupStore {
  /** Records the wake-up (the same run and step: the same record). */
  schedule(wakeup: Omit<Wakeup, 'status'>): Promise<void>;
  /** Pending wake-ups at or before the instant, of every tenant. */
  due(atOrBefore: string): Promise<Wakeup[]>;
  done(wakeup: Wakeup): Promise<void>;
}

export interface WakeupPorts {
  wakeups: WakeupStore;
  resume: (tenantId: string, runId: string) => Promise<void>;
  now: () => Date;
}

export async function fireDue(ports: WakeupPorts): Promise<{ woken: string[]; failed: string[] }> {
  const out = { woken: [] as string[], failed: [] as string[] };
  for (const wakeup of await ports.wakeups.due(ports.now().toISOString())) {
    try {
      await ports.resume(wakeup.tenantId, wakeup.runId);
      await ports.wakeups.done(wakeup);
      out.woken.push(wakeup.runId);
    } catch {
      out.failed.push(wakeup.runId); // stays pending: the next sweep tries again
    }
  }
  return out;
}
