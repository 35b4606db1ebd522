// schemas/*.json are the source of truth. Core imports them as TypeScript modules (browser-safe, no
// JSON import attributes, bundles anywhere), plus each compiled ahead of time into a validator (ajv
// standalone code: compiling the manifest schema at run time took 70 ms of every command). This script
// regenerates those modules; `--check` (run by `npm test`) fails when any differs from what it would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// ajv is core's dependency: resolve it from there.
const requireFromCore = createRequire(`${root}packages/core/package.json`);
const { Ajv2020 } = requireFromCore('ajv/dist/2020.js');
const ajvFormats = requireFromCore('ajv-formats');
const standaloneCode = requireFromCore('ajv/dist/standalone/index.js').default;
// Must match ajvOptions in packages/core/src/validation/schema-validator.ts (a test compares the two).
const ajvOptions = { allErrors: true, strict: true, useDefaults: false, verbose: true };

const targets = [
  ['schemas/voices.schema.json', 'packages/core/src/schemas/voices-schema.ts', 'voicesSchema', 'packages/core/src/schemas/voices-validator.ts'],
  ['schemas/voices-lock.schema.json', 'packages/core/src/schemas/voices-lock-schema.ts', 'voicesLockSchema', 'packages/core/src/schemas/voices-lock-validator.ts'],
];

/** ajv's standalone module, with its CommonJS `require`s of ajv's runtime turned into imports. */
function validatorModule(schema, source) {
  const ajv = new Ajv2020({ ...ajvOptions, code: { source: true, esm: true } });
  ajvFormats.default(ajv);
  const code = standaloneCode(ajv, ajv.compile(schema));
  const imports = new Map();
  const body = code.replace(/require\("([^"]+)"\)/g, (_match, specifier) => {
    if (!imports.has(specifier)) imports.set(specifier, `runtime${imports.size}`);
    return imports.get(specifier);
  });
  return [
    `// Generated from ${source} by scripts/sync-schemas.mjs (pnpm schemas). Do not edit.`,
    '// @ts-nocheck',
    // A CommonJS module's exports, whether the loader gives them as the namespace's default (Node) or
    // spreads them onto the namespace (vitest's interop).
    ...[...imports].flatMap(([specifier, name]) => [
      `import * as ${name}Namespace from '${specifier}.js';`,
      `const ${name} = ${name}Namespace.default?.__esModule ? ${name}Namespace.default : ${name}Namespace;`,
    ]),
    body.replace(/^"use strict";/, ''),
    '',
  ].join('\n');
}

const check = process.argv.includes('--check');
let stale = 0;
for (const [source, schemaTarget, name, validatorTarget] of targets) {
  const schema = JSON.parse(readFileSync(root + source, 'utf8'));
  const outputs = [
    [schemaTarget, `// Generated from ${source} by scripts/sync-schemas.mjs (pnpm schemas). Do not edit.\nexport const ${name} = ${JSON.stringify(schema, null, 2)} as const;\n`],
    [validatorTarget, validatorModule(schema, source)],
  ];
  for (const [target, text] of outputs) {
    let current = '';
    try {
      current = readFileSync(root + target, 'utf8');
    } catch {}
    if (current === text) continue;
    stale++;
    if (!check) writeFileSync(root + target, text);
    console.log(`${check ? 'stale' : 'wrote'} ${target}`);
  }
}
if (check && stale > 0) process.exit(1);
