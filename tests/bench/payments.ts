import { TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { measure, report } from './harness';

/**
 * Payments through the local gateway:
 * - recording a payment of an invoice (POST /v1/invoices/{id}/payments: one transaction of 6 items: payment,
 *   allocation, invoice, its lookup, timeline, outbox) at concurrency 1 and 8, each request on its own invoice,
 *   beside a raw TransactWriteItems of the same 6 items and sizes done with the SDK in the same run;
 * - a 10,000-row bank statement import (BankImport.run on the local stack's table: dry run, then for real,
 *   then the same file again), in rows per second, beside reading the same CSV alone (BankImport.parse), and
 *   the heap's peak growth during each run.
 */
export interface PaymentBenchContext {
  apiUrl: string;
  apiKey: string;
  tenantId: string;
  rawDynamo: { client: DynamoDBClient; tableName: string };
  quick?: boolean;
}

export async function run(ctx: PaymentBenchContext): Promise<string> {
  const headers = { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown, expected = 200, contentType?: string) => {
    const res = await fetch(`${ctx.apiUrl}${path}`, {
      method,
      headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  const n = ctx.quick ? 30 : 150;
  const company = await call(
    'POST',
    '/v1/companies',
    { name: 'Pagos Bench S.L.', taxId: 'B12345674', email: 'pagos@bench.example', address: { line1: 'x', city: 'Madrid', postalCode: '28001', country: 'ES' } },
    201,
  );
  const invoices: { id: string; number: string }[] = [];
  const invoiceCount = ctx.quick ? 60 : 200;
  for (let i = 0; i < invoiceCount; i++) {
    const draft = await call(
      'POST',
      '/v1/invoices',
      {
        companyId: company.id,
        currency: 'EUR',
        dueDate: '2030-12-31',
        lines: [{ description: `Servicio ${i}`, quantity: '100', unitPrice: '100.00', taxRate: '21', withholdingRate: '15' }],
      },
      201,
    );
    invoices.push(await call('POST', `/v1/invoices/${draft.id}/stage`, { stage: 'VIEWED' }));
  }
  const today = new Date().toISOString().slice(0, 10);

  // --- recording a payment vs the raw transaction it needs
  const sampleInvoice = JSON.stringify(await call('GET', `/v1/invoices/${invoices[0].id}`));
  let seq = 0;
  const put = (pk: string, sk: string, body: string, gsis = 0) => ({
    Put: {
      TableName: ctx.rawDynamo.tableName,
      Item: {
        pk: { S: pk },
        sk: { S: sk },
        body: { S: body },
        ...Object.fromEntries(
          Array.from({ length: gsis }, (_, g) => [
            [`gsi${g + 1}pk`, { S: pk }],
            [`gsi${g + 1}sk`, { S: sk }],
          ]).flat(),
        ),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const small = JSON.stringify({
    id: 'pay_01jxxxxxxxxxxxxxxxxxxxxxxx',
    amount: '10.00',
    currency: 'EUR',
    date: today,
    method: 'bank_transfer',
    allocated: '10.00',
  });
  const rawRecord = () => {
    const k = `BENCHPAY#${Date.now()}#${seq++}`;
    return ctx.rawDynamo.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          put(`${k}#p`, 'payment', small, 2),
          put(`${k}#a`, 'allocation', small, 3),
          put(`${k}#i`, 'invoice', sampleInvoice, 4),
          put(`${k}#l`, 'lookup', small, 4),
          put(`${k}#t`, 'timeline', small),
          put(`${k}#o`, 'outbox', small),
        ],
      }),
    );
  };
  const pay = (i: number) => call('POST', `/v1/invoices/${invoices[(i + invoiceCount) % invoiceCount].id}/payments`, { amount: '10.00', date: today }, 201);
  const rows = [
    await measure('raw TransactWriteItems (6 items)', n, 1, rawRecord),
    await measure('record a payment (HTTP)', n, 1, pay),
    await measure('raw TransactWriteItems (6 items)', n, 8, rawRecord),
    await measure('record a payment (HTTP)', n, 8, pay),
  ];
  const out = [
    report('Recording a payment (POST /v1/invoices/{id}/payments)', rows, (r) => rows.find((b) => b.concurrency === r.concurrency && b.name.startsWith('raw'))),
  ];

  // --- a 10,000-row bank statement
  const size = ctx.quick ? 2000 : 10_000;
  const lines = ['Fecha;Concepto;Ordenante;IBAN;Importe'];
  const d = `${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`;
  for (let i = 0; i < size; i++) {
    // one row in 20 pays an invoice by its number; the others are unmatched money in and out
    if (i % 20 === 0) lines.push(`${d};"Pago factura ${invoices[(i / 20) % invoiceCount].number}; gracias";Pagos Bench S.L.;;100,00`);
    else lines.push(`${d};Movimiento ${i} tarjeta;Comercio ${i % 97};;${i % 3 === 0 ? '-' : ''}${(i % 500) + 1},${String(i % 100).padStart(2, '0')}`);
  }
  const csv = lines.join('\n');
  const { BankImport } = await import('../../functions/domain/payments');
  const heapPeak = async <T>(fn: () => Promise<T>) => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 20);
    const t0 = performance.now();
    try {
      const result = await fn();
      return { result, ms: performance.now() - t0, peakMb: (peak - before) / 1048576 };
    } finally {
      clearInterval(timer);
    }
  };
  // the import verb itself, on the local stack's table (the HTTP route adds only the body parsing; on this
  // shared machine a 10,000-row import can outlast the local gateway's 29 s)
  const { paymentPorts } = await import('../../functions/shared/wiring/payments');
  const importing = (dryRun: boolean) => () =>
    BankImport.run(paymentPorts(), { tenantId: ctx.tenantId, actor: { type: 'user', id: 'bench' }, csv, dryRun, defaultCurrency: 'EUR' });
  const parse = await heapPeak(async () => BankImport.parse(csv));
  const dry = await heapPeak(importing(true));
  const real = await heapPeak(importing(false));
  const again = await heapPeak(importing(false));
  const rate = (ms: number) => ((size / ms) * 1000).toFixed(0);
  const table = [
    `\n## Bank statement import (${size} rows, ${(csv.length / 1024).toFixed(0)} KB, ${real.result.summary.matched} matched)`,
    '| run | ms | rows/s | vs parsing alone | heap peak growth MB | summary |',
    '|---|---|---|---|---|---|',
    `| parse the CSV only (baseline) | ${parse.ms.toFixed(0)} | ${rate(parse.ms)} | baseline | ${parse.peakMb.toFixed(1)} | |`,
    ...[
      ['dry run', dry],
      ['import (records matched rows, remembers all)', real],
      ['same file again (all duplicate)', again],
    ].map(
      ([name, r]) =>
        `| ${name} | ${(r as typeof dry).ms.toFixed(0)} | ${rate((r as typeof dry).ms)} | ${((r as typeof dry).ms / parse.ms).toFixed(1)}x | ${(r as typeof dry).peakMb.toFixed(1)} | ${JSON.stringify((r as typeof dry).result.summary)} |`,
    ),
  ].join('\n');
  console.log(table);
  out.push(table);
  return out.join('\n');
}
