import { cp, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulatorServer, type EmulatorServer } from '@voxform/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, voxform, type Run } from './support/voxform-process.js';

// API keys come only from the environment and appear nowhere else: not in voices.lock, the plan file,
// .voxform/, the audio, --json output, progress output or error messages — also when the vendor fails,
// refuses the key, or echoes it back. Distinctive fake keys for all five vendors, then a grep of
// everything every run printed and every file it left.
const keys = {
  minimax: 'mmx-LEAKCHECK-3f9a7c21d4e8b6',
  vidu: 'vidu-LEAKCHECK-8b2e6f0a9c13d5',
  soundclone: 'sc-LEAKCHECK-5d7e1a9b3c42f0',
  aivoiceclonefree: 'avcf-LEAKCHECK-c41f8e2d7a6091',
  kling: { apiKey: 'kling-LEAKCHECK-api-9c0b4e17a2', accessKey: 'kling-LEAKCHECK-access-2e9d58', secretKey: 'kling-LEAKCHECK-secret-7a1f6c30' },
};
/** Keys no vendor accepts: each answers 401. */
const wrongKeys = {
  MINIMAX_API_KEY: 'mmx-WRONGKEY-0a1b2c3d4e5f67',
  VIDU_API_KEY: 'vidu-WRONGKEY-1b2c3d4e5f6a78',
  SOUNDCLONE_API_KEY: 'sc-WRONGKEY-2c3d4e5f6a7b89',
  AIVOICECLONEFREE_API_KEY: 'avcf-WRONGKEY-3d4e5f6a7b8c90',
  KLING_API_KEY: 'kling-WRONGKEY-access-4e5f:kling-WRONGKEY-secret-6a7b8c',
};
const env = {
  MINIMAX_API_KEY: keys.minimax,
  VIDU_API_KEY: keys.vidu,
  SOUNDCLONE_API_KEY: keys.soundclone,
  AIVOICECLONEFREE_API_KEY: keys.aivoiceclonefree,
  // Kling's access:secret form: voxform signs a JWT with the secret, which must not leak either.
  KLING_API_KEY: `${keys.kling.accessKey}:${keys.kling.secretKey}`,
};
const secrets = [
  keys.minimax, keys.vidu, keys.soundclone, keys.aivoiceclonefree, keys.kling.accessKey, keys.kling.secretKey,
  ...Object.values(wrongKeys).flatMap((value) => value.split(':')),
];
const jwt = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;

let emulator: EmulatorServer;
/** A vendor that answers everything with 401, echoing the request's headers, url and body. */
let echo: Server;
let echoUrl: string;
const directories: string[] = [];
/** Every run's output, and every project folder, for the final grep. */
const outputs: Array<{ what: string; text: string }> = [];

beforeAll(async () => {
  emulator = await startEmulatorServer({ port: 0, audio: 'tone', keys });
  echo = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.writeHead(401, { 'content-type': 'application/json', 'x-echo-auth': String(request.headers.authorization ?? '') });
      // With a terminal escape sequence: it must not reach the user's terminal either.
      const message = `\u001b]0;pwned\u0007invalid key: ${request.headers.authorization ?? ''} ${request.url} ${body.slice(0, 2000)}`;
      response.end(JSON.stringify({ message, error: { message: body.slice(0, 500) } }));
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await emulator?.close();
  await new Promise((resolve) => echo?.close(resolve));
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

/** A copy of examples/multi-vendor: the vendor APIs at `vendorsAt`, samples at the emulator. */
async function project(vendorsAt = emulator.url): Promise<string> {
  emulator.emulator.reset(); // each copy clones the same voices: a fresh vendor state for each
  const dir = await mkdtemp(path.join(tmpdir(), 'voxform-secrets-'));
  directories.push(dir);
  await cp(path.join(root, 'examples/multi-vendor'), dir, { recursive: true, filter: (source) => !/[/\\](out|\.voxform)$/.test(source) });
  const manifest = await readFile(path.join(dir, 'voices.yaml'), 'utf8');
  await writeFile(
    path.join(dir, 'voices.yaml'),
    manifest.replace(/baseUrl: http:\/\/127\.0\.0\.1:4010/g, `baseUrl: ${vendorsAt}`).replaceAll('http://127.0.0.1:4010', emulator.url),
  );
  return dir;
}

async function run(dir: string, args: string[], runEnv: Record<string, string> = env): Promise<Run> {
  const result = await voxform(dir, args, { env: runEnv });
  if (process.env.VOXFORM_TEST_DEBUG) console.log(`voxform ${args.join(' ')} → ${result.code}\n${result.stdout}\n${result.stderr}`);
  outputs.push({ what: `voxform ${args.join(' ')} (stdout)`, text: result.stdout }, { what: `voxform ${args.join(' ')} (stderr)`, text: result.stderr });
  return result;
}

/** Every file under `dir` (links not followed), as bytes. */
async function filesUnder(dir: string): Promise<Array<{ file: string; bytes: Buffer }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Array<{ file: string; bytes: Buffer }> = [];
  for (const entry of entries) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) files.push({ file, bytes: await readFile(file) });
    else if (entry.isSymbolicLink()) files.push({ file, bytes: Buffer.from(await readlink(file)) });
  }
  return files;
}

