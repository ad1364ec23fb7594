import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { brotliDecompressSync, constants as zlib } from 'node:zlib';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export const CHROMIUM_PACKAGE = '@sparticuz/chromium';

/**
 * A Lambda layer holding `@sparticuz/chromium` (its brotli-compressed headless Chromium, fonts and
 * libraries, ~66 MB) and the packages it needs at run time, exactly as installed in node_modules:
 * `nodejs/node_modules/@sparticuz/chromium/**`, `nodejs/node_modules/tar-fs/**`, ...
 *
 * Built at synth time, offline (no download, no Docker): the directory is assembled once per machine in
 * the OS temp dir (keyed by the packages' versions) and CDK stages it as an ordinary asset.
 * The function's bundle leaves `@sparticuz/chromium` external, and Node resolves it from /opt/nodejs/node_modules
 * (the nodejs runtimes resolve ES module imports from layers since Node 18).
 *
 * The npm package ships ONE binary: x86_64 (e_machine read from the ELF header at synth time). The layer and
 * the functions using it take that architecture, whatever the other functions run on.
 */
export class ChromiumLayer extends Construct {
  readonly layer: lambda.LayerVersion;
  readonly architecture: lambda.Architecture;
  readonly version: string;

  /** One layer per stack, shared by every PDF function in it. */
  static of(scope: Construct, projectRoot: string): ChromiumLayer {
    const stack = Stack.of(scope);
    const id = 'ChromiumLayer';
    return (stack.node.tryFindChild(id) as ChromiumLayer | undefined) ?? new ChromiumLayer(stack, id, { projectRoot });
  }

  constructor(scope: Construct, id: string, props: { projectRoot: string }) {
    super(scope, id);
    const assembled = assembleChromiumLayer(props.projectRoot);
    this.version = assembled.version;
    this.architecture = assembled.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code: lambda.Code.fromAsset(assembled.dir),
      compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
      compatibleArchitectures: [this.architecture],
      description: `${CHROMIUM_PACKAGE} ${assembled.version} (${assembled.architecture}) and its runtime dependencies`,
      license: 'MIT',
    });
  }
}

export interface AssembledLayer {
  /** The layer's content: nodejs/node_modules/... */
  dir: string;
  version: string;
  architecture: 'x86_64' | 'arm64';
  /** Package directories copied, relative to the layer's nodejs/ folder. */
  packages: string[];
}

interface PackageDir {
  name: string;
  version: string;
  dir: string;
  /** Where it goes under nodejs/: its path relative to the project (node_modules/a/node_modules/b keeps its nesting). */
  target: string;
}

/** Assembles (or finds, already assembled) the layer directory for the installed @sparticuz/chromium. */
export function assembleChromiumLayer(projectRoot: string, cacheRoot = join(tmpdir(), 'crm-invoicing-layers')): AssembledLayer {
  const packages = runtimeClosure(CHROMIUM_PACKAGE, projectRoot);
  const chromium = packages[0];
  const key = createHash('sha256')
    .update(JSON.stringify({ layout: 1, packages: packages.map((p) => [p.target, p.name, p.version]) }))
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheRoot, `chromium-${chromium.version}-${key}`);
  const manifestFile = join(dir, 'manifest.json');

  if (!existsSync(manifestFile)) {
    const architecture = chromiumArchitecture(join(chromium.dir, 'bin', 'chromium.br'));
    const building = `${dir}.${process.pid}.${Date.now()}.tmp`;
    rmSync(building, { recursive: true, force: true });
    for (const pkg of packages) {
      cpSync(pkg.dir, join(building, 'layer', 'nodejs', pkg.target), {
        recursive: true,
        dereference: true,
        // Nested node_modules are copied as packages of their own (only those needed at run time).
        filter: (source) => basename(source) !== 'node_modules' || source === pkg.dir,
      });
    }
    const manifest = { version: chromium.version, architecture, packages: packages.map((p) => `${p.target}@${p.version}`) };
    writeFileSync(join(building, 'manifest.json'), JSON.stringify(manifest, null, 2));
    mkdirSync(cacheRoot, { recursive: true });
    try {
      renameSync(building, dir);
    } catch (error) {
      // Another synth (a parallel test file) finished the same layer first: use it.
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(manifestFile)) throw error;
    }
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { version: string; architecture: 'x86_64' | 'arm64'; packages: string[] };
  return { dir: join(dir, 'layer'), version: manifest.version, architecture: manifest.architecture, packages: manifest.packages };
}

/**
 * A package and every package it needs at run time (dependencies, installed optionalDependencies and
 * required peers), resolved the way Node resolves them from the requiring package's directory.
 */
export function runtimeClosure(name: string, projectRoot: string): PackageDir[] {
  const found = new Map<string, PackageDir>();
  const visit = (pkgName: string, fromDir: string, optional: boolean): void => {
    const dir = resolvePackageDir(pkgName, fromDir);
    if (!dir) {
      if (optional) return;
      throw new Error(`${CHROMIUM_PACKAGE} layer: cannot find ${pkgName} (needed from ${fromDir}); run npm ci`);
    }
    if (found.has(dir)) return;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      version: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const rel = relative(realpathSync(projectRoot), dir);
    const target = rel.startsWith('node_modules' + sep) ? rel.split(sep).join('/') : `node_modules/${pkgName}`;
    found.set(dir, { name: pkgName, version: manifest.version, dir, target });
    const optionalDeps = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, optionalDeps.has(dep));
    for (const dep of optionalDeps) visit(dep, dir, true);
    for (const dep of Object.keys(manifest.peerDependencies ?? {})) {
      visit(dep, dir, manifest.peerDependenciesMeta?.[dep]?.optional === true ? true : false);
    }
  };
  visit(name, projectRoot, false);
  return [...found.values()];
}

function resolvePackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** x86_64 or arm64, from the ELF header of the brotli-compressed binary (only its first block is inflated). */
export function chromiumArchitecture(brotliBinary: string): 'x86_64' | 'arm64' {
  const fd = openSync(brotliBinary, 'r');
  const head = Buffer.alloc(64 * 1024);
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const elf = brotliDecompressSync(head, { finishFlush: zlib.BROTLI_OPERATION_FLUSH });
  if (elf.length < 20 || elf.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${brotliBinary} is not a compressed ELF binary`);
  const machine = elf.readUInt16LE(18);
  if (machine === 62) return 'x86_64';
  if (machine === 183) return 'arm64';
  throw new Error(`${brotliBinary}: unsupported ELF machine ${machine}`);
}
