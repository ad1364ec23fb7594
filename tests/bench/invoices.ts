import { QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { measure, report, type Stats } from './harness';

/**
 * Invoices through the local gateway: create (POST /v1/invoices), issue (POST /v1/invoices/{id}/stage: one
 * transaction with the number counter, timeline and outbox), create+issue together (invoices per second), and
 * lists, each at concurrency 1 and 8; plus a burst of concurrent issues in one series (group commit). Beside
 * them, a raw TransactWriteItems of the same shape (5 items: invoice, lookup, counter, timeline, outbox) and a
 * raw GSI Query, done directly with the SDK in the same run: the ratios are what to read.
 */
export interface InvoiceBenchContext {
  apiUrl: string;
  apiKey: string;
  tenantId: string;
  rawDynamo: { client: DynamoDBClient; tableName: string };
  quick?: boolean;
}

const line = (i: number) => ({ description: `Consulting block ${i}`, quantity: '3.5', unitPrice: '95.1234', taxRate: '21', discountPercent: '5' });

export async function run(ctx: InvoiceBenchContext): Promise<string> {
  const headers = { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' };
  const n = ctx.quick ? 30 : 150;
  const raw = ctx.rawDynamo;
  const call = async (method: string, path: string, body?: unknown, expected = 200) => {
    const res = await fetch(`${ctx.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const company = await call(
    'POST',
    '/v1/companies',
    {
      name: 'Bench Client S.L.',
      taxId: 'B87654323',
      email: 'billing@bench.example',
      address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
    },
    201,
  );
  const invoiceBody = (i: number) => ({ companyId: company.id, currency: 'EUR', lines: [line(i), line(i + 1)], dueDate: '2030-12-31' });
  const create = async (i: number) => (await call('POST', '/v1/invoices', invoiceBody(i), 201)).id as string;
  const issue = (id: string) => call('POST', `/v1/invoices/${id}/stage`, { stage: 'VIEWED' });

  // the raw transaction: same item count and similar sizes as an issuing move
  const sample = JSON.stringify(await call('POST', '/v1/invoices', invoiceBody(0), 201));
  let rawSeq = 0;
  const rawTransaction = () => {
    const k = `BENCHINV#${Date.now()}#${rawSeq++}`;
    return raw.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: raw.tableName,
              Key: { pk: { S: `${k}#counter` }, sk: { S: 'counter' } },
              UpdateExpression: 'SET #v = :next',
              ConditionExpression: 'attribute_not_exists(#v) OR #v = :expected',
              ExpressionAttributeNames: { '#v': 'value' },
              ExpressionAttributeValues: { ':next': { N: '1' }, ':expected': { N: '0' } },
            },
          },
          {
            Put: {
              TableName: raw.tableName,
              Item: {
                pk: { S: k },
                sk: { S: 'invoice' },
                body: { S: sample },
                gsi1pk: { S: k },
                gsi1sk: { S: 'a' },
                gsi2pk: { S: k },
                gsi2sk: { S: 'b' },
                gsi3pk: { S: k },
                gsi3sk: { S: 'c' },
                gsi4pk: { S: k },
                gsi4sk: { S: 'd' },
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: raw.tableName,
              Item: { pk: { S: k }, sk: { S: 'lookup' }, body: { S: sample.slice(0, 400) }, gsi3pk: { S: k }, gsi3sk: { S: 'e' } },
            },
          },
          {
            Put: {
              TableName: raw.tableName,
              Item: { pk: { S: `${k}#timeline` }, sk: { S: 'entry' }, body: { S: sample.slice(0, 300) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: raw.tableName,
              Item: { pk: { S: `${k}#outbox` }, sk: { S: 'event' }, body: { S: sample.slice(0, 300) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  };
  const rawQuery = () =>
    raw.client.send(
      new QueryCommand({
        TableName: raw.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        Limit: 20,
        ScanIndexForward: false,
        ExpressionAttributeValues: { ':pk': { S: `$crm#tenantid_${ctx.tenantId}`.toLowerCase() } },
      }),
    );

  const rows: Stats[] = [];
  for (const concurrency of [1, 8]) {
    const tag = `c${concurrency}`;
    const rawTx = await measure(`raw TransactWriteItems, 5 items (SDK) ${tag}`, n, concurrency, rawTransaction);
    const drafts: string[] = [];
    const created = await measure(`create: POST /v1/invoices ${tag}`, n, concurrency, async (i) => {
      const id = await create(i);
      if (i >= 0) drafts[i] = id;
    });
    const spare = await Promise.all(Array.from({ length: 5 }, (_, i) => create(1000 + i)));
    const issued = await measure(`issue: POST /v1/invoices/{id}/stage ${tag}`, n, concurrency, (i) => issue(i >= 0 ? drafts[i] : spare[-1 - i]));
    const both = await measure(`create+issue ${tag}`, n, concurrency, async (i) => issue(await create(i)));
    const rawList = await measure(`raw Query gsi1, 20 items (SDK) ${tag}`, n, concurrency, rawQuery);
    const list = await measure(`list: GET /v1/invoices?limit=20 ${tag}`, n, concurrency, () => call('GET', '/v1/invoices?limit=20'));
    const filtered = await measure(`list: ?stage=VIEWED&sort=-total ${tag}`, n, concurrency, () =>
      call('GET', '/v1/invoices?limit=20&stage=VIEWED&sort=-total'),
    );
    const search = await measure(`search: ?q=bench (lookup index + BatchGet) ${tag}`, n, concurrency, () => call('GET', '/v1/invoices?limit=20&q=bench'));
    rows.push(rawTx, created, issued, both, rawList, list, filtered, search);
  }

  // a burst: many issues of one series at once (one process: the issue queue commits them in groups)
  const burst = ctx.quick ? 40 : 100;
  const burstDrafts = await Promise.all(Array.from({ length: burst + 5 }, (_, i) => create(2000 + i)));
  rows.push(await measure(`issue burst, one series ${burst} at once`, burst, burst, (i) => issue(burstDrafts[i >= 0 ? i + 5 : -1 - i])));

  const base = (row: Stats) => {
    const c = `c${row.concurrency}`;
    if (row.name.startsWith('raw')) return row;
    if (row.name.startsWith('list') || row.name.startsWith('search')) return rows.find((r) => r.name === `raw Query gsi1, 20 items (SDK) ${c}`);
    return (
      rows.find((r) => r.name === `raw TransactWriteItems, 5 items (SDK) ${c}`) ??
      rows.find((r) => r.name.startsWith('raw TransactWriteItems') && r.concurrency === 8)
    );
  };
  const table = report('Invoices through the local gateway vs raw DynamoDB calls', rows, base);
  const perSecond = (name: string) => rows.find((r) => r.name === name)?.perSecond ?? NaN;
  const summary = [
    '',
    `Invoices created+issued per second: ${perSecond('create+issue c1').toFixed(1)} at concurrency 1, ${perSecond('create+issue c8').toFixed(1)} at concurrency 8`,
    `(raw 5-item TransactWriteItems: ${perSecond('raw TransactWriteItems, 5 items (SDK) c1').toFixed(1)}/s and ${perSecond('raw TransactWriteItems, 5 items (SDK) c8').toFixed(1)}/s).`,
    'Create+issue is two requests (two transactions plus reads: auth, client, pipeline, counter); local timings say nothing about AWS latency.',
  ].join('\n');
  console.log(summary);
  return `${table}\n${summary}`;
}
