import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isPortInUse } from '../../infra/local/ports';
import { signalGroup, spawnStack, waitForStack } from '../fixtures/npm-start';

interface Ports {
  api: number;
  ses: number;
  sms: number;
}
const somePorts = async (): Promise<Ports> => ({ api: await freePort(), ses: await freePort(), sms: await freePort() });
const startStack = (localDir: string, ports: Ports) =>
  spawnStack(localDir, { PORT: String(ports.api), LOCAL_SES_PORT: String(ports.ses), LOCAL_SMS_PORT: String(ports.sms) });

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
    const ports = await somePorts();
    const port = ports.api;
    const first = startStack(localDir, ports);
    started.push(first.child);
    const stackFile = join(localDir, 'stack.json');

    // Act
    await waitForFile(stackFile, 90_000, first.output);
    const info = JSON.parse(readFileSync(stackFile, 'utf8'));

    // Assess
    expect(info).toMatchObject({
      apiUrl: `http://127.0.0.1:${port}`,
      apiKey: expect.stringMatching(/^crm_key_/),
      emailViewerUrl: `http://127.0.0.1:${ports.ses}`,
      smsOutboxUrl: `http://127.0.0.1:${ports.sms}/messages`,
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

    const second = startStack(localDir, ports);
    started.push(second.child);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already running/);

    // Ctrl-C: the terminal signals the whole process group
    process.kill(-first.child.pid!, 'SIGINT');
    await first.exited;
    await stopped(stackFile, info);

    // Restart: same demo key, data still there
    const again = startStack(localDir, ports);
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

  it('starts again after a crash (SIGKILL of the whole process group, a dead unreaped pid in the lock): the e-mails sent before are still at the same URL', async () => {
    // Prepare: a running stack with one e-mail in its SES stand-in
    const dir = mkdtempSync(join(tmpdir(), 'crm-local-crash-'));
    const ports = await somePorts();
    const first = startStack(dir, ports);
    started.push(first.child);
    const info = await waitForStack(dir, first);
    const ses = new SESClient({ endpoint: info.emailViewerUrl, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const sent = await ses.send(
      new SendEmailCommand({
        Source: 'invoices@example.com',
        Destination: { ToAddresses: ['client@example.com'] },
        Message: { Subject: { Data: 'Before the crash' }, Body: { Text: { Data: 'kept' } } },
      }),
    );

    // Act: the whole group dies at once; the lock names a process that is dead but not reaped (a zombie)
    signalGroup(first, 'SIGKILL');
    await first.exited;
    const zombieParent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(zombieParent);
    const zombie = await new Promise<number>((r) => zombieParent.stdout!.once('data', (c: Buffer) => r(Number(c.toString().trim()))));
    const lock = JSON.parse(readFileSync(join(dir, 'stack.pid'), 'utf8'));
    writeFileSync(join(dir, 'stack.pid'), JSON.stringify({ ...lock, pid: zombie }));
    const again = startStack(dir, ports);
    started.push(again.child);
    const info2 = await waitForStack(dir, again, { notPid: info.pid });

    // Assess
    expect(again.output()).toMatch(/did not stop cleanly/);
    expect(info2.emailViewerUrl).toBe(info.emailViewerUrl);
    const { emails } = await (await fetch(info2.emailStoreUrl)).json();
    expect(emails).toMatchObject([{ messageId: sent.MessageId, subject: 'Before the crash', body: { text: 'kept' } }]);
    expect((await fetch(`${info2.apiUrl}/health`)).status).toBe(200);
    signalGroup(again, 'SIGINT');
    await again.exited;
    zombieParent.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
