import { access, appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '@voxform/core';
import { EXIT_OK } from '../exit-codes.js';
import type { CommandContext } from '../main.js';

const starter = `# yaml-language-server: $schema=https://voxform.dev/schemas/voices.schema.json
# voices.yaml: the voices you clone and the lines they read. \`voxform plan\` shows what would change,
# \`voxform apply\` makes it so and records it in voices.lock (commit both files).
version: 1

output:
  dir: out                                   # rendered audio goes here
  path: "{script}/{index}-{line}.{ext}"      # {script} {index} {line} {voice} {ext}

# Settings per provider. API keys only as \${ENV} references, never the key itself:
# providers:
#   minimax:
#     apiKey: \${MINIMAX_API_KEY}
#     concurrency: 4

defaults:
  voice: narrator                            # lines that name no voice use this one

voices:
  narrator:
    provider: local                          # offline espeak-ng: free draft previews, not a neural clone
    sample: samples/narrator.wav             # 10 s to 5 min of clean speech, relative to this file

scripts:
  chapter-01:
    lines:
      - narrator: It was a dark and stormy night.   # { <voice>: <text> }
      - id: second-line                             # an id keeps the line's address when lines move
        text: The rain fell in torrents.
  # chapter-02:
  #   from: chapters/02.md                   # paragraphs become lines; "@voice:" switches speaker
`;

export async function initCommand(context: CommandContext, options: { force: boolean }): Promise<number> {
  const { paths, terminal } = context;
  const exists = await access(paths.manifestFile).then(() => true, () => false);
  if (exists && !options.force) {
    throw new UsageError(`${paths.display(paths.manifestFile)} already exists; \`voxform init --force\` overwrites it.`);
  }
  await writeFile(paths.manifestFile, starter);
  const gitignore = path.join(paths.dir, '.gitignore');
  const ignored = await readFile(gitignore, 'utf8').catch(() => '');
  if (!ignored.split('\n').some((line) => line.trim() === '.voxform/' || line.trim() === '.voxform')) {
    await appendFile(gitignore, `${ignored && !ignored.endsWith('\n') ? '\n' : ''}# voxform's cache and state lock\n.voxform/\n`);
  }
  terminal.out(`Wrote ${paths.display(paths.manifestFile)}. Put a recording at samples/narrator.wav, then run: voxform plan`);
  return EXIT_OK;
}
