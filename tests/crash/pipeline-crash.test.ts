/**
 * Nothing lost, nothing sent twice, nothing silent (issue 16), on the real local stack.
 *
 * `npm start` runs as a child process on its own data directory. Four rounds, each a burst of stage moves
 * to SENT (the demo tenant's standard rule: render the PDF, e-mail it) and a SIGKILL of the whole process
 * group at one moment of the pipeline: during the burst, right after it, while renders run, while
 * e-mails go out. After each kill the stack is started again on the same data, and the client retries
 * the moves that got no answer (same Idempotency-Key). When everything is quiet, every invoice is checked.
 *
 * `npm run test:crash` (its own vitest config; `.ci/run` runs it after `npm test`). CRASH_BURST sets the
 * burst size (default 10 per round).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/ports';
import { aCompany } from '../fixtures/builders';
import { signalGroup, spawnStack, waitForStack, waitUntilQuiet, type LocalStatus, type StackInfo, type StackProcess } from '../fixtures/npm-start';

const BURST = Number(process.env.CRASH_BURST ?? 10);

interface Email {
  messageId: string;
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
}

interface Tracked {
  round: string;
  invoiceId: string;
  email: string;
  idempotencyKey: string;
  /** The status of the move's answer: undefined when the kill cut it off. */
  answered?: number;
  retried?: number;
}

interface Outcome {
  stage: string;
  number: string | null;
  documents: { id: string; status: string }[];
  emails: Email[];
  timelineKinds: string[];
  failureVisible: boolean | 'no-route';
}

interface Round {
  name: string;
  /** Resolves at the moment to kill; returns whether that moment was really reached (or passed unseen). */
  killWhen(round: Tracked[], moves: Promise<void>[]): Promise<boolean>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a burst of stage moves to SENT survives SIGKILL of the whole local stack at four moments', () => {
  const localDir = mkdtempSync(join(tmpdir(), 'crm-crash-'));
  const processes: StackProcess[] = [];
  const tracked: Tracked[] = [];
  const log: string[] = [];
  const outcomes = new Map<string, Outcome>();
  let env: Record<string, string>;
  let stack: StackProcess;
  let info: StackInfo;
  let finalStatus: LocalStatus;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${info.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${info.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const emailsIn = async (): Promise<Email[]> => ((await (await fetch(info.emailStoreUrl)).json()) as { emails: Email[] }).emails;
  const emailsTo = (all: Email[], address: string) => all.filter((e) => e.destination.to.some((to) => to.includes(address)));

  async function start(): Promise<void> {
    const previous = info?.pid;
    stack = spawnStack(localDir, env);
    processes.push(stack);
    info = await waitForStack(localDir, stack, { notPid: previous });
  }

  async function crash(): Promise<void> {
    signalGroup(stack, 'SIGKILL');
    await stack.exited;
  }

  async function prepareRound(round: string): Promise<Tracked[]> {
    const out: Tracked[] = [];
    for (let i = 0; i < BURST; i++) {
      const email = `crash-${round.replace(/\W+/g, '-')}-${i}-${randomUUID().slice(0, 6)}@example.com`;
      const company = await call('POST', '/v1/companies', aCompany({ legalName: `Crash Client ${i} S.L.`, email }));
      expect(company.status).toBe(201);
      const invoice = await call('POST', '/v1/invoices', {
        companyId: company.body.id,
        currency: 'EUR',
        dueDate: '2030-12-31',
        lines: [{ description: 'Consulting', quantity: '3', unitPrice: '95.00', taxRate: '21' }],
      });
      expect(invoice.status).toBe(201);
      out.push({ round, invoiceId: invoice.body.id, email, idempotencyKey: randomUUID() });
    }
    return out;
  }

  const move = (t: Tracked) => call('POST', `/v1/invoices/${t.invoiceId}/stage`, { stage: 'SENT' }, { 'idempotency-key': t.idempotencyKey });

  /** A client whose request got no answer retries it with the same key until it has one. */
  async function retryUnanswered(round: Tracked[]): Promise<void> {
    for (const t of round.filter((x) => x.answered === undefined)) {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const res = await move(t);
        t.retried = res.status;
        // 200: moved now (or the stored answer of the interrupted call); 409 "already in stage": the interrupted call had moved it
        if (res.status === 200 || (res.status === 409 && /already in stage/.test(JSON.stringify(res.body)))) break;
        // 409 while the interrupted call's idempotency record is still "in progress": wait for it to lapse
        if (Date.now() > deadline) throw new Error(`the move of ${t.invoiceId} kept answering ${res.status}: ${JSON.stringify(res.body)}`);
        await sleep(2000);
      }
    }
  }

  async function documentsOf(invoiceId: string): Promise<{ id: string; status: string }[]> {
    const res = await call('GET', `/v1/invoices/${invoiceId}/documents`);
    return res.status === 200 ? res.body.data : [];
  }

  /** Polls until `check` says the moment came; false when the moment passed unseen (the kill happens anyway). */
  async function until(check: () => Promise<'now' | 'wait' | 'passed'>, timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const state = await check();
      if (state !== 'wait') return state === 'now';
      await sleep(50);
    }
    return false;
  }

