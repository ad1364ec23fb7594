/**
 * The deps layer carries ElectroDB prebuilt as one file, with its model validation (jsonschema) replaced by
 * the structural check of infra/constructs/electrodb-model-check.cjs (deps-layer.ts says why). These tests
 * load the layer's ElectroDB the way a function does on Lambda (the service's bundle importing `electrodb`
 * from the layer's node_modules) and check it builds every entity of the table and writes the same requests
 * as the installed ElectroDB the rest of the suite runs on.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_SDK_EXTERNALS } from '../../infra/constructs/app-function';
import { assembleDepsLayer, SHARED_PACKAGES } from '../../infra/constructs/deps-layer';
import { createService } from '../../functions/adapters/dynamo/service';

const root = resolve(import.meta.dirname, '../..');
// Inside the project's node_modules, so the layer's ElectroDB finds the AWS SDK by walking up, as it finds the runtime's on Lambda.
const dir = join(root, 'node_modules', '.cache', 'deps-layer-test');

type AnyService = ReturnType<typeof createService>;
type AnyEntity = {
  model: { facets: { byIndex: Record<string, { all: { name: string }[] }> }; schema: { attributes: Record<string, { type: unknown }> } };
  get(keys: object): { params(): unknown };
  delete(keys: object): { params(): unknown };
  scan: { params(): unknown };
};

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
let layerDir: string;
let layered: AnyService;
const installed = createService(doc, 'crm-test');

/** A primary key of the entity with placeholder values of each attribute's type. */
function keyOf(entity: AnyEntity): Record<string, unknown> {
  const attributes = entity.model.schema.attributes;
  return Object.fromEntries(entity.model.facets.byIndex[''].all.map(({ name }) => [name, attributes[name].type === 'number' ? 7 : `v-${name}`]));
}

beforeAll(async () => {
  layerDir = assembleDepsLayer(root).dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(layerDir, 'nodejs', 'node_modules'), join(dir, 'node_modules'), { recursive: true });
  await build({
    entryPoints: [join(root, 'functions/adapters/dynamo/service.ts')],
    outfile: join(dir, 'service.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: [...AWS_SDK_EXTERNALS, ...SHARED_PACKAGES],
    logLevel: 'error',
  });
  const mod = (await import(pathToFileURL(join(dir, 'service.mjs')).href)) as { createService: typeof createService };
  layered = mod.createService(doc, 'crm-test');
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the deps layer', () => {
  it('holds ElectroDB as one prebuilt file without jsonschema, and nodemailer as installed', () => {
    const electrodb = join(layerDir, 'nodejs', 'node_modules', 'electrodb');
    expect(JSON.parse(readFileSync(join(electrodb, 'package.json'), 'utf8'))).toMatchObject({ name: 'electrodb', main: 'index.js' });
    expect(existsSync(join(electrodb, 'src'))).toBe(false);
    expect(existsSync(join(layerDir, 'nodejs', 'node_modules', 'jsonschema'))).toBe(false);
    expect(readFileSync(join(electrodb, 'index.js'), 'utf8')).toContain('is not an ElectroDB model definition');
    expect(existsSync(join(layerDir, 'nodejs', 'node_modules', 'nodemailer', 'package.json'))).toBe(true);
  });

  it("builds the table's service with every entity, and each writes the requests the installed ElectroDB writes", () => {
    const names = Object.keys(installed.entities);
    expect(Object.keys(layered.entities)).toEqual(names);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const mine = (installed.entities as unknown as Record<string, AnyEntity>)[name];
      const theirs = (layered.entities as unknown as Record<string, AnyEntity>)[name];
      const key = keyOf(mine);
      expect(theirs.get(key).params(), name).toEqual(mine.get(key).params());
      expect(theirs.delete(key).params(), name).toEqual(mine.delete(key).params());
      expect(theirs.scan.params(), name).toEqual(mine.scan.params());
    }
  });

  it('still refuses what is not a model where ElectroDB asks (an Entity passed where a model is expected is told apart)', () => {
    // Service joins Entity instances: were they taken for model definitions, it would throw or rebuild them.
    const { company } = layered.entities as unknown as Record<string, AnyEntity & { _instance?: unknown }>;
    expect(company._instance).toBeDefined();
    expect(Object.keys(layered.collections ?? {})).toEqual(Object.keys(installed.collections ?? {}));
  });
});
