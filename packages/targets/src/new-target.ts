// `pnpm new-target <kind> [--env-prefix PREFIX]`: a new target kind from the
// exemplar (apps/target-webhook) — its folder copied and renamed — plus the
// registry lines: the kind in TARGET_KINDS, its options and its app in this
// package. Nothing else needs editing by hand; the type checker names any place
// that must still decide about the new kind. Then replace the copied sink,
// options and test receiver with the new kind's own.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

export const EXEMPLAR = 'webhook';

export interface NewTarget {
  kind: string;
  /** The `<PREFIX>` of MINIO_NOTIFY_<PREFIX>_* (default: the kind in capitals). */
  envPrefix?: string;
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** Every file of a folder, recursively, without what builds and installs leave there. */
function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (['node_modules', 'dist', '.turbo'].includes(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [path];
  });
}

function edit(path: string, change: (text: string) => string): void {
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`${path}: the registry line could not be placed`);
  writeFileSync(path, after);
}

/** Creates apps/target-<kind> and registers it; returns the files it wrote or edited. */
export function createTarget(root: string, { kind, envPrefix = kind.toUpperCase() }: NewTarget): string[] {
  if (!/^[a-z][a-z0-9]*$/.test(kind)) throw new Error(`"${kind}": a kind is lower-case letters and digits`);
  const folder = join(root, 'apps', `target-${kind}`);
  if (existsSync(folder)) throw new Error(`${relative(root, folder)} already exists`);
  const exemplar = join(root, 'apps', `target-${EXEMPLAR}`);
  const rename = (text: string) =>
    text
      .replaceAll(EXEMPLAR, kind)
      .replaceAll(capitalized(EXEMPLAR), capitalized(kind))
      .replaceAll(EXEMPLAR.toUpperCase(), envPrefix);
  const written: string[] = [];
  for (const source of filesOf(exemplar)) {
    const target = join(folder, relative(exemplar, source));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, rename(readFileSync(source, 'utf8')));
    written.push(target);
  }

  const kinds = join(root, 'packages', 'contracts', 'src', 'targets.ts');
  edit(kinds, (text) =>
    text.replace(/(export const TARGET_KINDS = \[[^\]]*?)(\n?\] as const;)/, `$1\n  '${kind}',$2`),
  );
  const registry = join(root, 'packages', 'targets', 'src', 'registry.ts');
  edit(registry, (text) =>
    text
      .replace(
        /(import type \{ TargetKind \} from '@bucket-events\/contracts';\n)/,
        `$1import { options as ${kind} } from '@bucket-events/target-${kind}/options';\n`,
      )
      .replace(/(\n\} as const satisfies)/, `\n  ${kind},$1`),
  );
  const apps = join(root, 'packages', 'targets', 'src', 'apps.ts');
  edit(apps, (text) =>
    text.replace(
      /(\n\};\s*$)/,
      `\n  ${kind}: async () => (await import('@bucket-events/target-${kind}')).targetApp,$1`,
    ),
  );
  const probes = join(root, 'packages', 'targets', 'src', 'probes.ts');
  edit(probes, (text) =>
    text.replace(
      /(\n\};\s*$)/,
      `\n  ${kind}: async () => (await import('@bucket-events/target-${kind}/probe')).probe,$1`,
    ),
  );
  const manifest = join(root, 'packages', 'targets', 'package.json');
  edit(manifest, (text) => {
    const parsed = JSON.parse(text) as { dependencies: Record<string, string> };
    parsed.dependencies[`@bucket-events/target-${kind}`] = 'workspace:*';
    parsed.dependencies = Object.fromEntries(
      Object.entries(parsed.dependencies).sort(([a], [b]) => a.localeCompare(b)),
    );
    return `${JSON.stringify(parsed, null, 2)}\n`;
  });
  return [...written, kinds, registry, apps, probes, manifest];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { 'env-prefix': { type: 'string' } },
    allowPositionals: true,
  });
  const [kind] = positionals;
  if (!kind) {
    console.error('usage: pnpm new-target <kind> [--env-prefix PREFIX]');
    process.exit(2);
  }
  const root = new URL('../../../', import.meta.url).pathname;
  const files = createTarget(root, { kind, envPrefix: values['env-prefix'] });
  console.log(`${files.map((file) => relative(root, file)).join('\n')}\n
apps/target-${kind} is the ${EXEMPLAR} target renamed: replace its options.ts, sink.ts and test receiver
with the ${kind} target's own, then: pnpm install && pnpm typecheck && pnpm docs:targets`);
}
