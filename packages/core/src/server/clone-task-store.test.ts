import { describe, expect, it } from 'vitest';
import { createMemoryTaskStore, reduceCloneTask, type StoredCloneTask } from './clone-task-store.js';

const task: StoredCloneTask = { id: 'task-1', status: 'pending', provider: 'minimax', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
const at = '2026-01-01T00:00:05.000Z';

describe('reduceCloneTask', () => {
  it('moves a task through processing to completed, dropping the vendor status at the end', () => {
    const started = reduceCloneTask(task, { type: 'start', at });
    expect(started).toMatchObject({ status: 'processing', updatedAt: at });
    const queued = reduceCloneTask(started, { type: 'vendor-status', status: 'queueing', at });
    expect(queued.vendorStatus).toBe('queueing');
    expect(reduceCloneTask(queued, { type: 'vendor-status', status: 'queueing', at: '2026-01-01T00:00:09.000Z' })).toBe(queued);
    const done = reduceCloneTask(queued, { type: 'complete', audioUrl: '/tasks/task-1/audio', format: 'mp3', at });
    expect(done).toEqual({ ...task, status: 'completed', audioUrl: '/tasks/task-1/audio', audioFormat: 'mp3', updatedAt: at });
  });

  it('never changes a final task: a late completion cannot undo a cancel, nor a cancel a failure', () => {
    const cancelled = reduceCloneTask(task, { type: 'cancel', at });
    expect(cancelled.status).toBe('cancelled');
    expect(reduceCloneTask(cancelled, { type: 'complete', audioUrl: '/a', format: 'mp3', at })).toBe(cancelled);
    const failed = reduceCloneTask(task, { type: 'fail', error: 'vendor said no', at });
    expect(reduceCloneTask(failed, { type: 'cancel', at })).toBe(failed);
    expect(failed.error).toBe('vendor said no');
  });
});

describe('createMemoryTaskStore', () => {
  it('applies actions through the reducer and forgets tasks and audio past their retention', async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const store = createMemoryTaskStore({ retainMs: 60_000, now: () => now });
    await store.insert(task);
    await store.putAudio(task.id, new Uint8Array([1, 2, 3]));
    expect(await store.dispatch(task.id, { type: 'start', at })).toMatchObject({ status: 'processing' });
    expect(await store.dispatch('missing', { type: 'start', at })).toBeUndefined();
    now += 120_000;
    await store.insert({ ...task, id: 'task-2', createdAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString() });
    expect(await store.get(task.id)).toBeUndefined();
    expect(await store.getAudio(task.id)).toBeUndefined();
    expect(await store.get('task-2')).toBeDefined();
  });
});
