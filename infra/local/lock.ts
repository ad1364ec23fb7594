import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

/**
 * The lock of `npm start` (`.local/stack.pid`): one local stack per data directory. It records the
 * stack's pid and the DynamoDB Local JVM's, so that a start after a crash can tell a live stack from
 * a dead one and clean up what the dead one left.
 */
export interface LockInfo {
  pid: number;
  /** The DynamoDB Local JVM started by that stack (it holds the database files). */
  dynamodbPid?: number;
  startedAt?: string;
}

/** /proc/<pid>/<file>, or undefined where there is no /proc (macOS) or no such process. */
function proc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a live process whose command line contains `commandIncludes`. A zombie (dead but not
 * yet reaped by its parent, as after a SIGKILL whose parent is gone too) answers kill(pid, 0) and is not
 * alive; nor is a live process that reused the pid for another program.
 */
export function isAlive(pid: number, commandIncludes?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = proc(pid, 'stat');
  if (stat === undefined) return existsSync('/proc/self') ? false : true;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return false;
  if (commandIncludes) {
    const cmdline = proc(pid, 'cmdline');
    if (cmdline !== undefined && !cmdline.replace(/\0/g, ' ').includes(commandIncludes)) return false;
  }
  return true;
}

export function readLock(file: string): LockInfo | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8').trim();
  if (/^\d+$/.test(text)) return { pid: Number(text) }; // the older format: the pid alone
  try {
    return JSON.parse(text) as LockInfo;
  } catch {
    return undefined;
  }
}

export type LockResult = { acquired: true; stale?: LockInfo } | { acquired: false; holder: LockInfo };

/**
 * Takes the lock (an exclusive create, so two starts at the same moment cannot both win). A lock left by
 * a process that is no longer a running stack is taken over and returned as `stale`, so the caller can
 * clean up after it.
 */
export function acquireLock(file: string, info: LockInfo, commandIncludes: string): LockResult {
  let stale: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify(info));
      } finally {
        closeSync(fd);
      }
      return { acquired: true, stale };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(file);
    if (holder && holder.pid !== process.pid && isAlive(holder.pid, commandIncludes)) return { acquired: false, holder };
    stale = holder ?? stale;
    rmSync(file, { force: true });
  }
  throw new Error(`could not take the lock ${file}`);
}

/** Updates the lock's content (it is ours). */
export function updateLock(file: string, info: LockInfo): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, JSON.stringify(info));
  } finally {
    closeSync(fd);
  }
}

/** Kills what a crashed stack left running (its DynamoDB Local JVM holds the database files) and waits for it to end. */
export async function killLeftovers(stale: LockInfo): Promise<number[]> {
  const killed: number[] = [];
  if (stale.dynamodbPid && isAlive(stale.dynamodbPid, 'DynamoDBLocal')) {
    process.kill(stale.dynamodbPid, 'SIGKILL');
    killed.push(stale.dynamodbPid);
    const deadline = Date.now() + 5000;
    while (isAlive(stale.dynamodbPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  return killed;
}
