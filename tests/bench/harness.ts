/**
 * Benchmark harness: timings are measured, never asserted. Every figure is printed beside a
 * baseline measured in the same run (ratios), because these machines are noisy.
 */
export interface Stats {
  name: string;
  n: number;
  concurrency: number;
  p50: number;
  p95: number;
  mean: number;
  perSecond: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

/** Runs fn n times with the given concurrency (after a short warm-up) and returns latency stats in ms. */
export async function measure(name: string, n: number, concurrency: number, fn: (i: number) => Promise<unknown>, warmup = 5): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return statsOf(name, latencies, concurrency, performance.now() - started);
}

/** Stats of latencies measured by the caller (elapsed: wall time of the whole run; default: their sum). */
export function statsOf(name: string, latencies: number[], concurrency: number, elapsed?: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    name,
    n: sorted.length,
    concurrency,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: total / sorted.length,
    perSecond: (sorted.length / (elapsed ?? total)) * 1000,
  };
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** Prints a table of stats, each row with its ratio over the named baseline row. */
export function report(title: string, rows: Stats[], baselineOf: (row: Stats) => Stats | undefined = () => undefined): string {
  const lines = [
    `\n## ${title}`,
    '| what | n | conc | p50 ms | p95 ms | ops/s | p50 ratio vs baseline |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const base = baselineOf(r);
      const ratio = base && base !== r ? `${fmt(r.p50 / base.p50, 2)}x (${base.name})` : base === r ? 'baseline' : '';
      return `| ${r.name} | ${r.n} | ${r.concurrency} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} | ${fmt(r.perSecond, 0)} | ${ratio} |`;
    }),
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}

/** POST as the bench tenant; throws on anything but 2xx. */
export function benchPost(ctx: { apiUrl: string; apiKey: string }) {
  const headers = { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' };
  return async (path: string, body: unknown): Promise<{ id: string }> => {
    const res = await fetch(`${ctx.apiUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await res.json()) as { id: string };
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** A draft invoice of a client with its own e-mail address (the standard rule e-mails it when SENT). */
export async function invoiceToSend(ctx: { apiUrl: string; apiKey: string }, email: string): Promise<{ id: string; email: string }> {
  const post = benchPost(ctx);
  const company = await post('/v1/companies', {
    name: 'Bench Client',
    legalName: 'Bench Client S.L.',
    taxId: 'B12345674',
    email,
    address: { line1: 'Calle 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
  });
  const invoice = await post('/v1/invoices', {
    companyId: company.id,
    currency: 'EUR',
    dueDate: '2030-01-31',
    lines: [{ description: 'Service', quantity: '1', unitPrice: '100.00', taxRate: '21' }],
  });
  return { id: invoice.id, email };
}
