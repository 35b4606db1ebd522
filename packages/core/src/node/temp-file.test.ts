import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import writeFileAtomic from 'write-file-atomic';
import { temporaryDirectories } from '../__fixtures__/test-project.js';
import { isSnapshotTempName, lockfileSnapshotFile } from './lockfile-snapshot.js';
import { isTempFileName, removeLeftoverFiles, tempFileBeside } from './temp-file.js';

const directories = temporaryDirectories();

describe('tempFileBeside and isTempFileName', () => {
  it('names a temp file beside its file that isTempFileName knows, for that file only when asked', () => {
    const temp = tempFileBeside('/project/out/intro/0001-0001.wav');
    expect(path.dirname(temp)).toBe('/project/out/intro');
    expect(path.basename(temp)).toMatch(/^\.0001-0001\.wav\.[0-9a-f]{12}\.tmp$/);
    expect(isTempFileName(path.basename(temp))).toBe(true);
    expect(isTempFileName(path.basename(temp), '0001-0001.wav')).toBe(true);
    expect(isTempFileName(path.basename(temp), 'voices.lock')).toBe(false);
    expect(tempFileBeside('/project/voices.lock')).not.toBe(tempFileBeside('/project/voices.lock'));
  });

  it('knows nothing else', () => {
    for (const name of ['0001.wav', 'notes.tmp', '.0001.wav.tmp', '0001.wav.1bb8854baa08.tmp', '.0001.wav.1BB8854BAA08.tmp', '.0001.wav.1bb8854baa0.tmp', '.0001.wav.1bb8854baa08.tmp.bak', '..1bb8854baa08.tmp']) {
      expect(isTempFileName(name), name).toBe(false);
    }
  });
});

describe('isSnapshotTempName', () => {
  it("knows write-file-atomic's temp file for the snapshot, and not the snapshot", async () => {
    const file = lockfileSnapshotFile('/project/.voxform');
    const { _getTmpname } = writeFileAtomic as unknown as { _getTmpname(file: string): string };
    expect(isSnapshotTempName(path.basename(_getTmpname(file)))).toBe(true);
    expect(isSnapshotTempName('voices.lock.json')).toBe(false);
    expect(isSnapshotTempName('voices.lock.json.tmp')).toBe(false);
  });
});

describe('removeLeftoverFiles', () => {
  it('removes the files picked, with one listing, and returns the names of the others; never a folder', async () => {
    const dir = await directories.create();
    await writeFile(path.join(dir, '.a.wav.0123456789ab.tmp'), 'partial');
    await writeFile(path.join(dir, 'a.wav'), 'audio');
    await mkdir(path.join(dir, '.b.wav.0123456789ab.tmp'));
    const refused = path.join(dir, '.c.wav.0123456789ab.tmp');
    await writeFile(refused, 'partial');

    const kept = await removeLeftoverFiles(dir, (name) => isTempFileName(name), async (file) => {
      if (file === refused) throw new Error('refused');
      return file;
    });
    expect(kept).toEqual(['a.wav']);
    expect((await readdir(dir)).sort()).toEqual(['.b.wav.0123456789ab.tmp', '.c.wav.0123456789ab.tmp', 'a.wav']);
  });

  it('has nothing to do in a folder that is not there', async () => {
    const dir = await directories.create();
    expect(await removeLeftoverFiles(path.join(dir, 'missing'), () => true)).toEqual([]);
  });
});
