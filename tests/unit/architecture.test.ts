import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

const adaptersDir = join(root, 'functions/adapters');

/** An import a handler may not have: an adapter (by any path) or any AWS SDK package (clients, lib-*, util-*). */
function forbiddenInHandler(spec: string, file: string): boolean {
  if (spec.startsWith('@aws-sdk/')) return true;
  if (spec.includes('/adapters/') || spec.endsWith('/adapters')) return true;
  if (!spec.startsWith('.')) return false;
  const target = resolve(dirname(file), spec);
  return target === adaptersDir || target.startsWith(adaptersDir + sep);
}

describe('architecture', () => {
  it('keeps the domain free of AWS, ElectroDB, puppeteer and the environment', () => {
    const offenders: string[] = [];
    for (const file of files(join(root, 'functions/domain'))) {
      const source = readFileSync(file, 'utf8');
      for (const spec of importsOf(file)) {
        if (/^(@aws-sdk\/|@aws-lambda-powertools\/|electrodb|puppeteer|@sparticuz\/|@middy\/)/.test(spec)) offenders.push(`${relative(root, file)} imports ${spec}`);
        if (spec.startsWith('.') && /\/(adapters|handlers|shared)\//.test(resolve(join(file, '..'), spec) + '/')) offenders.push(`${relative(root, file)} imports ${spec}`);
      }
      if (/process\.env/.test(source)) offenders.push(`${relative(root, file)} reads process.env`);
    }
    expect(offenders).toEqual([]);
  });

  it('lets only adapters import the AWS SDK (clients, lib-*, util-*) and puppeteer', () => {
    const offenders = files(join(root, 'functions'))
      .filter((f) => !f.includes('/adapters/'))
      .flatMap((f) => importsOf(f).filter((s) => /^@aws-sdk\/|^puppeteer|^@sparticuz\//.test(s)).map((s) => `${relative(root, f)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it('lets handlers reach adapters only through functions/shared (wiring), never by import', () => {
    const offenders = files(join(root, 'functions/handlers'))
      .flatMap((f) => importsOf(f).filter((s) => forbiddenInHandler(s, f)).map((s) => `${relative(root, f)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it('recognises an adapter or AWS SDK import in a handler, whatever the path', () => {
    const handler = join(root, 'functions/handlers/public/some-handler.ts');
    for (const spec of ['../../adapters/pdf/template-engine', '../../adapters', '../../../functions/adapters/dynamo/stream', '@aws-sdk/util-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/lib-dynamodb']) {
      expect(forbiddenInHandler(spec, handler), spec).toBe(true);
    }
    for (const spec of ['../../shared/wiring', '../../shared/pdf-wiring', '../../domain/format', './page', 'zod', 'aws-lambda']) {
      expect(forbiddenInHandler(spec, handler), spec).toBe(false);
    }
  });

  it('keeps infra from importing function code (it names handler files by path)', () => {
    const offenders = files(join(root, 'infra'))
      .filter((f) => !f.includes('/local/') && !f.includes('/scripts/'))
      .flatMap((f) => importsOf(f).filter((s) => s.includes('functions/')).map((s) => `${relative(root, f)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it('keeps templates independent of functions', () => {
    const offenders = files(join(root, 'templates')).flatMap((f) => importsOf(f).filter((s) => s.includes('functions')));
    expect(offenders).toEqual([]);
  });
});
