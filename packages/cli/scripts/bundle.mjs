// Bundles the built CLI (dist/, from tsc -b) into bundle/: one file to start plus chunks that load on
// demand (each command, undici, jose, the Markdown parser, music-metadata's parsers). Node resolves
// and links a few hundred small modules per start otherwise, which cost `voxform plan` about 0.2 s.
// provider-local and the emulator stay outside: espeak-ng finds its WebAssembly beside its own files.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${cli}bundle`, { recursive: true, force: true });
await build({
  entryPoints: { voxform: `${cli}dist/bin.js` },
  outdir: `${cli}bundle`,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@voxform/provider-local', '@voxform/emulator'],
  // Bundled CommonJS (ajv, undici, write-file-atomic) calls require for Node's own modules and reads
  // __filename / __dirname, which ES modules do not have.
  banner: {
    js: [
      "import { createRequire as voxformCreateRequire } from 'node:module';",
      "import { fileURLToPath as voxformFileURLToPath } from 'node:url';",
      'const require = voxformCreateRequire(import.meta.url);',
      'const __filename = voxformFileURLToPath(import.meta.url);',
      "const __dirname = voxformFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  logLevel: 'warning',
});
