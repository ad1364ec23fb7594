/**
 * Cold start of each HTTP function: how long a fresh Node.js process takes to import its bundle (what the
 * Lambda runtime does at init), beside the floor measured in the same run: a module that only imports the
 * DynamoDB client and its document library (every function needs them). Bundles are built here with the
 * options of infra/constructs/app-function.ts (minified ESM, the AWS SDK and the shared layer's packages
 * external). The shared packages are resolved from the deps layer as synth assembles it (copied beside the
 * bundles), the AWS SDK from node_modules, as they are from the layer and the runtime on Lambda.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { AWS_SDK_EXTERNALS, DROPPED_LABELS, ESM_REQUIRE_BANNER } from '../../infra/constructs/app-function';
import { assembleDepsLayer, SHARED_PACKAGES } from '../../infra/constructs/deps-layer';
import { functions } from '../../infra/functions';
import type { BenchContext } from './run';

const root = resolve(import.meta.dirname, '../..');

/** Milliseconds to import `file` in a new process, the median of `runs` processes. */
function importTime(file: string, runs: number): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TABLE_NAME: 'bench', AWS_REGION: 'eu-west-1', LOG_LEVEL: 'ERROR' },
    });
    if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr.slice(0, 500)}`);
    times.push(Number(result.stdout.trim().split('\n').pop()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run(ctx: BenchContext): Promise<string> {
  const runs = ctx.quick ? 5 : 15;
  const dir = join(root, '.bench-bundles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    cpSync(join(assembleDepsLayer(root).dir, 'nodejs', 'node_modules'), join(dir, 'node_modules'), { recursive: true });
    const floor = join(dir, 'floor.mjs');
    writeFileSync(floor, "import '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/lib-dynamodb';\n");
    const floorMs = importTime(floor, runs);
    // What every function loads besides: the entity library and the money library, from the shared layer. Not the
    // aim's floor (the is the DynamoDB client alone); shown so a reader sees how much is the bundle's own.
    const shared = join(dir, 'shared.mjs');
    writeFileSync(shared, "import '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/lib-dynamodb';\nimport 'electrodb';\nimport 'decimal.js';\n");
    const sharedMs = importTime(shared, runs);
    const rows: string[] = [];
    for (const [name, spec] of Object.entries(functions) as [string, { entry: string; routes?: string[]; pdf?: boolean }][]) {
      if (!spec.routes?.length || spec.pdf) continue;
      const outfile = join(dir, `${name}.mjs`);
      await build({
        entryPoints: [join(root, spec.entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: { js: ESM_REQUIRE_BANNER },
        minify: true,
        charset: 'utf8',
        keepNames: true,
        dropLabels: DROPPED_LABELS,
        external: [...AWS_SDK_EXTERNALS, ...SHARED_PACKAGES],
        logLevel: 'error',
      });
      const ms = importTime(outfile, runs);
      rows.push(`| ${name} | ${Math.round(statSync(outfile).size / 1024)} | ${ms.toFixed(1)} | ${(ms / floorMs).toFixed(2)}x |`);
    }
    const text = [
      "\n## Cold start: importing each HTTP function's bundle in a new process (median of " + runs + ')',
      `Floor (same run): importing @aws-sdk/client-dynamodb + @aws-sdk/lib-dynamodb alone = ${floorMs.toFixed(1)} ms. Aim: at most 1.5x.`,
      `With the layer's ElectroDB and decimal.js, which every function but health loads too: ${sharedMs.toFixed(1)} ms (${(sharedMs / floorMs).toFixed(2)}x the floor).`,
      '| function | bundle KB | import ms | vs floor |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n');
    console.log(text);
    return text;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
