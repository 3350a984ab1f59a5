#!/usr/bin/env node
// `npm run bench [-- name ...]`: runs bench/<name>.bench.ts one after another (never in parallel: the machine
// has two cores and every benchmark compares against a baseline measured in the same process).
// Each benchmark prints one JSON line of figures on stdout.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace(/\.bench\.ts$/, ''))
  .sort();
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length > 0 ? wanted : all) {
  console.error(`# bench ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.bench.ts`)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
