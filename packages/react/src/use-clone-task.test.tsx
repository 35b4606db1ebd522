// @vitest-environment happy-dom
import { act, renderHook, waitFor } from '@testing-library/react';
import type { CloneTask, CloneTaskStatus } from '@voxform/core/client';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useCloneTask } from './use-clone-task.js';
import { useCreateCloneTask } from './use-create-clone-task.js';
import { useVoices } from './use-voices.js';
import { VoxformProvider } from './voxform-provider.js';

const endpoint = 'http://app.test/api/voxform';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Every request the hooks sent, as `METHOD path`. */
let requests: string[] = [];
server.events.on('request:start', ({ request }) => requests.push(`${request.method} ${new URL(request.url).pathname}`));
afterEach(() => {
  requests = [];
});

// A fresh swr cache per test: nothing carries over, as after a page reload.
function wrapper(options: { fetcher?: typeof fetch } = {}) {
  return ({ children }: { children: ReactNode }) => (
    <SWRConfig value={{ provider: () => new Map() }}>
      <VoxformProvider endpoint={endpoint} {...(options.fetcher ? { fetcher: options.fetcher } : {})}>
        {children}
      </VoxformProvider>
    </SWRConfig>
  );
}

const poll = { pollInitialMs: 20, pollMaxMs: 40 };
const taskAt = (id: string, status: CloneTaskStatus, extra: Partial<CloneTask> = {}): CloneTask => ({
  id,
  status,
  provider: 'minimax',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  ...(status === 'completed' ? { audioUrl: `/api/voxform/tasks/${id}/audio` } : {}),
  ...extra,
});

/** A task that moves one status further at each GET, then stays at the last. */
function scriptedTask(id: string, statuses: CloneTaskStatus[]) {
  let step = 0;
  server.use(
    http.get(`${endpoint}/tasks/${id}`, () => {
      const status = statuses[Math.min(step, statuses.length - 1)]!;
      step++;
      return HttpResponse.json(taskAt(id, status));
    }),
  );
}

const gets = (id: string) => requests.filter((request) => request === `GET /api/voxform/tasks/${id}`).length;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('useCloneTask', () => {
  it('follows a task from pending through processing to completed, then gives the audio URL', async () => {
    scriptedTask('t1', ['pending', 'processing', 'processing', 'completed']);
    const seen: Array<CloneTaskStatus | undefined> = [];
    const { result } = renderHook(
      () => {
        const state = useCloneTask('t1', poll);
        if (seen.length === 0 || seen.at(-1) !== state.status) seen.push(state.status);
        return state;
      },
      { wrapper: wrapper() },
    );
    expect(result.current.isLoading).toBe(true);
    await waitFor(() => expect(result.current.status).toBe('completed'));
    expect(seen).toEqual([undefined, 'pending', 'processing', 'completed']);
    expect(result.current.audioUrl).toBe('http://app.test/api/voxform/tasks/t1/audio');
    expect(result.current.task?.id).toBe('t1');
    expect(result.current.error).toBeUndefined();
  });

  it('stops polling once the task is final', async () => {
    for (const [id, last] of [['done', 'completed'], ['broken', 'failed'], ['stopped', 'cancelled']] as const) {
      scriptedTask(id, ['processing', last]);
      const { result, unmount } = renderHook(() => useCloneTask(id, poll), { wrapper: wrapper() });
      await waitFor(() => expect(result.current.status).toBe(last));
      const count = gets(id);
      await pause(300);
      expect(gets(id), id).toBe(count);
      unmount();
    }
  });

  it('surfaces a refused read as an error, without asking again', async () => {
    server.use(http.get(`${endpoint}/tasks/gone`, () => HttpResponse.json({ error: { message: 'no task gone here: it never existed' } }, { status: 404 })));
    const { result } = renderHook(() => useCloneTask('gone', poll), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.error).toBeDefined());
    expect(result.current.error).toMatchObject({ name: 'CloneRequestError', status: 404, message: 'no task gone here: it never existed' });
    expect(result.current.status).toBeUndefined();
    await pause(300);
    expect(gets('gone')).toBe(1);
  });

  it('shows a failed task\'s reason', async () => {
    server.use(http.get(`${endpoint}/tasks/failing`, () => HttpResponse.json(taskAt('failing', 'failed', { error: 'MiniMax refused the sample' }))));
    const { result } = renderHook(() => useCloneTask('failing', poll), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.status).toBe('failed'));
    expect(result.current.task?.error).toBe('MiniMax refused the sample');
    expect(result.current.audioUrl).toBeUndefined();
  });

  it('cancels: DELETE, the cancelled task at once, and no polling after', async () => {
    let cancelled = false;
    server.use(
      http.get(`${endpoint}/tasks/long`, () => HttpResponse.json(taskAt('long', cancelled ? 'cancelled' : 'processing'))),
      http.delete(`${endpoint}/tasks/long`, () => {
        cancelled = true;
        return HttpResponse.json(taskAt('long', 'cancelled'));
      }),
    );
    const { result } = renderHook(() => useCloneTask('long', poll), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.status).toBe('processing'));
    let returned: CloneTask | undefined;
    await act(async () => {
      returned = await result.current.cancel();
    });
    expect(returned?.status).toBe('cancelled');
    expect(result.current.status).toBe('cancelled');
    expect(requests).toContain('DELETE /api/voxform/tasks/long');
    await pause(100);
    const count = gets('long');
    await pause(300);
    expect(gets('long')).toBe(count);
  });

  it('resumes from a kept id after a reload: a new cache picks the running task up', async () => {
    let status: CloneTaskStatus = 'processing';
    server.use(http.get(`${endpoint}/tasks/kept`, () => HttpResponse.json(taskAt('kept', status))));
    const first = renderHook(() => useCloneTask('kept', poll), { wrapper: wrapper() });
    await waitFor(() => expect(first.result.current.status).toBe('processing'));
    first.unmount(); // the page goes away mid-task
    const second = renderHook(() => useCloneTask('kept', poll), { wrapper: wrapper() });
    expect(second.result.current.task).toBeUndefined(); // nothing cached: it asks the server
    await waitFor(() => expect(second.result.current.status).toBe('processing'));
    status = 'completed';
    await waitFor(() => expect(second.result.current.status).toBe('completed'));
    expect(second.result.current.audioUrl).toBe('http://app.test/api/voxform/tasks/kept/audio');
  });

  it('sends no request while the id is null', async () => {
    const { result, rerender } = renderHook(({ id }: { id: string | null }) => useCloneTask(id, poll), { wrapper: wrapper(), initialProps: { id: null as string | null } });
    await pause(200);
    expect(requests).toEqual([]);
    expect(result.current).toMatchObject({ task: undefined, status: undefined, isLoading: false, error: undefined });
    expect(await result.current.cancel()).toBeUndefined();
    expect(requests).toEqual([]);
    scriptedTask('later', ['completed']);
    rerender({ id: 'later' });
    await waitFor(() => expect(result.current.status).toBe('completed'));
  });
});

