import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { runtimeClosure } from './chromium-layer';

/**
 * The third-party packages every function shares that cannot be tree-shaken (CommonJS): ElectroDB,
 * nodemailer, and libphonenumber-js, whose phone metadata (~190 KB minified with its code) would otherwise push
 * the client functions' bundles past 400 KB, and decimal.js (one class every function uses, 33 KB minified),
 * qrcode and stripe (the hosted invoice page's QR code and card payments). They ship once, in this layer (`nodejs/node_modules/<name>`), instead of inside each function's
 * bundle; the bundles leave them external and Node resolves them from /opt/nodejs/node_modules, as it does the
 * AWS SDK from the runtime. Assembled at synth time, offline, like the Chromium layer. (The PDF functions
 * bundle them as before.)
 */
export const SHARED_PACKAGES = [
  'electrodb',
  'nodemailer',
  'libphonenumber-js',
  'decimal.js',
  'qrcode',
  'stripe',
  'ibantools',
  '@aws-lambda-powertools/idempotency',
] as const;

/**
 * Packages the layer carries as ONE prebuilt CommonJS file instead of their installed tree (Node then resolves
 * and compiles one module instead of dozens), with the module substitutions given. ElectroDB's model
 * validation (jsonschema) is replaced by the check of electrodb-model-check.cjs: the models are fixed at build
 * time and validated by the test suite with the real jsonschema. Measured in `npm run bench` (cold start).
 */
export const PREBUILT_PACKAGES: Partial<Record<(typeof SHARED_PACKAGES)[number], Record<string, string>>> = {
  electrodb: { jsonschema: join(import.meta.dirname, 'electrodb-model-check.cjs') },
  // the QR drawer (hosted invoice page, ~56 KB with pngjs) and the Stripe library (~246 KB: the Pay button and
  // the Stripe webhook): one file each, their own dependencies inside (qrcode's CLI-only yargs never loads)
  qrcode: {},
  stripe: {},
  // IBAN and BIC checks (settings, the EPC QR code of the hosted page, bank statements): ~18 KB in every bundle otherwise
  ibantools: {},
  // the Idempotency-Key utility with its JMESPath engine and commons (~52 KB in every HTTP bundle otherwise),
  // loaded on the first request that carries a key (functions/adapters/dynamo/idempotency.ts)
  '@aws-lambda-powertools/idempotency': {},
};

/**
 * Subpaths of a prebuilt package that its one file also answers (`<name>/<subpath>` resolves to the same
 * file, so both share one copy of the package's classes).
 */
export const PREBUILT_SUBPATHS: Partial<Record<(typeof SHARED_PACKAGES)[number], string[]>> = {
  '@aws-lambda-powertools/idempotency': ['dynamodb'],
};

export class DepsLayer extends Construct {
  readonly layer: lambda.LayerVersion;
  /** The module names the bundles leave to the layer (the packages and what they need at run time). */
  readonly externalModules: string[];

  /** One layer per stack, shared by every function in it. */
  static of(scope: Construct, projectRoot: string): DepsLayer {
    const stack = Stack.of(scope);
    const id = 'DepsLayer';
    return (stack.node.tryFindChild(id) as DepsLayer | undefined) ?? new DepsLayer(stack, id, { projectRoot });
  }

  constructor(scope: Construct, id: string, props: { projectRoot: string }) {
    super(scope, id);
    const assembled = assembleDepsLayer(props.projectRoot);
    this.externalModules = assembled.modules;
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code: lambda.Code.fromAsset(assembled.dir),
      compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
      description: `Shared packages: ${assembled.packages.join(', ')}`.slice(0, 256),
      license: 'MIT',
    });
  }
}

/** Assembles (or finds, already assembled) the layer directory: SHARED_PACKAGES and their runtime closure, AWS SDK left out. */
export function assembleDepsLayer(projectRoot: string, cacheRoot = join(tmpdir(), 'crm-invoicing-layers')) {
  // Each shared package itself; its own dependencies must be shared too, except the AWS SDK (the runtime's).
  const unique = SHARED_PACKAGES.map((name) => {
    const [pkg] = runtimeClosure(name, projectRoot);
    if (PREBUILT_PACKAGES[name]) return pkg;
    const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const unshared = Object.keys(manifest.dependencies ?? {}).filter((d) => !d.startsWith('@aws-sdk/') && !(SHARED_PACKAGES as readonly string[]).includes(d));
    if (unshared.length) throw new Error(`deps layer: ${name} needs ${unshared.join(', ')}: add them to SHARED_PACKAGES`);
    return pkg;
  });
  const key = createHash('sha256')
    .update(JSON.stringify({ layout: 3, packages: unique.map((p) => [p.target, p.version]), prebuilt: PREBUILT_PACKAGES, subpaths: PREBUILT_SUBPATHS }))
    .update(
      Object.values(PREBUILT_PACKAGES)
        .flatMap((subs) => Object.values(subs ?? {}).map((file) => readFileSync(file, 'utf8')))
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheRoot, `deps-${key}`);
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    const building = `${dir}.${process.pid}.${Date.now()}.tmp`;
    rmSync(building, { recursive: true, force: true });
    for (const pkg of unique) {
      const substitutions = PREBUILT_PACKAGES[pkg.name as (typeof SHARED_PACKAGES)[number]];
      if (substitutions) {
        prebuild(
          pkg,
          join(building, 'layer', 'nodejs', pkg.target),
          substitutions,
          PREBUILT_SUBPATHS[pkg.name as (typeof SHARED_PACKAGES)[number]] ?? [],
          projectRoot,
        );
        continue;
      }
      cpSync(pkg.dir, join(building, 'layer', 'nodejs', pkg.target), {
        recursive: true,
        dereference: true,
        filter: (source) => basename(source) !== 'node_modules' || source === pkg.dir,
      });
    }
    writeFileSync(
      join(building, 'manifest.json'),
      JSON.stringify({ packages: unique.map((p) => `${p.target}@${p.version}`), modules: [...new Set(unique.map((p) => p.name))] }, null, 2),
    );
    mkdirSync(cacheRoot, { recursive: true });
    try {
      renameSync(building, dir);
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(manifestFile)) throw error;
    }
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { packages: string[]; modules: string[] };
  return { dir: join(dir, 'layer'), packages: manifest.packages, modules: manifest.modules };
}

/**
 * One package as one minified CommonJS file (its own dependencies inside, the AWS SDK left to the runtime); with
 * `subpaths`, the file exports those subpaths' names too and the package's `exports` map them to it.
 */
function prebuild(
  pkg: { dir: string; name: string; version: string },
  target: string,
  substitutions: Record<string, string>,
  subpaths: string[],
  projectRoot: string,
): void {
  const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8')) as { main?: string };
  const entry = subpaths.length
    ? {
        stdin: {
          contents: [pkg.name, ...subpaths.map((sub) => `${pkg.name}/${sub}`)].map((from) => `export * from ${JSON.stringify(from)};`).join('\n'),
          resolveDir: projectRoot,
          sourcefile: `${pkg.name}-entry.js`,
        },
      }
    : { entryPoints: [join(pkg.dir, manifest.main ?? 'index.js')] };
  buildSync({
    ...entry,
    outfile: join(target, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    keepNames: true,
    alias: substitutions,
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  const exports = subpaths.length
    ? { exports: Object.fromEntries([['.', './index.js'], ...subpaths.map((sub) => [`./${sub}`, './index.js']), ['./package.json', './package.json']]) }
    : {};
  writeFileSync(join(target, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, main: 'index.js', ...exports }, null, 2));
}
