// `pnpm bench`: measures the budgets of DESIGN §12, each against a baseline measured in the same run,
// and rewrites bench/RESULTS.md. `pnpm bench --quick` runs every benchmark small, once, to check that
// it still works (CI does this), and writes nothing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureNode, measureVoxform, repeat, root, summarize, type Summary } from './measure.js';
import { startEmulator, type EmulatorProcess } from './emulator-process.js';
import { audiobookManifest, generateAppliedProject, writeProject } from './generate-project.js';
import { naiveApplyInOwnProcess, type ApplyFigures, type NaiveOptions } from './naive-apply.js';

const quick = process.argv.includes('--quick');
// `--only apply,memory`: some benchmarks, for profiling; RESULTS.md is then left alone.
const onlyArgument = process.argv.indexOf('--only');
const only = onlyArgument === -1 ? undefined : new Set(process.argv[onlyArgument + 1]?.split(','));
const wanted = (name: string) => !only || only.has(name);
const work = path.join(root, 'bench', '.work');
/** Bumped when generated inputs change, so an old generated project is not reused. */
const generatorVersion = 3;

interface BudgetRow {
  budget: string;
  figure: string;
  target: string;
  met: boolean;
}
const budgets: BudgetRow[] = [];
const details: string[] = [];
const log = (message: string) => process.stdout.write(`${message}\n`);

const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const spread = (summary: Summary, format: (value: number) => string) =>
  summary.runs === 1 ? format(summary.median) : `${format(summary.median)} (${format(summary.min)}–${format(summary.max)}, ${summary.runs} runs)`;

