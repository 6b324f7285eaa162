import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // The package's own entry points, as a user imports them, resolved to the sources
    // (package.json "exports" point at dist/, which exists only after a build).
    alias: [
      { find: /^adadagrad$/, replacement: src('./src/index.ts') },
      { find: /^adadagrad\/testing$/, replacement: src('./src/testing/index.ts') },
      { find: /^adadagrad\/problems$/, replacement: src('./problems/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // tests compare exact values and traces computed on the float64 reference backend;
    // the library's own default is the fastest backend that loads (wasm where it does)
    env: { ADADAGRAD_BACKEND: process.env['ADADAGRAD_BACKEND'] || 'js' },
    exclude: ['test/bench/**', 'node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
