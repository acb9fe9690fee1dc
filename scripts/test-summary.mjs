// Adds up the per-package vitest JSON reports into one closing line,
// "N passed, N failed, N skipped", and fails when any test failed or none ran.
// Failed tests (and test files that failed to load) are listed last, with the
// start of their error, so that the tail of a CI log says what broke.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const dir = join(import.meta.dirname, '..', '.cache', 'test-results');
let passed = 0,
  failed = 0,
  skipped = 0;
const rows = [];
const failures = [];
const firstLines = (text, count) =>
  stripVTControlCharacters(String(text ?? ''))
    .split('\n')
    .filter((line) => line.trim())
    .slice(0, count)
    .map((line) => `      ${line.slice(0, 300)}`)
    .join('\n');
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const skippedHere = report.numPendingTests + report.numTodoTests;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += skippedHere;
  for (const suite of report.testResults) {
    const failed = suite.assertionResults.filter((test) => test.status === 'failed');
    for (const test of failed)
      failures.push(
        `  ✗ ${file.replace(/\.json$/, '')} › ${test.fullName}\n${firstLines(test.failureMessages[0], 6)}`,
      );
    if (suite.status === 'failed' && failed.length === 0)
      failures.push(`  ✗ ${suite.name} (the file failed)\n${firstLines(suite.message, 6)}`);
  }
  rows.push(
    `  ${file.replace(/\.json$/, '').padEnd(36)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skippedHere} skipped`,
  );
}
console.log(`\nTest results by package:\n${rows.join('\n')}\n`);
if (failures.length > 0) console.log(`Failed:\n${failures.join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