function build(): void {
  log('Building (tsc -b, then the CLI bundle): the benchmark runs the CLI as it is installed.');
  for (const [command, args] of [
    [path.join(root, 'node_modules/.bin/tsc'), ['-b']],
    [process.execPath, [path.join(root, 'packages/cli/scripts/bundle.mjs')]],
  ] as const) {
    const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed`);
  }
}

/** A generated, fully applied audiobook of `lines` lines, reused between runs. */
async function appliedProject(lines: number): Promise<string> {
  const dir = path.join(work, `book-${lines}-v${generatorVersion}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  log(`  generating a ${lines.toLocaleString('en-US')}-line audiobook with its lockfile and outputs…`);
  await generateAppliedProject(dir, lines);
  writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

async function benchPlan(): Promise<void> {
  const sizes = quick ? [1000] : [1000, 10_000, 100_000];
  const rows: string[] = [];
  for (const lines of sizes) {
    log(`plan on ${lines.toLocaleString('en-US')} lines`);
    const dir = await appliedProject(lines);
    const runs = quick ? 1 : lines >= 100_000 ? 3 : 7;
    const snapshot = path.join(dir, '.voxform', 'voices.lock.json');
    const plan = async (cold: boolean) => {
      if (cold) rmSync(snapshot, { force: true });
      const measured = await measureVoxform(['-C', dir, 'plan', '--detailed-exitcode']);
      if (!measured.stdout.includes('No changes')) throw new Error(`plan on the generated ${lines}-line project is not empty:\n${measured.stdout.slice(0, 2000)}`);
      return measured;
    };
    // Cold: voices.lock just changed (a git pull, a fresh clone), so it is parsed as YAML. Warm: as after
    // an apply or an earlier plan, the parsed lockfile is read back from .voxform/ (like git's index).
    const cold = await repeat(runs, () => plan(true));
    const warm = await repeat(runs, () => plan(false));
    const baselineRuns = lines >= 100_000 ? 1 : runs;
    // The `yaml` package needs many minutes on the 100,000-line lockfile: stopped after two, and reported
    // as a lower bound (so the ratio is an upper bound).
    const baselineTimeoutMs = 120_000;
    const baseline = await repeat(baselineRuns, () => measureNode([path.join(root, 'bench/src/yaml-baseline.mjs'), dir], { timeoutMs: baselineTimeoutMs }));
    const timedOut = baseline.some((run) => run.stdout === '');
    const yamlMs = summarize(baseline.map((run) => (run.stdout === '' ? baselineTimeoutMs : (JSON.parse(run.stdout) as { parseMs: number }).parseMs)));
    const more = timedOut ? '> ' : '';
    const less = timedOut ? '< ' : '';
    const coldMs = summarize(cold.map((run) => run.wallMs));
    const warmMs = summarize(warm.map((run) => run.wallMs));
    const coldRss = summarize(cold.map((run) => run.maxRssKb));
    const yamlRss = summarize(baseline.map((run) => run.maxRssKb));
    const lockBytes = statSync(path.join(dir, 'voices.lock')).size;
    rows.push(
      `| ${lines.toLocaleString('en-US')} | ${(lockBytes / 1e6).toFixed(1)} MB | ${spread(coldMs, ms)} | ${spread(warmMs, ms)} | ${more}${spread(yamlMs, ms)} | ${less}${(coldMs.median / yamlMs.median).toFixed(2)}× | ${mb(coldRss.median)} | ${timedOut ? 'stopped' : mb(yamlRss.median)} |`,
    );
    if (lines === 10_000 || (quick && lines === sizes.at(-1))) {
      const worst = Math.max(coldMs.median, warmMs.median);
      budgets.push({ budget: `plan, ${lines.toLocaleString('en-US')} lines, full lockfile (cold)`, figure: spread(coldMs, ms), target: '< 1 s', met: coldMs.median < 1000 });
      budgets.push({ budget: `plan, ${lines.toLocaleString('en-US')} lines, full lockfile (warm)`, figure: spread(warmMs, ms), target: '< 1 s', met: warmMs.median < 1000 });
      budgets.push({
        budget: `plan ÷ parsing the same YAML with \`yaml\` alone, ${lines.toLocaleString('en-US')} lines`,
        figure: `${(worst / yamlMs.median).toFixed(2)}× (${ms(worst)} ÷ ${ms(yamlMs.median)})`,
        target: '≤ 2×',
        met: worst / yamlMs.median <= 2,
      });
    }
  }
  details.push(
    '## plan',
    '',
    'Wall time of `voxform plan` (the built CLI, process start to exit) on a generated audiobook whose every',
    'line is rendered and recorded, so the plan is empty. *Cold*: `voices.lock` was just changed (fresh clone,',
    '`git pull`) and is parsed as YAML. *Warm*: the parsed lockfile kept in `.voxform/` is read back, as after an',
    'apply or an earlier plan. Baseline: parsing the same two YAML files (`voices.yaml`, `voices.lock`) with',
    'the `yaml` package alone, in a fresh process (parse time only).',
    '',
    '| lines | voices.lock | plan, cold | plan, warm | `yaml` parse alone | cold ÷ yaml | peak RSS, plan | peak RSS, yaml |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  );
}

/** A fresh MiniMax project at the emulator, its voices cloned, ready to render `lines` lines. */
async function minimaxProject(emulator: EmulatorProcess, name: string, options: { lines: number; concurrency: number; requestsPerMinute?: number; textLength?: number }): Promise<string> {
  const dir = path.join(work, `${name}-${Date.now()}`);
  const providerBlock = [
    'providers:',
    '  minimax:',
    '    apiKey: ${MINIMAX_API_KEY}',
    `    baseUrl: ${emulator.url}/minimax`,
    `    concurrency: ${options.concurrency}`,
    ...(options.requestsPerMinute ? [`    requestsPerMinute: ${options.requestsPerMinute}`] : []),
  ].join('\n');
  // MiniMax wants 10 s or more of speech: the emulator's own 20 s samples, a new voice per project
  // (MiniMax never reuses a voice id, so the same voice cannot be cloned twice).
  const sampleOf = (voice: string) => `${emulator.url}/files/samples/${voice}-${path.basename(dir)}.wav`;
  await writeProject(dir, audiobookManifest({ lines: options.lines, provider: 'minimax', providerBlock, format: 'wav', sampleOf, ...(options.textLength ? { textLength: options.textLength } : {}) }));
  await measureVoxform(['-C', dir, 'apply', '--yes', '--target', 'voice.narrator', 'voice.villain'], { env: { MINIMAX_API_KEY: emulator.keys.minimax } });
  return dir;
}

interface ApplySummaryJson {
  summary: { lines: { done: number; failed: number }; durationMs: number };
}

function applySummary(stdout: string): ApplySummaryJson['summary'] {
  const start = stdout.lastIndexOf('{\n  "summary"');
  return (JSON.parse(stdout.slice(start)) as ApplySummaryJson).summary;
}

async function benchApply(emulator: EmulatorProcess): Promise<void> {
  const lines = quick ? 40 : 600;
  const latencyMs = 200;
  const requestsPerSecond = 20;
  const concurrency = 8;
  const theoretical = Math.min(requestsPerSecond, concurrency / (latencyMs / 1000));
  const runs = quick ? 1 : 3;
  log(`apply: ${lines} lines at MiniMax, ${latencyMs} ms latency, ${requestsPerSecond} requests/s, concurrency ${concurrency}`);
  // A bucket holding one second's requests: how a per-second limit is usually enforced.
  await emulator.setFaults('minimax', { latencyMs, rateLimit: { requestsPerSecond, burst: requestsPerSecond } });
  const env = { MINIMAX_API_KEY: emulator.keys.minimax };
  const voxform: Array<ApplyFigures & { rateLimited: number }> = [];
  const naive: Record<NaiveOptions['transport'], ApplyFigures[]> = { pool: [], fetch: [] };
  // Removed once everything is measured: on a journal-less ext4 (this benchmark's VM), a file created
  // soon after many were deleted costs the kernel a scan past them, which would be billed to whoever runs next.
  const projects: string[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = await minimaxProject(emulator, 'apply', { lines, concurrency, requestsPerMinute: requestsPerSecond * 60 });
    // Load and plan alone, to take out of apply's CPU what is not the engine's.
    const planned = await measureVoxform(['-C', dir, 'plan'], { env });
    const before = (await emulator.calls()).calls.length;
    const applied = await measureVoxform(['-C', dir, 'apply', '--yes', '--json'], { env });
    const summary = applySummary(applied.stdout);
    if (summary.lines.done !== lines) throw new Error(`apply rendered ${summary.lines.done} of ${lines} lines`);
    const calls = (await emulator.calls()).calls.slice(before);
    voxform.push({
      linesPerSecond: lines / (summary.durationMs / 1000),
      cpuPerLineMs: (applied.cpuMs - planned.cpuMs) / lines,
      userPerLineMs: (applied.userMs - planned.userMs) / lines,
      systemPerLineMs: (applied.systemMs - planned.systemMs) / lines,
      rateLimited: calls.filter((call) => call.fault === 'rate-limit').length,
    });
    projects.push(dir);

    for (const transport of ['pool', 'fetch'] as const) {
      const naiveDir = await minimaxProject(emulator, `naive-${transport}`, { lines, concurrency });
      naive[transport].push(await naiveApplyInOwnProcess({ dir: naiveDir, emulatorUrl: emulator.url, apiKey: emulator.keys.minimax, concurrency, transport }));
      projects.push(naiveDir);
    }
  }
  for (const project of projects) rmSync(project, { recursive: true, force: true });
  await emulator.setFaults('minimax', {});
  const engine = summarizeApply(voxform);
  const onPool = summarizeApply(naive.pool);
  const onFetch = summarizeApply(naive.fetch);
  const overhead = engine.cpu.median - onPool.cpu.median;
  const perSecond = (value: number) => `${value.toFixed(1)}/s`;
  const ofTheoretical = (figures: AppliedSummary) => `${((figures.throughput.median / theoretical) * 100).toFixed(1)}%`;
  const cpuFigure = (figures: AppliedSummary) => `${spread(figures.cpu, ms)} (${ms(figures.user.median)} user, ${ms(figures.system.median)} kernel)`;
  const row = (name: string, figures: AppliedSummary, rateLimited = '') => `| ${name} | ${spread(figures.throughput, perSecond)} | ${ofTheoretical(figures)} | ${rateLimited} | ${cpuFigure(figures)} |`;
  budgets.push({
    budget: 'apply throughput ÷ theoretical min(rate, concurrency ÷ latency)',
    figure: `${ofTheoretical(engine)} (${spread(engine.throughput, perSecond)} of ${theoretical}/s)`,
    target: '≥ 95%',
    met: engine.throughput.median / theoretical >= 0.95,
  });
  budgets.push({
    budget: 'engine CPU per rendered line',
    figure: `${cpuFigure(engine)}; the same requests on the same client with no engine: ${ms(onPool.cpu.median)}`,
    target: '< 1 ms',
    met: engine.cpu.median < 1,
  });
  budgets.push({
    budget: 'engine CPU per line over the naive loop (same requests and client, one file write)',
    figure: `${ms(overhead)} (${ms(engine.cpu.median)} − ${ms(onPool.cpu.median)}); over the loop with the global \`fetch\`: ${ms(engine.cpu.median - onFetch.cpu.median)}`,
    target: '< 1 ms',
    met: overhead < 1,
  });
  details.push(
    '## apply',
    '',
    `${lines} lines rendered at the emulator's MiniMax (its own process) with ${latencyMs} ms latency per API request and a`,
    `rate limit of ${requestsPerSecond} requests/s (a token bucket holding one second's worth); the manifest sets \`concurrency: ${concurrency}\` and \`requestsPerMinute: ${requestsPerSecond * 60}\`.`,
    `Theoretical limit: min(${requestsPerSecond}/s, ${concurrency} ÷ ${latencyMs / 1000} s) = ${theoretical} lines/s. Throughput is lines ÷ the engine's`,
    'duration (from `apply --json`). Naive baseline: a plain p-limit loop over the same requests (t2a, then the',
    'audio download written to disk), same concurrency, waiting out each 429 as its Retry-After says.',
    'Engine CPU per line: (CPU time of `voxform apply` − CPU time of `voxform plan` on the same project) ÷ lines, user and kernel',
    'time together. Each naive loop runs in a fresh process of its own, as `voxform apply` does, and its CPU per line is measured',
    'around its loop (nothing else runs in that process meanwhile): what the same two requests and one file write cost without an',
    'engine. The loop runs twice: on voxform\'s own transport (undici\'s `request` API through its connection pool,',
    '`createPoolFetch`), so that the difference is the engine\'s overhead alone, and with the global `fetch`, as a script would.',
    '',
    '| | lines/s | of theoretical | 429s received | CPU per line |',
    '|---|---|---|---|---|',
    row('voxform apply', engine, voxform.map((run) => run.rateLimited).join(', ')),
    row("naive loop, voxform's transport", onPool),
    row('naive loop, global `fetch`', onFetch),
    '',
    `Engine CPU per rendered line: ${spread(engine.cpu, ms)}; over the naive loop on the same transport: ${ms(overhead)}; over the loop with the global \`fetch\`: ${ms(engine.cpu.median - onFetch.cpu.median)}.`,
    '',
  );
}

interface AppliedSummary {
  throughput: Summary;
  cpu: Summary;
  user: Summary;
  system: Summary;
}

/** Medians and spreads of several runs of one apply loop. */
function summarizeApply(runs: ApplyFigures[]): AppliedSummary {
  return {
    throughput: summarize(runs.map((run) => run.linesPerSecond)),
    cpu: summarize(runs.map((run) => run.cpuPerLineMs)),
    user: summarize(runs.map((run) => run.userPerLineMs)),
    system: summarize(runs.map((run) => run.systemPerLineMs)),
  };
}

async function benchMemory(emulator: EmulatorProcess): Promise<void> {
  const lines = quick ? 10 : 200;
  // The emulator's tone audio lasts 0.06 s per character: 5,200 characters ≈ 312 s of 16 kHz WAV ≈ 10 MB.
  const cases = [
    { name: 'short lines (≈ 0.1 MB each)', textLength: 80 },
    { name: 'long lines (≈ 10 MB each)', textLength: 5200 },
  ];
  log(`memory: ${lines} lines of small and of 10 MB audio`);
  const env = { MINIMAX_API_KEY: emulator.keys.minimax };
  const rows: string[] = [];
  const peaks: number[] = [];
  for (const { name, textLength } of cases) {
    const dir = await minimaxProject(emulator, 'memory', { lines, concurrency: 8, textLength });
    const applied = await measureVoxform(['-C', dir, 'apply', '--yes', '--json'], { env });
    if (applySummary(applied.stdout).lines.done !== lines) throw new Error(`apply rendered fewer than ${lines} lines`);
    const outputBytes = readdirSync(path.join(dir, 'out'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((total, entry) => total + statSync(path.join(entry.parentPath, entry.name)).size, 0);
    rows.push(`| ${name} | ${(outputBytes / 1e6).toFixed(0)} MB | ${mb(applied.maxRssKb)} |`);
    peaks.push(applied.maxRssKb);
    rmSync(dir, { recursive: true, force: true });
  }
  budgets.push({
    budget: `peak RSS rendering ${lines} lines of 10 MB audio`,
    figure: `${mb(peaks[1]!)} (${mb(peaks[0]!)} with short lines)`,
    target: '< 200 MB, flat',
    met: peaks[1]! < 200 * 1024 && peaks[1]! < peaks[0]! * 1.25,
  });
  details.push(
    '## memory',
    '',
    `Peak RSS of \`voxform apply\` rendering ${lines} lines at the emulator (no latency, concurrency 8), with small and with`,
    'large audio: audio is streamed to disk while hashed, so memory must not follow audio size.',
    '',
    '| lines | audio written | peak RSS |',
    '|---|---|---|',
    ...rows,
    '',
  );
}

/** Measures now; the returned function adds the figures to the report, after the others. */
async function benchStart(): Promise<() => void> {
  log('cold start');
  const runs = quick ? 3 : 15;
  const version = summarize((await repeat(runs, () => measureVoxform(['--version']))).map((run) => run.wallMs));
  const example = path.join(work, 'audiobook-example');
  rmSync(example, { recursive: true, force: true });
  cpSync(path.join(root, 'examples/audiobook'), example, { recursive: true, filter: (source) => !/[\\/](out|\.voxform)$|voices\.lock$/.test(source) });
  const plan = summarize((await repeat(runs, () => measureVoxform(['-C', example, 'plan'], { allowExit: [0] }))).map((run) => run.wallMs));
  return () => {
    budgets.push({ budget: '`voxform --version`', figure: spread(version, ms), target: '< 150 ms', met: version.median < 150 });
    details.push(
      '## start',
      '',
      `\`voxform --version\` and \`voxform plan\` are measured first, before the other benchmarks load the machine.`,
      `\`voxform --version\`: ${spread(version, ms)}. \`voxform plan\` on examples/audiobook (12 lines, nothing applied yet): ${spread(plan, ms)}.`,
      '',
    );
  };
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function report(): string {
  return [
    '# Benchmark results',
    '',
    'Written by `pnpm bench` (bench/src/run-bench.ts); every figure is measured against a baseline in the same run.',
    'Medians, with min–max over the runs. Budgets: DESIGN §12.',
    '',
    `Machine: ${machine()}. Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    '| budget | figure | target | |',
    '|---|---|---|---|',
    ...budgets.map((row) => `| ${row.budget} | ${row.figure} | ${row.target} | ${row.met ? 'met' : '**missed**'} |`),
    '',
    ...details,
  ].join('\n');
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  build();
  // First, on a quiet machine: after the memory benchmark the kernel is still writing back and freeing
  // its 2 GB of audio, which slowed a 90 ms start to 150–250 ms.
  const recordStart = wanted('start') ? await benchStart() : undefined;
  if (wanted('plan')) await benchPlan();
  if (wanted('apply') || wanted('memory')) {
    const emulator = await startEmulator();
    try {
      if (wanted('apply')) await benchApply(emulator);
      if (wanted('memory')) await benchMemory(emulator);
    } finally {
      await emulator.stop();
    }
  }
  recordStart?.();
  const text = report();
  if (quick || only) {
    log(`\n${text}\n\n(${quick ? 'quick mode: small inputs, single runs' : 'some benchmarks only'}; bench/RESULTS.md left as it was)`);
  } else {
    writeFileSync(path.join(root, 'bench/RESULTS.md'), `${text}\n`);
    log(`\n${text}\n\nWrote bench/RESULTS.md.`);
  }
}

await main();
