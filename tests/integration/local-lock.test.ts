/**
 * The lock of `npm start`: a live stack keeps it; a dead one (a zombie: killed, not yet reaped, which
 * still answers kill(pid, 0)), a pid reused by another program, or a half-written file do not.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, isAlive, readLock } from '../../infra/local/lock';

const dir = mkdtempSync(join(tmpdir(), 'lock-'));
const children: number[] = [];
afterAll(() => {
  for (const pid of children)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  rmSync(dir, { recursive: true, force: true });
});

/** A zombie: `sh` starts a child that exits at once, then becomes `sleep` (which never reaps it). */
async function aZombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(parent.pid!);
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))));
  for (let i = 0; i < 100 && !/\) Z/.test(readStat(pid)); i++) await new Promise((r) => setTimeout(r, 20));
  return pid;
}

function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

describe.skipIf(process.platform !== 'linux')('the npm start lock', () => {
  it('tells a running stack from a zombie, a reused pid and a gone one', async () => {
    const zombie = await aZombie();
    expect(readStat(zombie)).toMatch(/\) Z/);
    expect(() => process.kill(zombie, 0)).not.toThrow(); // what the old check trusted

    expect(isAlive(zombie)).toBe(false);
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(process.pid, 'no-such-program')).toBe(false); // the pid now belongs to another program
    expect(isAlive(2 ** 22 + 1)).toBe(false);
  });

  it('is taken over from a dead holder (returned as stale, for cleanup) and refused while the holder runs', async () => {
    const file = join(dir, 'stack.pid');
    const zombie = await aZombie();
    writeFileSync(file, String(zombie)); // the older format: the pid alone

    const taken = acquireLock(file, { pid: process.pid }, '');
    expect(taken).toEqual({ acquired: true, stale: { pid: zombie } });
    expect(readLock(file)).toEqual({ pid: process.pid });

    // another process trying while we hold it (our own pid counts as another's here: we fake the holder)
    const holder = spawn('sleep', ['30']);
    children.push(holder.pid!);
    writeFileSync(file, JSON.stringify({ pid: holder.pid }));
    expect(acquireLock(file, { pid: process.pid }, 'sleep')).toEqual({ acquired: false, holder: { pid: holder.pid } });

    writeFileSync(file, '{"pid": 12'); // cut short by a crash
    expect(acquireLock(file, { pid: process.pid }, 'sleep')).toMatchObject({ acquired: true });
  });
});
