import { defineConfig } from 'vitest/config';

/**
 * Two suites: `unit` (npm test: no system service) and `system` (npm run test:system: a real
 * headless Chromium and a real redis-server, which .ci/run installs when missing).
 */
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/system/**'] } },
      { extends: true, test: { name: 'system', include: ['test/system/**/*.test.ts'] } },
    ],
  },
});
