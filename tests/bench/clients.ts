import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { measure, report, type Stats } from './harness';
import type { BenchContext } from './run';

const company = (i: number) => ({
  name: `Bench Company ${i}`,
  legalName: `Bench Company ${i} S.L.`,
  taxId: `B${String(10_000_000 + i)}`,
  email: `billing${i}@bench.example`,
  address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
});

/**
 * POST /v1/companies and GET /v1/companies/{id} through the local gateway (auth, validation,
 * ElectroDB, problem mapping) beside the same DynamoDB operation done directly with the SDK.
 */
export async function run(ctx: BenchContext): Promise<string> {
  const headers = { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json' };
  const n = ctx.quick ? 60 : 300;
  const ids: string[] = [];
  const rows: Stats[] = [];
  const raw = ctx.rawDynamo;

  for (const concurrency of [1, 8]) {
    const rawPut = await measure(`raw PutItem (SDK) c${concurrency}`, n, concurrency, (i) =>
      raw.client.send(
        new PutItemCommand({
          TableName: raw.tableName,
          Item: { pk: { S: `BENCH#${concurrency}#${i}` }, sk: { S: 'x' }, body: { S: JSON.stringify(company(i)) } },
        }),
      ),
    );
    const post = await measure(`POST /v1/companies c${concurrency}`, n, concurrency, async (i) => {
      const res = await fetch(`${ctx.apiUrl}/v1/companies`, { method: 'POST', headers, body: JSON.stringify(company(i)) });
      const body = (await res.json()) as { id: string };
      if (res.status !== 201) throw new Error(`POST failed: ${res.status}`);
      if (i >= 0) ids.push(body.id);
    });
    const rawGet = await measure(`raw GetItem (SDK) c${concurrency}`, n, concurrency, (i) =>
      raw.client.send(new GetItemCommand({ TableName: raw.tableName, Key: { pk: { S: `BENCH#${concurrency}#${Math.max(0, i)}` }, sk: { S: 'x' } } })),
    );
    const get = await measure(`GET /v1/companies/{id} c${concurrency}`, n, concurrency, async (i) => {
      const res = await fetch(`${ctx.apiUrl}/v1/companies/${ids[Math.max(0, i) % ids.length]}`, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET failed: ${res.status}`);
    });
    rows.push(rawPut, post, rawGet, get);
  }
  return report('Companies through the local gateway vs the raw DynamoDB call', rows, (row) => {
    const c = row.concurrency;
    if (row.name.startsWith('POST')) return rows.find((r) => r.name === `raw PutItem (SDK) c${c}`);
    if (row.name.startsWith('GET')) return rows.find((r) => r.name === `raw GetItem (SDK) c${c}`);
    return row;
  });
}
