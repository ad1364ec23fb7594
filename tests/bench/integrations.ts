import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { createStripeGateway, STRIPE_API_VERSION } from '../../functions/adapters/payments/stripe';
import { qrPng, qrSvg } from '../../functions/adapters/qr/qr-code';
import { createHttpWebhookSender } from '../../functions/adapters/webhooks/http-sender';
import { EpcQr } from '../../functions/domain/payments';
import { WebhookSubscriptions } from '../../functions/domain/webhooks';
import { StripeStandIn } from '../fixtures/stripe-stand-in';
import { WebhookReceiver } from '../fixtures/webhook-receiver';
import { measure, report } from './harness';
import type { BenchContext } from './run';

const root = resolve(import.meta.dirname, '../..');

/**
 * The building blocks of issue 13, each beside a baseline measured in the same run:
 * webhook delivery (our checked, signed sender vs a bare http.request POST to the same loopback receiver),
 * signing and verification (the libraries vs node:crypto HMAC), Stripe session creation (the library vs a
 * bare http.request form POST to the same stand-in), QR drawing (vs building the payload), and what each dependency
 * adds to a function bundle and its cold import (vs an existing function, the invoices routes).
 */
export async function run(ctx: BenchContext): Promise<string> {
  const out: string[] = [];
  const n = ctx.quick ? 50 : 300;

  // ---- webhook delivery over loopback ----
  const receiver = new WebhookReceiver([{ status: 204 }]);
  await receiver.start();
  const secret = WebhookSubscriptions.generateWebhookSecret();
  const body = JSON.stringify({ type: 'invoice.paid', timestamp: new Date().toISOString(), data: { invoiceId: 'inv_1', total: '121.00' } });
  const sender = createHttpWebhookSender({ allowLoopback: true });
  const rawPost = () =>
    new Promise<void>((done, fail) => {
      const req = http.request(`${receiver.url}/raw`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', done);
      });
      req.on('error', fail);
      req.end(body);
    });
  const rawRow = await measure('bare http.request POST (baseline)', n, 4, rawPost);
  const sendRow = await measure('webhook sender: resolve + check + sign + POST + capped read', n, 4, async () => {
    const r = await sender.send({ url: `http://localhost:${receiver.port}/in`, webhookId: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
    if (r.error) throw new Error(r.error.message);
  });
  await receiver.stop();
  out.push(report('Webhook delivery to a loopback receiver (concurrency 4)', [rawRow, sendRow], () => rawRow));

  // ---- signatures ----
  const m = ctx.quick ? 2000 : 20000;
  const key = Buffer.from(secret.slice(6), 'base64');
  const hmacRow = await measure(
    'node:crypto HMAC-SHA256 (baseline)',
    m,
    1,
    async () => void createHmac('sha256', key).update(`msg_1.1700000000.${body}`).digest('base64'),
  );
  const hook = new Webhook(secret);
  const signRow = await measure('standardwebhooks sign', m, 1, async () => void hook.sign('msg_1', new Date(), body));
  const stripeSecret = 'whsec_bench_0000000000000000000000';
  const now = Math.floor(Date.now() / 1000);
  const stripeHeader = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: stripeSecret, timestamp: now });
  const expected = createHmac('sha256', stripeSecret).update(`${now}.${body}`).digest();
  const rawVerify = await measure('node:crypto verify of a Stripe-Signature (baseline)', m, 1, async () => {
    const v1 = Buffer.from(stripeHeader.split('v1=')[1], 'hex');
    if (!timingSafeEqual(v1, createHmac('sha256', stripeSecret).update(`${now}.${body}`).digest()) || !v1.equals(expected)) throw new Error('bad');
  });
  const gateway = createStripeGateway();
  const libVerify = await measure(
    'stripe.webhooks.constructEvent (via our gateway)',
    m,
    1,
    async () => void gateway.verifyEvent(body, stripeHeader, stripeSecret, new Date()),
  );
  out.push(
    report('Signing and verification (per call)', [hmacRow, signRow, rawVerify, libVerify], (r) => (r === signRow ? hmacRow : r === libVerify ? rawVerify : r)),
  );

  // ---- Stripe Checkout Session creation against the stand-in ----
  const stripeKey = 'sk_test_bench0000000000000000';
  const standIn = new StripeStandIn(stripeKey, STRIPE_API_VERSION);
  await standIn.start();
  const port = standIn.port;
  const checkout = createStripeGateway({ host: '127.0.0.1', port, protocol: 'http' });
  const k = ctx.quick ? 30 : 150;
  const form = (i: number) =>
    new URLSearchParams({
      mode: 'payment',
      success_url: 'https://x.example/ok',
      cancel_url: 'https://x.example/no',
      client_reference_id: 'inv_1',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '12100',
      'line_items[0][price_data][product_data][name]': 'Invoice 1',
      'metadata[tenantId]': 'ten_1',
      'metadata[invoiceId]': 'inv_1',
      'metadata[sessionNonce]': `raw-${i}`,
    }).toString();
  const rawSession = await measure(
    'bare http.request form POST (baseline)',
    k,
    2,
    (i) =>
      new Promise<void>((done, fail) => {
        const headers = {
          authorization: `Bearer ${stripeKey}`,
          'stripe-version': STRIPE_API_VERSION,
          'idempotency-key': `raw-${i}-${Math.random()}`,
          'content-type': 'application/x-www-form-urlencoded',
        };
        const req = http.request(`http://127.0.0.1:${port}/v1/checkout/sessions`, { method: 'POST', headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => (JSON.parse(Buffer.concat(chunks).toString()), done()));
        });
        req.on('error', fail);
        req.end(form(i));
      }),
  );
  const libSession = await measure('stripe library checkout.sessions.create', k, 2, async (i) => {
    await checkout.createCheckoutSession(stripeKey, {
      tenantId: 'ten_1',
      invoiceId: 'inv_1',
      invoiceNumber: '1',
      amount: '121.00',
      currency: 'EUR',
      sessionNonce: `lib-${i}-${Math.random()}`,
      successUrl: 'https://x.example/ok',
      cancelUrl: 'https://x.example/no',
    });
  });
  await standIn.stop();
  out.push(report('Stripe Checkout Session creation against the local stand-in', [rawSession, libSession], () => rawSession));

  // ---- EPC QR ----
  const transfer = {
    name: 'Acme Iberia S.L.',
    iban: 'ES9121000418450200051332',
    bic: 'CAIXESBBXXX',
    amount: '1210.50',
    currency: 'EUR',
    remittance: 'F-2026-000123',
  };
  const q = ctx.quick ? 50 : 300;
  const payloadRow = await measure('EPC payload with IBAN check (baseline)', q, 1, async () => void EpcQr.epcQrPayload(transfer));
  const svgRow = await measure('payload + QR as SVG', q, 1, async () => void (await qrSvg(EpcQr.epcQrPayload(transfer), { maxVersion: 13 })));
  const pngRow = await measure('payload + QR as PNG (8 px per module)', q, 1, async () => void (await qrPng(EpcQr.epcQrPayload(transfer), { maxVersion: 13 })));
  out.push(report('EPC QR code', [payloadRow, svgRow, pngRow], () => payloadRow));

  out.push(await bundles());
  return out.join('\n');
}

