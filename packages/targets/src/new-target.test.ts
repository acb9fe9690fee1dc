// The generator on a copy of the files it touches: a folder renamed from the
// exemplar with nothing of the exemplar's name left, and exactly the registry
// lines added.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTarget, EXEMPLAR } from './new-target.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const TOUCHED = [
  'packages/contracts/src/targets.ts',
  'packages/targets/src/registry.ts',
  'packages/targets/src/apps.ts',
  'packages/targets/src/probes.ts',
  'packages/targets/package.json',
];

function copyOfRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'new-target-'));
  cpSync(join(ROOT, 'apps', `target-${EXEMPLAR}`), join(root, 'apps', `target-${EXEMPLAR}`), {
    recursive: true,
    filter: (source) => !/node_modules|dist|\.turbo/.test(relative(ROOT, source)),
  });
  for (const file of TOUCHED) cpSync(join(ROOT, file), join(root, file));
  return root;
}

describe('pnpm new-target', () => {
  it('copies the exemplar under the new name and adds only the registry lines', () => {
    const root = copyOfRepository();
    const before = Object.fromEntries(TOUCHED.map((file) => [file, readFileSync(join(root, file), 'utf8')]));
    const files = createTarget(root, { kind: 'nsq' });

    const folder = files.filter((file) => file.startsWith(join(root, 'apps', 'target-nsq')));
    expect(folder.map((file) => relative(root, file)).sort()).toContain('apps/target-nsq/src/options.ts');
    for (const file of folder) expect(readFileSync(file, 'utf8')).not.toMatch(/webhook/i);
    expect(readFileSync(join(root, 'apps/target-nsq/src/options.ts'), 'utf8')).toContain("envPrefix: 'NSQ'");
    expect(JSON.parse(readFileSync(join(root, 'apps/target-nsq/package.json'), 'utf8')).name).toBe(
      '@bucket-events/target-nsq',
    );

    const added = (file: string) => {
      const old = new Set((before[file] as string).split('\n'));
      return readFileSync(join(root, file), 'utf8')
        .split('\n')
        .filter((line) => !old.has(line))
        .map((line) => line.trim());
    };
    expect(added('packages/contracts/src/targets.ts')).toEqual(["'nsq',"]);
    expect(added('packages/targets/src/registry.ts')).toEqual([
      "import { options as nsq } from '@bucket-events/target-nsq/options';",
      'nsq,',
    ]);
    expect(added('packages/targets/src/apps.ts')).toEqual([
      "nsq: async () => (await import('@bucket-events/target-nsq')).targetApp,",
    ]);
    expect(added('packages/targets/src/probes.ts')).toEqual([
      "nsq: async () => (await import('@bucket-events/target-nsq/probe')).probe,",
    ]);
    expect(added('packages/targets/package.json')).toEqual(['"@bucket-events/target-nsq": "workspace:*",']);
  });

  it('as the README gives it: the command takes the kind and --env-prefix', () => {
    const root = copyOfRepository();
    // The script finds the repository from where it lies, so a copy of it works on the copy.
    cpSync(
      join(ROOT, 'packages/targets/src/new-target.ts'),
      join(root, 'packages/targets/src/new-target.ts'),
    );
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'packages/targets/src/new-target.ts'),
        '--',
        'nsq',
        '--env-prefix',
        'NSQD',
      ],
      { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' },
    );
    expect(output).toContain('apps/target-nsq/src/options.ts');
    expect(readFileSync(join(root, 'apps/target-nsq/src/options.ts'), 'utf8')).toContain("envPrefix: 'NSQD'");
    expect(readFileSync(join(root, 'packages/targets/src/registry.ts'), 'utf8')).toContain(
      "import { options as nsq } from '@bucket-events/target-nsq/options';",
    );
  });

  it('refuses a kind that exists or is not a plain name', () => {
    const root = copyOfRepository();
    expect(() => createTarget(root, { kind: EXEMPLAR })).toThrow(/already exists/);
    expect(() => createTarget(root, { kind: 'My-Kind' })).toThrow(/lower-case/);
  });
});
