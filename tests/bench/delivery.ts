import { benchPost, invoiceToSend, measure, report } from './harness';
import type { BenchContext } from './run';

/**
 * End to end: from POST /v1/invoices/{id}/stage {SENT} to the e-mail (with its PDF) in the SES
 * emulator: stream -> publish-events -> bus -> run-automation -> render-document (Chromium) ->
 * document.created -> run-automation -> SES. Baseline: the stage move's own HTTP round trip.
 */
export async function run(ctx: BenchContext): Promise<string> {
  const post = benchPost(ctx);
  const n = ctx.quick ? 5 : 15;
  const invoices: { id: string; email: string }[] = [];
  for (let i = -2; i < n; i++) invoices.push(await invoiceToSend(ctx, `bench-${Date.now()}-${i + 2}@bench.example`));
  const sesStore = `${ctx.stack.endpoints.ses}/store`;
  const emailArrived = async (to: string) => {
    for (;;) {
      const { emails } = (await (await fetch(sesStore)).json()) as { emails: { destination: { to: string[] } }[] };
      if (emails.some((e) => e.destination.to.some((t) => t.includes(to)))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const moveTimes: number[] = [];
  const e2e = await measure(
    'stage move -> e-mail with PDF in SES',
    n,
    1,
    async (i) => {
      const target = invoices[i + 2];
      const t0 = performance.now();
      await post(`/v1/invoices/${target.id}/stage`, { stage: 'SENT' });
      moveTimes.push(performance.now() - t0);
      await emailArrived(target.email);
    },
    2,
  );
  const move = {
    ...e2e,
    name: 'the stage move HTTP call alone',
    p50: moveTimes.sort((a, b) => a - b)[Math.floor(moveTimes.length / 2)],
    p95: moveTimes[Math.ceil(moveTimes.length * 0.95) - 1],
    mean: 0,
    perSecond: NaN,
  };
  await ctx.stack.settle();
  return report('Delivery: stage move to e-mail in the SES emulator (sequential)', [move, e2e], (r) => (r === move ? r : move));
}
