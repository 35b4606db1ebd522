// Quickstart, first command (`npm run demo`): install, then render examples/audiobook offline.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pnpm } from './pnpm.mjs';

pnpm('install', '--frozen-lockfile');
pnpm('voxform', '-C', 'examples/audiobook', 'apply', '--yes');

const out = 'examples/audiobook/out';
const files = readdirSync(out, { recursive: true }).filter((name) => String(name).endsWith('.wav'));
const chapters = files.filter((name) => !String(name).includes('/') && !String(name).includes('\\'));
console.log(`\nThe audio is in ${out}/ (${files.length} WAV files: one per line, and ${chapters.length} whole chapters such as ${join(out, String(chapters.sort()[0]))}).`);
console.log('What was produced is recorded in examples/audiobook/voices.lock. Try: pnpm voxform -C examples/audiobook plan');
