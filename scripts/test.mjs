// Quickstart, second command (`npm test`): install, check the generated schema modules, typecheck, run every test.
import { pnpm } from './pnpm.mjs';

pnpm('install', '--frozen-lockfile');
pnpm('schemas', '--check');
pnpm('typecheck');
pnpm('vitest', ...process.argv.slice(2));