describe('useCreateCloneTask', () => {
  it('uploads a sample as multipart, or sends a sample URL as JSON, and gives the id', async () => {
    const received: Array<{ type: string | null; fields: Record<string, string>; file?: { name: string; size: number } }> = [];
    server.use(
      http.post(`${endpoint}/tasks`, async ({ request }) => {
        const type = request.headers.get('content-type');
        if (type?.startsWith('multipart/form-data')) {
          const form = await request.formData();
          const file = form.get('sample') as File;
          const fields = Object.fromEntries([...form.entries()].filter(([name]) => name !== 'sample').map(([name, value]) => [name, String(value)]));
          received.push({ type: 'multipart', fields, file: { name: file.name, size: file.size } });
        } else {
          received.push({ type, fields: (await request.json()) as Record<string, string> });
        }
        return HttpResponse.json({ id: `id-${received.length}` }, { status: 202 });
      }),
    );
    const { result } = renderHook(() => useCreateCloneTask(), { wrapper: wrapper() });
    let created: { id: string } | undefined;
    await act(async () => {
      created = await result.current.trigger({ text: 'Hello.', provider: 'minimax', sample: new File([new Uint8Array(1234)], 'me.wav', { type: 'audio/wav' }), options: { speed: 1.2 } });
    });
    expect(created).toEqual({ id: 'id-1' });
    expect(result.current.data).toEqual({ id: 'id-1' });
    await act(async () => {
      created = await result.current.trigger({ text: 'Hi.', provider: 'vidu', sampleUrl: 'https://example.com/a.wav' });
    });
    expect(created).toEqual({ id: 'id-2' });
    expect(received).toEqual([
      { type: 'multipart', fields: { text: 'Hello.', provider: 'minimax', options: '{"speed":1.2}' }, file: { name: 'me.wav', size: 1234 } },
      { type: 'application/json', fields: { text: 'Hi.', provider: 'vidu', sampleUrl: 'https://example.com/a.wav' } },
    ]);
  });

  it('reports isMutating while sending, and surfaces a refusal with its problems', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    server.use(
      http.post(`${endpoint}/tasks`, async () => {
        await held;
        return HttpResponse.json(
          { error: { message: "options.tone: unknown line option for minimax: 'tone' (allowed: speed)", problems: [{ path: 'options.tone', message: "unknown line option for minimax: 'tone' (allowed: speed)" }] } },
          { status: 400 },
        );
      }),
    );
    const { result } = renderHook(() => useCreateCloneTask(), { wrapper: wrapper() });
    let pending!: Promise<{ id: string } | undefined>;
    act(() => {
      pending = result.current.trigger({ text: 'Hi.', provider: 'minimax', sampleUrl: 'https://example.com/a.wav', options: { tone: 'x' } });
    });
    await waitFor(() => expect(result.current.isMutating).toBe(true));
    release();
    await act(async () => {
      expect(await pending).toBeUndefined();
    });
    expect(result.current.isMutating).toBe(false);
    expect(result.current.error).toMatchObject({ status: 400, problems: [{ path: 'options.tone', message: "unknown line option for minimax: 'tone' (allowed: speed)" }] });
  });

  it('goes through the provider\'s fetcher (to add credentials)', async () => {
    let authorization: string | null = null;
    server.use(
      http.post(`${endpoint}/tasks`, ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json({ id: 'x' }, { status: 202 });
      }),
    );
    const fetcher: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), authorization: 'Bearer app-token' } });
    const { result } = renderHook(() => useCreateCloneTask(), { wrapper: wrapper({ fetcher }) });
    await act(async () => {
      await result.current.trigger({ text: 'Hi.', provider: 'vidu', sampleUrl: 'https://example.com/a.wav' });
    });
    expect(authorization).toBe('Bearer app-token');
  });
});

describe('useVoices', () => {
  it('lists the server project\'s voices', async () => {
    server.use(http.get(`${endpoint}/voices`, () => HttpResponse.json({ voices: [{ name: 'narrator', provider: 'minimax', language: 'English' }] })));
    const { result } = renderHook(() => useVoices(), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.voices).toEqual([{ name: 'narrator', provider: 'minimax', language: 'English' }]));
  });
});

describe('without a provider', () => {
  it('says what is missing', () => {
    expect(() => renderHook(() => useCloneTask('x'))).toThrow('voxform hooks need a <VoxformProvider endpoint="/api/voxform"> above them in the tree');
  });
});
