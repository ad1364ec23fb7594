import { defineConfig } from 'vitest/config';

// `npm run test:crash`: the crash test starts and SIGKILLs the real local stack (`npm start`) several
// times, so it runs apart from `npm test` (a few minutes); `.ci/run` runs both.
export default defineConfig({
  test: {
    name: 'crash',
    include: ['tests/crash/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
  },
});
