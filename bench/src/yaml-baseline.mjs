// The baseline plan is measured against: reading the same YAML files (voices.yaml and voices.lock)
// with the `yaml` package alone, in a fresh process. Prints {"parseMs": …}; import time is excluded.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const dir = process.argv[2];
const texts = ['voices.yaml', 'voices.lock'].map((name) => readFileSync(path.join(dir, name), 'utf8'));
const started = performance.now();
for (const text of texts) parse(text, { maxAliasCount: 1000 });
process.stdout.write(JSON.stringify({ parseMs: performance.now() - started }));
