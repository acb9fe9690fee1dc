// Adds up the per-package vitest JSON reports into one closing line,
// "N passed, N failed, N skipped", and fails when any test failed or none ran.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '.cache', 'test-results');
let passed = 0,
  failed = 0,
  skipped = 0;
const rows = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const skippedHere = report.numPendingTests + report.numTodoTests;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += skippedHere;
  rows.push(
    `  ${file.replace(/\.json$/, '').padEnd(36)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skippedHere} skipped`,
  );
}
console.log(`\nTest results by package:\n${rows.join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
