/**
 * A burst of stage moves to SENT (100; 20 with BENCH_QUICK=1), all at once, each e-mailed by the standard
 * rule (render the PDF, e-mail it): the time until the last e-mail is in the SES stand-in, and how many
 * arrived (must be every one). Baseline, in the same run: one invoice alone, stage move to e-mail.
 * Sampling the local bus while the burst runs says where the time goes: the render queue (its limit is
 * LOCAL_RENDER_CONCURRENCY) or the rest of the pipeline.
 */
import { benchPost, invoiceToSend } from './harness';
import type { BenchContext } from './run';

interface Sample {
  t: number;
  renderRunning: number;
  renderWaiting: number;
  automation: number;
}

export async function run(ctx: BenchContext): Promise<string> {
  const post = benchPost(ctx);
  const sesStore = `${ctx.stack.endpoints.ses}/store`;
  const arrived = async (addresses: Set<string>) => {
    const { emails } = (await (await fetch(sesStore)).json()) as { emails: { destination: { to: string[] } }[] };
    const got = new Map<string, number>();
    for (const e of emails) for (const to of e.destination.to) for (const a of addresses) if (to.includes(a)) got.set(a, (got.get(a) ?? 0) + 1);
    return got;
  };
  const n = ctx.quick ? 20 : 100;
  const prefix = `burst-${Date.now()}`;
  const invoices: { id: string; email: string }[] = [];
  for (let i = 0; i <= n; i++) invoices.push(await invoiceToSend(ctx, `${prefix}-${i}@bench.example`));
  await ctx.stack.settle(120_000);

  // Baseline: one invoice alone (the pipeline warm: the section before rendered already)
  const [single, ...burst] = invoices;
  const t0 = performance.now();
  await post(`/v1/invoices/${single.id}/stage`, { stage: 'SENT' });
  while (!(await arrived(new Set([single.email]))).size) await new Promise((r) => setTimeout(r, 20));
  const singleMs = performance.now() - t0;
  await ctx.stack.settle(120_000);

  // The burst
  const samples: Sample[] = [];
  const started = performance.now();
  let movesDone = 0;
  const moves = Promise.all(
    burst.map((inv) =>
      post(`/v1/invoices/${inv.id}/stage`, { stage: 'SENT' }).then(() => {
        movesDone = performance.now() - started;
      }),
    ),
  );
  const addresses = new Set(burst.map((i) => i.email));
  const deadline = started + 15 * 60_000;
  let got = new Map<string, number>();
  let lastEmail = NaN;
  while (performance.now() < deadline) {
    const status = ctx.stack.bus.status() as { queues: Record<string, { running: number; waiting: number }> };
    samples.push({
      t: performance.now() - started,
      renderRunning: status.queues.renderDocument?.running ?? 0,
      renderWaiting: status.queues.renderDocument?.waiting ?? 0,
      automation: (status.queues.runAutomation?.running ?? 0) + (status.queues.runAutomation?.waiting ?? 0),
    });
    got = await arrived(addresses);
    if (got.size === n) {
      lastEmail = performance.now() - started;
      break;
    }
    if (samples.length > 20 && !ctx.stack.bus.busy && ctx.stack.poller.idle) break; // quiet and some are missing: they will not come
    await new Promise((r) => setTimeout(r, 100));
  }
  await moves;
  await ctx.stack.settle(120_000);
  got = await arrived(addresses);
  const emails = [...got.values()].reduce((a, b) => a + b, 0);
  const twice = [...got.values()].filter((c) => c > 1).length;
  // nothing lost: every invoice without its e-mail must show a failed message (GET /v1/messages?status=failed)
  const withoutEmail = burst.filter((inv) => !got.has(inv.email));
  let visibleFailures = 0;
  for (const inv of withoutEmail) {
    const res = await fetch(`${ctx.apiUrl}/v1/messages?status=failed&subjectId=${inv.id}`, { headers: { authorization: `Bearer ${ctx.apiKey}` } });
    if (res.ok && ((await res.json()) as { data: unknown[] }).data.length > 0) visibleFailures++;
  }
  const lost = withoutEmail.length - visibleFailures;

  const rendersBusy = samples.filter((s) => s.renderRunning > 0 || s.renderWaiting > 0);
  const rendersDone = rendersBusy.length ? rendersBusy[rendersBusy.length - 1].t : NaN;
  const peakWaiting = Math.max(0, ...samples.map((s) => s.renderWaiting));
  const rendering = samples.filter((s) => s.renderRunning > 0).length / Math.max(1, samples.length);
  const fmt = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never');
  const limit = ctx.stack.bus.concurrencyOf('renderDocument');
  const lines = [
    `\n## Burst: ${n} stage moves to SENT at once -> ${n} e-mails with the PDF (render limit ${limit})`,
    '| what | value | ratio vs baseline |',
    '|---|---|---|',
    `| baseline: one invoice alone, move -> e-mail | ${fmt(singleMs)} | baseline |`,
    `| all ${n} moves answered | ${fmt(movesDone)} | |`,
    `| renders finished (render queue empty) | ${fmt(rendersDone)} | |`,
    `| last e-mail in the SES stand-in | ${fmt(lastEmail)} | ${Number.isFinite(lastEmail) ? `${(lastEmail / singleMs).toFixed(1)}x one invoice; ${((n * singleMs) / lastEmail).toFixed(1)}x faster than one after the other` : ''} |`,
    `| e-mails received / expected | ${emails} / ${n}${twice ? ` (${twice} invoices twice)` : ''} | |`,
    `| without an e-mail: failed visibly / lost silently | ${visibleFailures} / ${lost} (must be 0 lost) | |`,
    `| throughput | ${Number.isFinite(lastEmail) ? (n / (lastEmail / 1000)).toFixed(2) : '-'} invoices/s | |`,
    `| render queue: peak waiting; share of the burst with a render running | ${peakWaiting}; ${(rendering * 100).toFixed(0)} % | |`,
    `| bottleneck | ${Number.isFinite(rendersDone) && Number.isFinite(lastEmail) && rendersDone >= lastEmail * 0.8 ? `the renders: the render queue drains at ${fmt(rendersDone)}, the last e-mail follows ${fmt(lastEmail - rendersDone)} later` : 'not the renders: the render queue drained well before the last e-mail'} | |`,
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}
