// schemas/*.json are the source of truth. Core imports them as TypeScript modules (browser-safe, no
// JSON import attributes, bundles anywhere); this script regenerates those modules, and a drift test
// in core fails when they differ from the JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const targets = [
  ['schemas/voices.schema.json', 'packages/core/src/schemas/voices-schema.ts', 'voicesSchema'],
  ['schemas/voices-lock.schema.json', 'packages/core/src/schemas/voices-lock-schema.ts', 'voicesLockSchema'],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [source, target, name] of targets) {
  const schema = JSON.parse(readFileSync(root + source, 'utf8'));
  const text = `// Generated from ${source} by scripts/sync-schemas.mjs (pnpm schemas). Do not edit.\nexport const ${name} = ${JSON.stringify(schema, null, 2)} as const;\n`;
  let current = '';
  try {
    current = readFileSync(root + target, 'utf8');
  } catch {}
  if (current === text) continue;
  stale++;
  if (!check) writeFileSync(root + target, text);
  console.log(`${check ? 'stale' : 'wrote'} ${target}`);
}
if (check && stale > 0) process.exit(1);