/** What each new dependency adds to a function bundle built like infra's (esbuild, ESM, minified, AWS SDK external). */
async function bundles(): Promise<string> {
  // Inside the repository, so the bundles resolve the external AWS SDK from node_modules as Lambda's runtime would.
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, 'node_modules/.cache/bench-bundles-'));
  const baselineEntry = './functions/handlers/http/invoices.ts';
  const variants: [string, string][] = [
    ['invoices routes (baseline; empty module for the import)', ''],
    ['+ webhook sender (standardwebhooks, ipaddr.js)', './functions/adapters/webhooks/http-sender.ts'],
    ['+ Stripe gateway (stripe)', './functions/adapters/payments/stripe.ts'],
    ['+ QR images (qrcode)', './functions/adapters/qr/qr-code.ts'],
    ['+ EPC QR payload (ibantools)', './functions/domain/payments/epc-qr.ts'],
    ['+ KMS cipher (@aws-sdk/client-kms, external like the SDK)', './functions/adapters/secrets/kms-cipher.ts'],
  ];
  const bundle = async (contents: string) => {
    const result = await build({
      stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      write: false,
      minify: true,
      keepNames: true,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    return result.outputFiles[0].contents;
  };
  /** Wall time of a fresh node process importing the file (process start included, as in a cold start). */
  const coldImportMs = (file: string) => {
    const t0 = performance.now();
    execFileSync(process.execPath, ['-e', `import(${JSON.stringify(file)})`], { cwd: root, env: { ...process.env, TABLE_NAME: 'bench' }, stdio: 'ignore' });
    return performance.now() - t0;
  };
  const rows: { name: string; bytes: number; aloneBytes: number; importMs: number }[] = [];
  try {
    const files: string[] = [];
    for (const [i, [name, extra]] of variants.entries()) {
      const withBase = await bundle([`export * as base from '${baselineEntry}';`, extra ? `export * as extra from '${extra}';` : ''].join('\n'));
      const alone = await bundle(extra ? `export * as extra from '${extra}';` : 'export {};');
      files.push(join(dir, `v${i}.mjs`));
      writeFileSync(files[i], alone);
      rows.push({ name, bytes: withBase.length, aloneBytes: alone.length, importMs: 0 });
    }
    // Round-robin, so a burst of load on the shared machine hits every variant alike; median of 7.
    const times = files.map(() => [] as number[]);
    for (let round = 0; round < 7; round++) files.forEach((file, i) => times[i].push(coldImportMs(file)));
    times.forEach((t, i) => (rows[i].importMs = t.sort((a, b) => a - b)[3]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [base] = rows;
  const lines = [
    '\n## What each dependency adds to a function (esbuild like infra: ESM, minified, AWS SDK external)',
    'Sizes: the invoices routes function with the module added. Import: a fresh node process importing the module alone (median of 7), against one importing an empty module.',
    '| bundle | bytes | added bytes | size ratio | module alone, bytes | cold import ms | import ratio vs empty module |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.bytes} | ${r.bytes - base.bytes} | ${(r.bytes / base.bytes).toFixed(2)}x | ${r.aloneBytes} | ${r.importMs.toFixed(0)} | ${(r.importMs / base.importMs).toFixed(2)}x |`,
    ),
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}
