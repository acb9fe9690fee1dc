// `pnpm docs:env`: rewrites the README's generated environment tables (then Biome aligns them).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { withEnvSection } from '../src/env-docs.ts';

const readme = new URL('../../README.md', import.meta.url);
writeFileSync(readme, withEnvSection(readFileSync(readme, 'utf8')));
execFileSync('biome', ['format', '--write', readme.pathname], { stdio: 'ignore' });
console.log('README.md: environment tables regenerated');