  const rounds: Round[] = [
    {
      name: 'during the burst',
      async killWhen(round) {
        return until(async () => {
          const answered = round.filter((t) => t.answered !== undefined).length;
          return answered >= Math.ceil(round.length / 3) ? (answered < round.length ? 'now' : 'passed') : 'wait';
        });
      },
    },
    {
      name: 'right after the burst',
      async killWhen(_round, moves) {
        await Promise.all(moves);
        return true;
      },
    },
    {
      name: 'while renders run',
      async killWhen(round, moves) {
        await Promise.all(moves);
        return until(async () => {
          const docs = (await Promise.all(round.map((t) => documentsOf(t.invoiceId)))).flat();
          const ready = docs.filter((d) => d.status !== 'pending').length;
          if (ready === round.length) return 'passed';
          return ready > 0 && docs.some((d) => d.status === 'pending') ? 'now' : 'wait';
        });
      },
    },
    {
      name: 'while e-mails go out',
      async killWhen(round, moves) {
        await Promise.all(moves);
        return until(async () => {
          const all = await emailsIn();
          const arrived = round.filter((t) => emailsTo(all, t.email).length > 0).length;
          return arrived === 0 ? 'wait' : arrived < round.length ? 'now' : 'passed';
        }, 120_000);
      },
    },
  ];

