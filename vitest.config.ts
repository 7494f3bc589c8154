import { defineConfig } from 'vitest/config';

// Tests run against each package's TypeScript source through the
// `@autodag/source` export condition, so no build is needed first.
export default defineConfig({
  resolve: { conditions: ['@autodag/source'] },
  ssr: { resolve: { conditions: ['@autodag/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30000,
  },
});
