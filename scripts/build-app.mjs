// Bundles an app's entry point into one ESM file for production: Node 20 runs
// it directly (no TypeScript loader), which starts faster and uses ~40 MB less
// memory than running the sources through tsx. Native addons stay external.
//
//   node ../../scripts/build-app.mjs src/main.ts dist/main.mjs
import { build } from 'esbuild';

const [entry = 'src/main.ts', outfile = 'dist/main.mjs'] = process.argv.slice(2);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Function names survive bundling: ingest names each S3 API in its metrics after its handler.
  keepNames: true,
  external: ['better-sqlite3', '@node-rs/crc32'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