  beforeAll(async () => {
    env = {
      PORT: String(await freePort()),
      LOCAL_SES_PORT: String(await freePort()),
      LOCAL_SMS_PORT: String(await freePort()),
    };
    await start();
    const settings = await call('PUT', '/v1/settings', {
      name: 'Crash Co',
      legalName: 'Crash Company S.L.',
      taxId: 'B87654323',
      locale: 'en',
      senderName: 'Crash Co',
      address: { line1: 'Gran Vía 2', city: 'Madrid', postalCode: '28013', country: 'ES' },
      bankAccount: { iban: 'ES9121000418450200051332' },
    });
    expect(settings.status).toBe(200);

    for (const round of rounds) {
      const batch = await prepareRound(round.name);
      tracked.push(...batch);
      const started = Date.now();
      const moves = batch.map(async (t) => {
        try {
          t.answered = (await move(t)).status;
        } catch {
          /* cut off by the kill: retried after the restart */
        }
      });
      const reached = await round.killWhen(batch, moves);
      await crash();
      await Promise.all(moves);
      const killedAt = Date.now();
      await start();
      const restartedAt = Date.now();
      await retryUnanswered(batch);
      log.push(
        `${round.name}: killed after ${killedAt - started} ms (${reached ? 'at that moment' : 'the moment passed unseen'}); ` +
          `${batch.filter((t) => t.answered !== undefined).length}/${batch.length} moves had answered; restart ${restartedAt - killedAt} ms, client retries ${Date.now() - restartedAt} ms`,
      );
    }
    const quietFrom = Date.now();
    finalStatus = await waitUntilQuiet(info);
    log.push(`quiet after ${Date.now() - quietFrom} ms`);

    const all = await emailsIn();
    const failedRoutes = (await call('GET', '/v1/automation/runs?status=failed')).status !== 404;
    for (const t of tracked) {
      const invoice = (await call('GET', `/v1/invoices/${t.invoiceId}`)).body;
      const timeline = ((await call('GET', `/v1/invoices/${t.invoiceId}/timeline`)).body?.data as { kind: string }[]) ?? [];
      const kinds = timeline.map((e) => e.kind);
      let failureVisible: boolean | 'no-route' = kinds.some((k) => /fail/.test(k));
      if (!failureVisible) {
        if (!failedRoutes) failureVisible = 'no-route';
        else {
          const runs = await call('GET', `/v1/automation/runs?status=failed&subjectId=${t.invoiceId}`);
          const messages = await call('GET', `/v1/messages?status=failed&subjectId=${t.invoiceId}`);
          failureVisible = (runs.body?.data?.length ?? 0) + (messages.body?.data?.length ?? 0) > 0;
        }
      }
      outcomes.set(t.invoiceId, {
        stage: invoice.stage,
        number: invoice.number,
        documents: await documentsOf(t.invoiceId),
        emails: emailsTo(all, t.email),
        timelineKinds: kinds,
        failureVisible,
      });
    }
    console.log(`[crash] ${log.join('\n[crash] ')}\n[crash] final status: ${JSON.stringify(finalStatus)}`);
  }, 1_200_000);

  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) signalGroup(p, 'SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(localDir, { recursive: true, force: true });
  });

  it("every move answered (at once or on the client's retry) and left its invoice SENT with a number; numbers have no gap and no duplicate", () => {
    expect(tracked).toHaveLength(rounds.length * BURST);
    for (const t of tracked) {
      expect(t.answered === 200 || t.retried !== undefined, `${t.invoiceId} (${t.round}) answered ${t.answered}`).toBe(true);
      expect(outcomes.get(t.invoiceId)).toMatchObject({ stage: 'SENT', number: expect.stringMatching(/\d+$/) });
    }
    const sequence = tracked.map((t) => Number(/(\d+)$/.exec(outcomes.get(t.invoiceId)!.number!)![1])).sort((a, b) => a - b);
    expect(sequence).toEqual(sequence.map((_, i) => i + 1));
  });

  it('no event was lost on the way (stream, bus): every invoice got its document, none is left pending, nothing is dead-lettered', () => {
    const lost = tracked.filter((t) => outcomes.get(t.invoiceId)!.documents.length === 0).map((t) => `${t.invoiceId} (${t.round})`);
    const pending = tracked.filter((t) => outcomes.get(t.invoiceId)!.documents.some((d) => d.status === 'pending')).map((t) => `${t.invoiceId} (${t.round})`);
    expect(lost).toEqual([]);
    expect(pending).toEqual([]);
    expect(tracked.every((t) => outcomes.get(t.invoiceId)!.documents.length === 1)).toBe(true);
    expect(finalStatus).toMatchObject({ pending: 0, busy: false, deadLetters: 0 });
  });

  it('no invoice is e-mailed twice (copies carrying the same Message-ID count once: a receiver recognises them)', () => {
    const twice = tracked
      .map((t) => ({ t, ids: new Set(outcomes.get(t.invoiceId)!.emails.map((e) => e.headers?.find((h) => h.name === 'message-id')?.value ?? e.messageId)) }))
      .filter(({ ids }) => ids.size > 1)
      .map(({ t, ids }) => `${t.invoiceId} (${t.round}): ${ids.size} e-mails`);
    expect(twice).toEqual([]);
  });

  /*
   * The delivery protocol (functions/domain/delivery/sending.ts): a kill between claiming a message and recording
   * it leaves it `sending` under a lease; the replay after the lease resends it with the same Message-ID (counted
   * once above), and whatever fails for good is a failed message or run with a timeline entry, listed by
   * GET /v1/messages?status=failed and GET /v1/automation/runs?status=failed.
   */
  it('every invoice ends with exactly one e-mail or a failure a user can see; never nothing', () => {
    const silent = tracked.filter((t) => {
      const o = outcomes.get(t.invoiceId)!;
      return o.emails.length === 0 && o.failureVisible !== true;
    });
    if (silent.length > 0) {
      const detail = silent.map((t) => `${t.invoiceId} (${t.round}; timeline: ${outcomes.get(t.invoiceId)!.timelineKinds.join(',')})`);
      console.warn(`[crash] ${silent.length} of ${tracked.length} SENT invoices have no e-mail and no visible failure:\n  ${detail.join('\n  ')}`);
    }
    expect(silent.map((t) => `${t.invoiceId} (${t.round})`)).toEqual([]);
  });
});
