import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity } from 'electrodb';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLoadedService, registerEntities, registeredEntityNames } from '../../../functions/adapters/dynamo/entity-registry';
import { createService } from '../../../functions/adapters/dynamo/service';
import { OutboxEntity } from '../../../functions/adapters/dynamo/kernel/outbox-entity';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));

describe('entity registry (the entities a function loads)', () => {
  it('holds, once service.ts is imported, every entity of the full service under the same name', () => {
    const full = createService(client, 'crm-test');
    expect(registeredEntityNames().sort()).toEqual(Object.keys(full.entities).sort());
    const loaded = createLoadedService(client, 'crm-test');
    for (const [name, entity] of Object.entries(full.entities)) expect((loaded.entities as Record<string, unknown>)[name], name).toBe(entity);
  });

  it('is idempotent for the same entity and refuses another entity under a taken name', () => {
    expect(() => registerEntities({ outbox: OutboxEntity })).not.toThrow();
    const other = new Entity({
      model: { entity: 'outbox', version: '1', service: 'crm' },
      attributes: { id: { type: 'string' } },
      indexes: { byId: { pk: { field: 'pk', composite: ['id'] } } },
    });
    expect(() => registerEntities({ outbox: other as unknown as typeof OutboxEntity })).toThrow(/two entities registered as outbox/);
  });
});

/** Every file under dir (recursively) ending in .ts. */
const tsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? tsFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));

/**
 * The entities a module reaches through the service: `x.entities.name`, `const { a, b: c } = x.entities`, and a
 * transaction's callback (`.write(({ a, b }) => ...)` or `.write((e) => ... e.a ...)`).
 */
function entitiesUsedIn(source: string, names: Set<string>): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const used = new Set<string>();
  const keysOf = (list: string) => list.split(',').map((part) => part.split(':')[0]!.trim());
  for (const m of code.matchAll(/\.entities\.(\w+)/g)) used.add(m[1]!);
  for (const m of code.matchAll(/\{([^}]*)\}\s*=\s*[\w.()]+\.entities\b/g)) for (const key of keysOf(m[1]!)) used.add(key);
  for (const m of code.matchAll(/\.(?:write|get)\(\s*\(\{([^}]*)\}\)\s*=>/g)) for (const key of keysOf(m[1]!)) used.add(key);
  for (const m of code.matchAll(/\.(?:write|get)\(\s*\((\w+)\)\s*=>/g)) {
    for (const d of code.matchAll(new RegExp(`\\{([^}]*)\\}\\s*=\\s*${m[1]}\\b`, 'g'))) for (const key of keysOf(d[1]!)) used.add(key);
    for (const a of code.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, 'g'))) used.add(a[1]!);
  }
  return [...used].filter((name) => names.has(name)).sort();
}

describe('each module that reaches entities through the service registers them (else a function bundling it lacks them)', () => {
  const names = new Set(Object.keys(createService(client, 'crm-test').entities));
  const root = join(import.meta.dirname, '../../..');
  const files = [...tsFiles(join(root, 'functions'))].filter((f) => !/adapters\/dynamo\/(service|entity-registry)\.ts$/.test(f));
  it('holds for every module of functions/', () => {
    const unregistered: Record<string, string[]> = {};
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const registration = /registerEntities\(\{([^}]*)\}\)/.exec(source.replace(/\s+/g, ' '));
      const registered = new Set((registration?.[1] ?? '').split(',').map((part) => part.split(':')[0]!.trim()));
      const missing = entitiesUsedIn(source, names).filter((name) => !registered.has(name));
      if (missing.length) unregistered[relative(root, file)] = missing;
    }
    expect(unregistered).toEqual({});
  });

  it('finds what a module uses without registering it', () => {
    const source =
      'const { quote } = service.entities; await service.transaction.write(({ outbox, timeline: t }) => []).go(); svc.transaction.write((e) => [e.deal]);';
    expect(entitiesUsedIn(source, names)).toEqual(['deal', 'outbox', 'quote', 'timeline']);
  });
});
