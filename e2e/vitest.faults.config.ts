// The fault suite stops and restarts the shared local services, so it runs on
// its own, after every other test (scripts/test), one test at a time.
import { packageTestConfig } from '../vitest.shared.ts';

export default packageTestConfig(import.meta.dirname, {
  include: ['faults/**/*.test.ts'],
  reportName: 'faults',
  fileParallelism: false,
  testTimeout: 15 * 60_000,
});
