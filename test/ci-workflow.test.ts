import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from './support/voxform-process.js';

// examples/ci/voxform.yml: its shell steps run here as GitHub would run them (bash, $GITHUB_OUTPUT),
// with $VOXFORM pointing at this checkout's CLI instead of the published package.
interface Step {
  name?: string;
  id?: string;
  run?: string;
  uses?: string;
}
interface Workflow {
  env: Record<string, string>;
  jobs: Record<string, { if: string; steps: Step[] }>;
}

const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});
const temporary = async (prefix: string) => {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  directories.push(dir);
  return dir;
};

const workflow = parse(await readFile(path.join(root, 'examples/ci/voxform.yml'), 'utf8')) as Workflow;
const stepOf = (job: string, name: string) => {
  const step = workflow.jobs[job]!.steps.find((candidate) => candidate.name === name);
  if (!step?.run) throw new Error(`examples/ci/voxform.yml has no '${name}' step with a run script in job ${job}`);
  return step.run;
};
// The workflow expands $VOXFORM unquoted (it is `npx --yes @voxform/cli@…`): a one-word wrapper script
// stands in for it, whatever spaces the paths have.
const voxformCommand = path.join(await temporary('voxform-ci-bin-'), 'voxform');
await writeFile(
  voxformCommand,
  // From the checkout, where tsx resolves; the steps get an absolute $VOXFORM_DIR for it.
  `#!/bin/sh\ncd '${root.replaceAll("'", "'\\''")}' || exit 1\nexec ${[process.execPath, '--conditions=source', '--import', 'tsx', path.join(root, 'packages/cli/src/bin.ts')].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ')} "$@"\n`,
  { mode: 0o755 },
);

/** Runs a step's script with bash -e, in `cwd`, as a GitHub runner does. */
function runStep(script: string, cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync('bash', ['-e', '-c', script], {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', VOXFORM: voxformCommand, VOXFORM_DIR: cwd, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function project(dir: string) {
  await mkdir(path.join(dir, 'samples'), { recursive: true });
  await copyFile(path.join(root, 'examples/audiobook/samples/narrator.wav'), path.join(dir, 'samples/narrator.wav'));
  await writeFile(
    path.join(dir, 'voices.yaml'),
    ['version: 1', 'voices:', '  narrator: { provider: local, sample: samples/narrator.wav }', 'scripts:', '  intro:', '    lines:', '      - narrator: One.', '      - narrator: Two.', ''].join('\n'),
  );
}

const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.com' } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

describe('examples/ci/voxform.yml', () => {
  it('plans on pull requests and applies on main only, pinning the CLI', () => {
    expect(workflow.jobs.plan!.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs.apply!.if).toContain("github.ref == 'refs/heads/main'");
    expect(workflow.env.VOXFORM).toMatch(/^npx --yes @voxform\/cli@\d+\.\d+\.\d+$/);
    expect(workflow.jobs.apply!.steps.some((step) => step.uses?.startsWith('actions/cache@') && JSON.stringify(step).includes('.voxform/cache'))).toBe(true);
  });

  it('plan step: exit code 2 is "changes" (the step passes, the comment is written), 1 fails the step', async () => {
    const dir = await temporary('voxform-ci-plan-');
    await project(dir);
    const outputs = path.join(dir, 'github-output');
    const changes = runStep(stepOf('plan', 'voxform plan'), dir, { GITHUB_OUTPUT: outputs });
    expect(changes.code, changes.stderr).toBe(0);
    expect(changes.stdout).toContain('voxform: changes pending');
    expect(await readFile(outputs, 'utf8')).toBe('exitcode=2\n');
    const comment = await readFile(path.join(dir, 'voxform-plan.md'), 'utf8');
    expect(comment.startsWith('<!-- voxform-plan -->\n### voxform plan\n\n**Plan: 1 voice to create, 2 lines to render')).toBe(true);
    expect(comment).toContain('<summary>Script <code>intro</code>: 2 to render (8 characters)</summary>');

    await writeFile(path.join(dir, 'voices.yaml'), (await readFile(path.join(dir, 'voices.yaml'), 'utf8')).replace('- narrator: Two.', '- ghost: Boo.'));
    const broken = runStep(stepOf('plan', 'voxform plan'), dir, { GITHUB_OUTPUT: outputs });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("unknown voice 'ghost'");
  }, 120_000);

  it('apply job: applies, commits voices.lock back, and the next plan step says no changes', async () => {
    const remote = await temporary('voxform-ci-remote-');
    git(remote, 'init', '--bare', '--initial-branch=main');
    const work = await temporary('voxform-ci-work-');
    git(work, 'clone', remote, '.');
    await project(work);
    git(work, 'add', '.');
    git(work, 'commit', '-m', 'voices');
    git(work, 'push', 'origin', 'main');

    const env = { GITHUB_SHA: git(work, 'rev-parse', 'HEAD'), MAX_COST: '0' };
    const applied = runStep(stepOf('apply', 'voxform apply'), work, env);
    expect(applied.code, applied.stderr).toBe(0);
    const committed = runStep(stepOf('apply', 'Commit voices.lock'), work, env);
    expect(committed.code, committed.stderr).toBe(0);
    expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe(`voices.lock: voxform apply for ${env.GITHUB_SHA.slice(0, 7)} [skip ci]`);
    expect(git(remote, 'show', 'main:voices.lock')).toContain('intro/0001');

    const again = runStep(stepOf('apply', 'Commit voices.lock'), work, env);
    expect(again.stdout).toContain('voices.lock unchanged');
    const outputs = path.join(work, 'github-output');
    const plan = runStep(stepOf('plan', 'voxform plan'), work, { GITHUB_OUTPUT: outputs });
    expect(plan.code).toBe(0);
    expect(await readFile(outputs, 'utf8')).toBe('exitcode=0\n');
  }, 120_000);
});
