import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isPortInUse } from '../../infra/local/ports';

const root = resolve(import.meta.dirname, '../..');

function startStack(localDir: string, port: number): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, LOCAL_DIR: localDir, PORT: String(port), LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function waitForFile(file: string, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`npm start did not write ${file}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every child is gone: the stack file is removed and no port of the stack answers. */
async function stopped(stackFile: string, info: { apiUrl: string; endpoints: Record<string, string> }) {
  const deadline = Date.now() + 20_000;
  while (existsSync(stackFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(existsSync(stackFile)).toBe(false);
  for (const url of [info.apiUrl, ...Object.values(info.endpoints)]) {
    expect(await isPortInUse(Number(new URL(url).port))).toBe(false);
  }
}

describe('npm start, as a user runs it', () => {
  const localDir = mkdtempSync(join(tmpdir(), 'crm-local-'));
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const c of started)
      if (c.exitCode === null)
        try {
          process.kill(-c.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
    rmSync(localDir, { recursive: true, force: true });
  });

  it('comes up, answers /health and an authenticated list, refuses a second start, keeps data across restarts and stops on Ctrl-C', async () => {
    // Prepare
    const port = await freePort();
    const first = startStack(localDir, port);
    started.push(first.child);
    const stackFile = join(localDir, 'stack.json');

    // Act
    await waitForFile(stackFile, 90_000, first.output);
    const info = JSON.parse(readFileSync(stackFile, 'utf8'));

    // Assess
    expect(info).toMatchObject({
      apiUrl: `http://127.0.0.1:${port}`,
      apiKey: expect.stringMatching(/^crm_key_/),
      emailViewerUrl: expect.any(String),
      smsOutboxUrl: expect.any(String),
    });
    expect(first.output()).toContain(info.apiKey);
    expect((await (await fetch(`${info.apiUrl}/health`)).json()).status).toBe('ok');
    const created = await fetch(`${info.apiUrl}/v1/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Kept', unitPrice: '1.00', currency: 'EUR', taxRate: '21' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${info.emailViewerUrl}/store`)).status).toBe(200);

    const second = startStack(localDir, port);
    started.push(second.child);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already running/);

    // Ctrl-C: the terminal signals the whole process group
    process.kill(-first.child.pid!, 'SIGINT');
    await first.exited;
    await stopped(stackFile, info);

    // Restart: same demo key, data still there
    const again = startStack(localDir, port);
    started.push(again.child);
    await waitForFile(stackFile, 90_000, again.output);
    const info2 = JSON.parse(readFileSync(stackFile, 'utf8'));
    expect(info2.apiKey).toBe(info.apiKey);
    const list = await (await fetch(`${info2.apiUrl}/v1/products`, { headers: { authorization: `Bearer ${info2.apiKey}` } })).json();
    expect(list.data.map((p: { name: string }) => p.name)).toContain('Kept');
    process.kill(-again.child.pid!, 'SIGINT');
    await again.exited;
    await stopped(stackFile, info2);
  }, 240_000);
});
