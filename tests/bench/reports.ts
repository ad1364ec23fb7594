import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { BenchContext } from './run';

/**
 * Reports over 10,000 issued invoices (2,000 with BENCH_QUICK=1) of one tenant, written straight to the table
 * (invoices with their index keys, payments and allocations of ~65 % of them): the sales ledger of one month
 * and of the whole half-year, and aging as of the last day (every invoice issued by then and every ledger record
 * to then), each with its time, the items it read and the heap's peak growth; beside a raw DynamoDB Query over
 * the same byIssueDate index range (keys only), in the same run.
 */
export async function run(ctx: BenchContext): Promise<string> {
  const { generateBooks } = await import('../fixtures/reporting-fakes');
  const { InvoiceList } = await import('../../functions/domain/invoicing');
  const { service } = await import('../../functions/shared/wiring/core');
  const { reportingPortsOn } = await import('../../functions/shared/wiring/reporting');
  const { Reports } = await import('../../functions/domain/reporting');
  const n = ctx.quick ? 2_000 : 10_000;
  const books = generateBooks(n, 99);
  const svc = service();
  const tenantId = ctx.tenantId;
  const chunk = <T>(list: T[], size: number) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, i * size + size));
  const seedStarted = performance.now();
  // the store leaves absent attributes out (null is not a stored value)
  const invoices = books.invoices.map((i) =>
    Object.fromEntries(Object.entries({ ...i, tenantId, ...InvoiceList.invoiceKeys(i) }).filter(([, v]) => v !== null)),
  );
  for (const batch of chunk(invoices, 25)) await svc.entities.invoice.put(batch as never).go();
  for (const batch of chunk(
    books.payments.map((p) => Object.fromEntries(Object.entries({ ...p, tenantId }).filter(([, v]) => v !== null))),
    25,
  ))
    await svc.entities.payment.put(batch as never).go();
  for (const batch of chunk(
    books.records.allocations.map(({ source, ...a }) => ({ ...a, tenantId, sourceType: source.type, sourceId: source.id })),
    25,
  ))
    await svc.entities.allocation.put(batch as never).go();
  const seedMs = performance.now() - seedStarted;

  let read = 0;
  const base = reportingPortsOn(svc);
  const ports = {
    ...base,
    invoices: {
      ...base.invoices,
      queryStep: async (...args: Parameters<typeof base.invoices.queryStep>) => {
        const rows = await base.invoices.queryStep(...args);
        read += rows.length;
        return rows;
      },
      get: base.invoices.get,
    },
  };
  const timed = async (what: string, fn: () => Promise<unknown>) => {
    read = 0;
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    let peak = heap0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 5);
    const t0 = performance.now();
    const result = await fn();
    const ms = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { what, ms, read, peakMb: (peak - heap0) / 1048576, result };
  };
  const raw = async (from: string, to: string) => {
    let count = 0;
    let key: Record<string, unknown> | undefined;
    do {
      const res = await ctx.rawDynamo.client.send(
        new QueryCommand({
          TableName: ctx.rawDynamo.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :a AND :b',
          ExpressionAttributeValues: {
            ':pk': { S: `$crm#tenantid_${tenantId}`.toLowerCase() },
            ':a': { S: `$invoice_1#issuesort_${from}`.toLowerCase() },
            ':b': { S: `$invoice_1#issuesort_${to}#~`.toLowerCase() },
          },
          ExclusiveStartKey: key as never,
        }),
      );
      count += res.Count ?? 0;
      key = res.LastEvaluatedKey;
    } while (key);
    return count;
  };
  const rows = [
    await timed('sales ledger, one month (2026-03)', () => Reports.salesLedger(ports, { tenantId, from: '2026-03-01', to: '2026-03-31' })),
    await timed('raw Query gsi1, same month (full items)', async () => ({ count: await raw('2026-03-01', '2026-03-31') })),
    await timed('sales ledger, half-year', () => Reports.salesLedger(ports, { tenantId, from: '2026-01-01', to: '2026-06-30' })),
    await timed('raw Query gsi1, same half-year (full items)', async () => ({ count: await raw('2026-01-01', '2026-06-30') })),
    await timed('aging as of 2026-06-30', () => Reports.aging(ports, { tenantId, asOf: '2026-06-30' })),
  ];
  const lines = [
    `\n## Reports over ${n} issued invoices (seeded in ${(seedMs / 1000).toFixed(1)} s)`,
    '| what | ms | invoices read (raw: items counted) | peak heap growth MB |',
    '|---|---|---|---|',
    ...rows.map((r) => {
      const count = (r.result as { count?: number }).count;
      return `| ${r.what} | ${r.ms.toFixed(0)} | ${count ?? r.read} | ${r.peakMb.toFixed(1)} |`;
    }),
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}
