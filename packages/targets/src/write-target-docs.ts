// `pnpm docs:targets`: rewrites the README's generated target key tables (then Biome aligns them).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { withTargetKeysSection } from '@bucket-events/config';
import { TARGET_OPTIONS } from './registry.ts';

const readme = new URL('../../../README.md', import.meta.url);
writeFileSync(readme, withTargetKeysSection(readFileSync(readme, 'utf8'), TARGET_OPTIONS));
execFileSync('biome', ['format', '--write', readme.pathname], { stdio: 'ignore' });
console.log('README.md: target key tables regenerated');
