import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/ports';
import { aCompany } from '../fixtures/builders';
import { signalGroup, spawnStack, waitForStack, type StackProcess } from '../fixtures/npm-start';

/**
 * API.md: "`npm run jobs -- --date YYYY-MM-DD` runs the daily jobs ... as of that date against the running local
 * stack ...; running it twice for the same date does nothing the second time", as a user runs both commands.
 */
const root = resolve(import.meta.dirname, '../..');

function npmRunJobs(localDir: string, date: string): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn('npm', ['run', '--silent', 'jobs', '--', '--date', date, '--json'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'ERROR', LOCAL_DIR: localDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('exit', (code) => done({ code, out }));
  });
}

describe('npm run jobs against npm start', () => {
  const localDir = mkdtempSync(join(tmpdir(), 'crm-jobs-'));
  let stack: StackProcess | undefined;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    if (stack) {
      signalGroup(stack, 'SIGINT');
      const stopped = await Promise.race([stack.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
      if (!stopped) signalGroup(stack, 'SIGKILL');
    }
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(localDir, { recursive: true, force: true });
  });

  it('makes the period of a recurring invoice once, however often it runs for that date', async () => {
    // Prepare
    stack = spawnStack(localDir, { PORT: String(await freePort()), LOCAL_SES_PORT: String(await freePort()), LOCAL_SMS_PORT: String(await freePort()) });
    const info = await waitForStack(localDir, stack);
    const headers = { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' };
    const company = await fetch(`${info.apiUrl}/v1/companies`, {
      method: 'POST',
      headers,
      body: JSON.stringify(aCompany()),
    });
    expect(company.status, await company.clone().text()).toBe(201);
    const date = '2030-01-15'; // a future day: the stack's own hourly run (as of today) does not make it
    const created = await fetch(`${info.apiUrl}/v1/recurring-invoices`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        companyId: ((await company.json()) as { id: string }).id,
        currency: 'EUR',
        lines: [{ description: 'Monthly hosting', quantity: '1', unitPrice: '50.00', taxRate: '21' }],
        interval: 'month',
        startDate: date,
        dueInDays: 30,
        issue: false,
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const recurring = (await created.json()) as { id: string };

    // Act
    const first = await npmRunJobs(localDir, date);
    const second = await npmRunJobs(localDir, date);

    // Assess
    const summary = (run: { out: string }) => JSON.parse(run.out.slice(run.out.indexOf('{')));
    expect(first.code, first.out).toBe(0);
    expect(second.code, second.out).toBe(0);
    expect(summary(first)).toMatchObject({ asOf: date, recurring: { made: 1 } });
    expect(summary(second)).toMatchObject({ asOf: date, recurring: { made: 0 } });
    const after = (await (await fetch(`${info.apiUrl}/v1/recurring-invoices/${recurring.id}`, { headers })).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ made: 1, lastPeriod: date });
    const invoices = (await (await fetch(`${info.apiUrl}/v1/invoices?limit=100`, { headers })).json()) as { data: Record<string, unknown>[] };
    expect(invoices.data.filter((i) => i.recurringInvoiceId === recurring.id)).toEqual([expect.objectContaining({ period: date, status: 'draft' })]);
  });
});
