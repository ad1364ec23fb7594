/**
 * A package loaded on first use, not at cold start: what only some requests need (the phone library, the QR
 * drawer, the Idempotency-Key utility). A synchronous `require` (its callers stay plain functions) that esbuild
 * cannot see, so no bundle carries the package: it comes from the shared Lambda layer (infra/constructs/deps-layer.ts;
 * tests/infra/stateless.test.ts checks every function that loads one has the layer), or node_modules locally.
 */
import { createRequire } from 'node:module';

export function onFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= createRequire(import.meta.url)(name) as T;
    return loaded;
  };
}
