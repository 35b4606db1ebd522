import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProviderRegistry } from '@voxform/cli';
import { createNodeDispatcher, createPoolFetch, loadProject, projectPaths } from '@voxform/core/node';
import pLimit from 'p-limit';
import { measureNode } from './measure.js';

export interface NaiveOptions {
  dir: string;
  emulatorUrl: string;
  apiKey: string;
  concurrency: number;
  /**
   * What the loop sends with: `fetch`, the global `fetch`, as a script would; `pool`, voxform's own
   * transport (`createPoolFetch` over `createNodeDispatcher`), so that the engine's overhead over it is
   * the engine's alone and not the difference between two HTTP clients.
   */
  transport: 'fetch' | 'pool';
}

/** What one run of an apply loop measured: the naive loop's, and (with its 429s) voxform's. */
export interface ApplyFigures {
  linesPerSecond: number;
  cpuPerLineMs: number;
  userPerLineMs: number;
  systemPerLineMs: number;
}

/**
 * The naive baseline for apply's throughput: what a script would do without voxform — a plain p-limit
 * loop over the same MiniMax requests (t2a with a URL answer, then the audio download written to a
 * file), at the same concurrency, waiting out each rate-limit answer as its Retry-After says. No
 * lockfile, no hashing, no checks.
 */
export async function naiveApply(options: NaiveOptions): Promise<ApplyFigures> {
  const project = await loadProject({ paths: projectPaths({ dir: options.dir }), providers: createProviderRegistry() });
  const dispatcher = options.transport === 'pool' ? await createNodeDispatcher() : undefined;
  const send = dispatcher ? await createPoolFetch(dispatcher) : fetch;
  const limit = pLimit(options.concurrency);
  const out = path.join(options.dir, 'naive-out');
  await mkdir(out, { recursive: true });
  const started = performance.now();
  // Only the loop's CPU: this process is otherwise idle while it runs (the emulator is another process).
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    project.manifest.lines.map((line, index) =>
      limit(async () => {
        const voiceId = project.lockfile.voices[line.voice]!.remoteId!;
        for (;;) {
          const response = await send(`${options.emulatorUrl}/minimax/v1/t2a_v2`, {
            method: 'POST',
            headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              model: 'speech-02-hd',
              text: line.text,
              stream: false,
              voice_setting: { voice_id: voiceId },
              audio_setting: { format: 'wav', channel: 1 },
              output_format: 'url',
            }),
          });
          const body = (await response.json()) as { base_resp: { status_code: number; status_msg: string }; data?: { audio: string } };
          if (body.base_resp.status_code === 1002) {
            await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
            continue;
          }
          if (body.base_resp.status_code !== 0 || !body.data) throw new Error(`t2a failed: ${body.base_resp.status_msg}`);
          const audio = await send(body.data.audio);
          await writeFile(path.join(out, `${index}.wav`), new Uint8Array(await audio.arrayBuffer()));
          return;
        }
      }),
    ),
  );
  const cpu = process.cpuUsage(cpuBefore);
  await dispatcher?.close();
  const lines = project.manifest.lines.length;
  return {
    linesPerSecond: lines / ((performance.now() - started) / 1000),
    cpuPerLineMs: (cpu.user + cpu.system) / 1000 / lines,
    userPerLineMs: cpu.user / 1000 / lines,
    systemPerLineMs: cpu.system / 1000 / lines,
  };
}

const thisFile = fileURLToPath(import.meta.url);

/**
 * {@link naiveApply} in a process of its own, started for it, as `voxform apply` is: both then pay for
 * compiling the same fetch and stream code on first use, and neither gains from a warm process.
 */
export async function naiveApplyInOwnProcess(options: NaiveOptions): Promise<ApplyFigures> {
  const run = await measureNode([...process.execArgv, thisFile, JSON.stringify(options)]);
  if (run.code !== 0) throw new Error(`the naive loop failed (exit ${run.code}): ${run.stderr.trim()}`);
  return JSON.parse(run.stdout) as ApplyFigures;
}

if (process.argv[1] === thisFile) {
  process.stdout.write(JSON.stringify(await naiveApply(JSON.parse(process.argv[2]!) as NaiveOptions)));
}
