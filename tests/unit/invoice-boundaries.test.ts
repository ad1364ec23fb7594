import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The invoice domain stays pure: no AWS SDK, no ElectroDB, no environment (CONVENTIONS.md). */
const files = ['invoices.ts', 'invoice-list.ts', 'invoice-issuing.ts', 'outbox.ts', 'timeline.ts'];

describe('invoice domain boundaries', () => {
  it.each(files)('%s imports no AWS SDK or ElectroDB and reads no process.env', (file) => {
    const source = readFileSync(resolve(import.meta.dirname, '../../functions/domain', file), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);

    expect(imports.filter((i) => /^(@aws-sdk|electrodb|puppeteer)/.test(i))).toEqual([]);
    expect(imports.every((i) => i.startsWith('./') || i.startsWith('../../events/') || i === 'decimal.js' || i === 'ulid')).toBe(true);
    expect(source).not.toMatch(/process\.env/);
  });
});
