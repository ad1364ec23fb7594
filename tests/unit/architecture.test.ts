/**
 * What may import what (docs/architecture.md), checked on the sources: the layers, the business areas of
 * the domain (each reached only through its index.ts), and no import cycles.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const domainDir = join(root, 'functions/domain');
const adaptersDir = join(root, 'functions/adapters');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier of a file: static imports, re-exports and dynamic imports. */
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

/** Imports that only bring types (erased at build time: they cannot make a runtime cycle). */
const typeOnly = (file: string) =>
  new Set([...readFileSync(file, 'utf8').matchAll(/(?:import|export)\s+type\s[^;]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]));

/** The file a relative specifier names, or undefined for a package. */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(file), spec);
  return [base, `${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile()) ?? base;
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/** The business area of a domain file (`functions/domain/<area>/...`), else undefined. */
function areaOf(path: string): string | undefined {
  if (!inside(path, domainDir)) return undefined;
  return relative(domainDir, path).split(sep)[0];
}

/** An import a handler may not have: an adapter (by any path) or any AWS SDK package (clients, lib-*, util-*). */
function forbiddenInHandler(spec: string, file: string): boolean {
  if (spec.startsWith('@aws-sdk/')) return true;
  if (spec.includes('/adapters/') || spec.endsWith('/adapters')) return true;
  if (!spec.startsWith('.')) return false;
  return inside(resolve(dirname(file), spec), adaptersDir);
}

/**
 * An import that reaches into another area of the domain past its index.ts. Within an area, files import
 * each other freely; from anywhere else (another area, adapters, shared, handlers), only `<area>/index.ts`.
 */
function reachesPastIndex(spec: string, file: string): boolean {
  const to = target(file, spec);
  if (!to) return false;
  const area = areaOf(to);
  if (!area) return false;
  if (areaOf(file) === area) return false;
  return to !== join(domainDir, area, 'index.ts');
}

/** Import cycles among the given files (runtime imports only), each as the list of files around it. */
function cycles(all: string[]): string[][] {
  const edges = new Map(
    all.map((f) => {
      const types = typeOnly(f);
      return [
        f,
        importsOf(f)
          .filter((s) => !types.has(s))
          .map((s) => target(f, s))
          .filter((t): t is string => !!t && all.includes(t)),
      ];
    }),
  );
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      found.push([...stack.slice(stack.indexOf(f)), f].map((p) => relative(root, p)));
      return;
    }
    state.set(f, 'open');
    stack.push(f);
    for (const next of edges.get(f) ?? []) visit(next);
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of all) visit(f);
  return found;
}

describe('architecture', () => {
  it('keeps the domain free of AWS, ElectroDB, puppeteer and the environment', () => {
    const offenders: string[] = [];
    for (const file of files(domainDir)) {
      const source = readFileSync(file, 'utf8');
      for (const spec of importsOf(file)) {
        if (/^(@aws-sdk\/|@aws-lambda-powertools\/|electrodb|puppeteer|@sparticuz\/|@middy\/)/.test(spec))
          offenders.push(`${relative(root, file)} imports ${spec}`);
        if (spec.startsWith('.') && /\/(adapters|handlers|shared)\//.test(resolve(join(file, '..'), spec) + '/'))
          offenders.push(`${relative(root, file)} imports ${spec}`);
      }
      if (/process\.env/.test(source)) offenders.push(`${relative(root, file)} reads process.env`);
    }
    expect(offenders).toEqual([]);
  });

  it('lets the domain import only the domain, the event contracts, the text catalogues and a few pure packages', () => {
    // Pure: no I/O, no clock, no environment. fast-xml-parser only writes the e-invoices' XML (einvoicing/),
    // ibantools checks IBANs and BICs (payments/epc-qr), ipaddr.js classifies IP addresses (webhooks/address-policy),
    // libphonenumber-js/max validates and formats phone numbers (kernel/text, loaded on first use with node:module's createRequire).
    // Image drawing (qrcode, pdf-lib, Chromium) is not here: it is rendering, in adapters (adapters/qr, adapters/pdf).
    // csv-parse/sync reads bank statements (payments/bank-csv).
    const pure = new Set([
      'decimal.js',
      'ulid',
      'node:crypto',
      'fast-xml-parser',
      'ibantools',
      'ipaddr.js',
      'csv-parse/sync',
      'libphonenumber-js/max',
      'node:module',
    ]);
    const catalogues = join(root, 'templates/i18n');
    const offenders = files(domainDir).flatMap((file) =>
      importsOf(file)
        .filter((spec) => {
          const to = target(file, spec);
          if (!to) return !pure.has(spec);
          // the catalogues are data (JSON), the one thing of templates/ the domain reads
          if (inside(to, catalogues) && to.endsWith('.json')) return false;
          return !inside(to, domainDir) && !inside(to, join(root, 'events'));
        })
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('names the business areas in functions/domain, each with an index.ts as its public surface', () => {
    const areas = readdirSync(domainDir).filter((name) => statSync(join(domainDir, name)).isDirectory());
    expect(areas).toEqual(
      expect.arrayContaining(['kernel', 'clients', 'sales', 'invoicing', 'documents', 'delivery', 'tenancy', 'einvoicing', 'register', 'payments', 'webhooks']),
    );
    expect(readdirSync(domainDir).filter((name) => name.endsWith('.ts'))).toEqual([]);
    for (const area of areas) expect(existsSync(join(domainDir, area, 'index.ts')), `${area}/index.ts`).toBe(true);
  });

  it('lets other areas, adapters, shared and handlers reach an area only through its index.ts', () => {
    const offenders = [...files(join(root, 'functions'))].flatMap((file) =>
      importsOf(file)
        .filter((spec) => reachesPastIndex(spec, file))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('recognises an import past an area index, and allows one inside the area', () => {
    const handler = join(root, 'functions/handlers/http/some-handler.ts');
    expect(reachesPastIndex('../../domain/invoicing/invoice', handler)).toBe(true);
    expect(reachesPastIndex('../../domain/invoicing', handler)).toBe(false);
    expect(reachesPastIndex('../../domain/invoicing/index', handler)).toBe(false);
    const sales = join(root, 'functions/domain/sales/quote.ts');
    expect(reachesPastIndex('./deal', sales)).toBe(false);
    expect(reachesPastIndex('../invoicing/model', sales)).toBe(true);
    expect(reachesPastIndex('../invoicing', sales)).toBe(false);
  });

  it('has no import cycles in functions/ (runtime imports)', () => {
    expect(cycles(files(join(root, 'functions')))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const dir = join(root, 'tests/fixtures/cycle');
    expect(cycles(files(dir)).length).toBeGreaterThan(0);
  });

  it('lets only adapters import the AWS SDK (clients, lib-*, util-*) and puppeteer', () => {
    const offenders = files(join(root, 'functions'))
      .filter((f) => !f.includes('/adapters/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((s) => /^@aws-sdk\/|^puppeteer|^@sparticuz\//.test(s))
          .map((s) => `${relative(root, f)} imports ${s}`),
      );
    expect(offenders).toEqual([]);
  });

  it('lets handlers reach adapters only through functions/shared (wiring), never by import', () => {
    const offenders = files(join(root, 'functions/handlers')).flatMap((f) =>
      importsOf(f)
        .filter((s) => forbiddenInHandler(s, f))
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('recognises an adapter or AWS SDK import in a handler, whatever the path', () => {
    const handler = join(root, 'functions/handlers/public/some-handler.ts');
    for (const spec of [
      '../../adapters/pdf/template-engine',
      '../../adapters',
      '../../../functions/adapters/dynamo/stream',
      '@aws-sdk/util-dynamodb',
      '@aws-sdk/client-s3',
      '@aws-sdk/lib-dynamodb',
    ]) {
      expect(forbiddenInHandler(spec, handler), spec).toBe(true);
    }
    for (const spec of ['../../shared/wiring', '../../shared/pdf-wiring', '../../domain/documents', './page', 'zod', 'aws-lambda']) {
      expect(forbiddenInHandler(spec, handler), spec).toBe(false);
    }
  });

  it('keeps shared from importing handlers', () => {
    const offenders = files(join(root, 'functions/shared')).flatMap((f) =>
      importsOf(f)
        .filter((s) => {
          const to = target(f, s);
          return !!to && inside(to, join(root, 'functions/handlers'));
        })
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('imports zod as a namespace in function code, so each bundle keeps only the zod it uses (not `import { z }`)', () => {
    const offenders = [...files(join(root, 'functions')), ...files(join(root, 'events'))].filter((f) =>
      /import\s*\{[^}]*\bz\b[^}]*\}\s*from\s*['"]zod['"]/.test(readFileSync(f, 'utf8').replace(/import\s+type\s*\{[^}]*\}\s*from\s*['"]zod['"]/g, '')),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('keeps infra from importing function code (it names handler files by path)', () => {
    const offenders = files(join(root, 'infra'))
      .filter((f) => !f.includes('/local/') && !f.includes('/scripts/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((s) => s.includes('functions/'))
          .map((s) => `${relative(root, f)} imports ${s}`),
      );
    expect(offenders).toEqual([]);
  });

  it('keeps templates independent of functions', () => {
    const offenders = files(join(root, 'templates')).flatMap((f) => importsOf(f).filter((s) => s.includes('functions')));
    expect(offenders).toEqual([]);
  });
});
