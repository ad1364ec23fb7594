import { measure, report } from './harness';
import type { BenchContext } from './run';

/**
 * End to end: from POST /v1/invoices/{id}/stage {SENT} to the e-mail (with its PDF) in the SES
 * emulator: stream -> publish-events -> bus -> run-automation -> render-document (Chromium) ->
 * document.created -> run-automation -> SES. Baseline: the stage move's own HTTP round trip.
 */
export async function run(ctx: BenchContext): Promise<string> {
  const headers = { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${ctx.apiUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as { id: string };
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const n = ctx.quick ? 5 : 15;
  const invoices: { id: string; email: string }[] = [];
  for (let i = -2; i < n; i++) {
    const email = `bench-${Date.now()}-${i + 2}@bench.example`;
    const company = await post('/v1/companies', {
      name: 'Bench Client',
      legalName: 'Bench Client S.L.',
      taxId: 'B12345678',
      email,
      address: { line1: 'Calle 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
    });
    const invoice = await post('/v1/invoices', {
      companyId: company.id,
      currency: 'EUR',
      dueDate: '2030-01-31',
      lines: [{ description: 'Service', quantity: '1', unitPrice: '100.00', taxRate: '21' }],
    });
    invoices.push({ id: invoice.id, email });
  }
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
