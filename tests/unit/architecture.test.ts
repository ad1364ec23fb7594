import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:import|from)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

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

  it('lets only adapters import AWS SDK clients and puppeteer', () => {
    const offenders = files(join(root, 'functions'))
      .filter((f) => !f.includes('/adapters/'))
      .flatMap((f) => importsOf(f).filter((s) => /^@aws-sdk\/client-|^puppeteer|^@sparticuz\//.test(s)).map((s) => `${relative(root, f)} imports ${s}`));
    expect(offenders).toEqual([]);
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
