// One vitest setup for every workspace package: where tests live, generous
// timeouts for integration tests against real services, and a JSON report per
// package that scripts/test-summary.mjs adds up into the suite's closing line.
import { basename, dirname } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

export function packageTestConfig(
  packageDir: string,
  { reportName, ...overrides }: NonNullable<ViteUserConfig['test']> & { reportName?: string } = {},
): ViteUserConfig {
  const name = [basename(dirname(packageDir)), basename(packageDir), reportName].filter(Boolean).join('-');
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: `${import.meta.dirname}/.cache/test-results/${name}.json` },
      ...overrides,
    },
  });
}