function leaks(text: string | Buffer): string[] {
  const content = typeof text === 'string' ? Buffer.from(text) : text;
  const found = secrets.filter((secret) => content.includes(secret));
  if (jwt.test(content.toString('latin1'))) found.push('a JWT');
  return found;
}

describe('API keys', () => {
  it('appear in no output and no file, in successful runs, failing runs, refused keys and a vendor that echoes them', async () => {
    // 1. Everything works: validate, plan (plain, --json, --out), apply the saved plan, then look around.
    const good = await project();
    expect((await run(good, ['validate'])).code).toBe(0);
    expect((await run(good, ['validate', '--json'])).code).toBe(0);
    expect((await run(good, ['plan', '--detailed-exitcode'])).code).toBe(2);
    expect((await run(good, ['plan', '--json'])).code).toBe(0);
    const planFile = path.join(good, 'plan.json'); // --out is relative to the working directory, not -C
    expect((await run(good, ['plan', '--out', planFile])).code).toBe(0);
    expect(JSON.parse(await readFile(planFile, 'utf8')).plan.changes).toHaveLength(11);
    const applied = await run(good, ['apply', '--verbose', planFile]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect((await run(good, ['plan', '--refresh', '--json', '--detailed-exitcode'])).code).toBe(0);
    expect((await run(good, ['show'])).code).toBe(0);

    // 2. apply --json, from scratch.
    const json = await project();
    expect((await run(json, ['apply', '--yes', '--json', '--verbose'])).code).toBe(0);

    // 3. The vendors fail: 400s everywhere.
    const failing = await project();
    for (const vendor of ['minimax', 'vidu', 'soundclone', 'aivoiceclonefree', 'kling']) emulator.emulator.setFaults(vendor as 'minimax', { errorRates: { '400': 1 } });
    const failed = await run(failing, ['apply', '--yes', '--verbose']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/failed/);
    // Again with --json: the voices with ids voxform chose are looked up first (settling), and fail too.
    expect((await run(failing, ['apply', '--yes', '--json'])).code).toBe(1);
    emulator.emulator.clearFaults();

    // 4. Keys the vendors refuse.
    const refused = await project();
    const refusedRun = await run(refused, ['apply', '--yes', '--verbose'], wrongKeys);
    expect(refusedRun.code).toBe(1);
    expect(refusedRun.stdout).toMatch(/Check the API key \(VIDU_API_KEY\)/);
    expect((await run(refused, ['apply', '--yes', '--json'], wrongKeys)).code).toBe(1);

    // 5. A "vendor" that echoes the key back in its error body and headers.
    const echoed = await project(echoUrl);
    const echoRun = await run(echoed, ['apply', '--yes', '--verbose']);
    expect(echoRun.code).toBe(1);
    expect(echoRun.stdout).toMatch(/invalid key/); // the vendor's message is shown, with the key removed
    expect((await run(echoed, ['apply', '--yes', '--json'])).code).toBe(1);
    // And asked about voices recorded by the successful run: every lookup is refused, key echoed.
    const manifest = await readFile(path.join(good, 'voices.yaml'), 'utf8');
    await writeFile(path.join(good, 'voices.yaml'), manifest.replace(new RegExp(`baseUrl: ${emulator.url}`, 'g'), `baseUrl: ${echoUrl}`));
    expect((await run(good, ['plan', '--refresh', '--verbose'])).code).toBe(1);
    expect((await run(good, ['plan', '--refresh', '--json'])).code).toBe(1);

    const findings: string[] = [];
    for (const { what, text } of outputs) for (const secret of leaks(text)) findings.push(`${secret} in ${what}`);
    let filesChecked = 0;
    for (const dir of directories) {
      for (const { file, bytes } of await filesUnder(dir)) {
        filesChecked++;
        for (const secret of leaks(bytes)) findings.push(`${secret} in ${path.relative(dir, file)}`);
      }
    }
    expect(findings).toEqual([]);
    // NO_COLOR is set: no escape sequence at all, so none came from a vendor.
    expect(outputs.filter(({ text }) => text.includes('\u001b')).map(({ what }) => what)).toEqual([]);
    // The grep covered what it should have: the lockfile, the plan file, the audio, the state folder.
    expect(filesChecked).toBeGreaterThan(20);
    expect(outputs.length).toBeGreaterThan(30);
  }, 240_000);
});
