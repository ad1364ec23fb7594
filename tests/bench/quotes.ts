import { report, type Stats } from './harness';
import type { BenchContext } from './run';

/**
 * From the client's acceptance to the invoice, end to end on the local stack: POST /p/{token}/accept ->
 * (transaction: quote accepted + quote.accepted outbox) -> stream -> publish-events -> bus -> run-automation
 * (the tenant's quote rule: invoice from the quote, moved to SENT) -> invoice.stage_changed -> stream -> bus
 * -> run-automation (the invoice rule) -> render-document (Chromium) -> document.created -> SES.
 * Timed from just before the accept request to (1) the invoice existing (the quote names it) and (2) the
 * invoice's e-mail in the SES emulator. Baseline: the accept request's own HTTP round trip.
 */
export async function run(ctx: BenchContext): Promise<string> {
  const headers = { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' };
  const call = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${ctx.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as T;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  // the tenant's quote rule sends the invoice by itself
  const rules = (await call<{ data: { id: string; entity: string; version: number }[] }>('GET', '/v1/automation/rules')).data;
  const rule = rules.find((r) => r.entity === 'quote');
  if (!rule) throw new Error('the tenant has no quote rule');
  await call('PUT', `/v1/automation/rules/${rule.id}`, {
    entity: 'quote',
    stage: 'ACCEPTED',
    actions: [{ type: 'create_invoice', moveTo: 'SENT', dueInDays: 14 }],
    version: rule.version,
  });

  const n = ctx.quick ? 4 : 10;
  const warmup = 2;
  const runs: { quoteId: string; page: string; email: string }[] = [];
  for (let i = 0; i < n + warmup; i++) {
    const email = `bench-quote-${Date.now()}-${i}@bench.example`;
    const company = await call('POST', '/v1/companies', {
      name: 'Bench Buyer',
      legalName: 'Bench Buyer S.L.',
      taxId: 'B12345674',
      email,
      address: { line1: 'Calle 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
    });
    const quote = await call('POST', '/v1/quotes', {
      companyId: company.id,
      lines: [{ description: 'Service', quantity: '3', unitPrice: '100.00', taxRate: '21' }],
    });
    const sent = await call('POST', `/v1/quotes/${quote.id}/send`, { delivery: 'none' });
    runs.push({ quoteId: quote.id, page: sent.publicUrl, email });
  }

  const sesStore = `${ctx.stack.endpoints.ses}/store`;
  const acceptMs: number[] = [];
  const invoiceMs: number[] = [];
  const emailMs: number[] = [];
  for (const [i, r] of runs.entries()) {
    const t0 = performance.now();
    const res = await fetch(`${r.page}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signerName: 'Bench Signer', consent: true }),
    });
    if (res.status !== 200) throw new Error(`accept: ${res.status} ${await res.text()}`);
    const t1 = performance.now();
    for (;;) {
      const quote = await call<{ invoiceId?: string }>('GET', `/v1/quotes/${r.quoteId}`);
      if (quote.invoiceId) break;
      await sleep(10);
    }
    const t2 = performance.now();
    for (;;) {
      const { emails } = (await (await fetch(sesStore)).json()) as { emails: { destination: { to: string[] }; attachments?: unknown[] }[] };
      if (emails.some((e) => e.destination.to.some((to) => to.includes(r.email)))) break;
      await sleep(20);
    }
    const t3 = performance.now();
    if (i < warmup) continue;
    acceptMs.push(t1 - t0);
    invoiceMs.push(t2 - t0);
    emailMs.push(t3 - t0);
  }
  await ctx.stack.settle();

  const stats = (name: string, values: number[]): Stats => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))]!;
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    return { name, n: sorted.length, concurrency: 1, p50: at(50), p95: at(95), mean, perSecond: 1000 / mean };
  };
  const accept = stats('POST /p/{token}/accept (HTTP round trip)', acceptMs);
  const rows = [accept, stats('accept -> invoice exists (quote.invoiceId set)', invoiceMs), stats('accept -> invoice e-mail with PDF in SES', emailMs)];
  return report('Quotes: client acceptance to invoice, and to the invoice e-mail in the SES emulator (sequential)', rows, () => accept);
}
