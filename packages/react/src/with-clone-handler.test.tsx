// @vitest-environment happy-dom
import { act, renderHook, waitFor } from '@testing-library/react';
import { createAiVoiceCloneFreeProvider, createMinimaxProvider, ProviderRegistry } from '@voxform/core';
import { createCloneHandler } from '@voxform/core/server';
import { createEmulator, createEmulatorHandlers } from '@voxform/emulator';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import type { ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCloneTask } from './use-clone-task.js';
import { useCreateCloneTask } from './use-create-clone-task.js';
import { VoxformProvider } from './voxform-provider.js';

// The hooks against the real handler, whose adapters talk to the emulator: no hand-written answers.
const endpoint = 'http://app.test/api/voxform';
const emulator = createEmulator({ audio: 'tone', baseUrl: 'http://emulator.test' });
const poll = { poll: { intervalMs: 50, maxIntervalMs: 200 } };
const handler = createCloneHandler({
  providers: new ProviderRegistry()
    .register('minimax', (settings) => createMinimaxProvider(settings, poll))
    .register('aivoiceclonefree', (settings) => createAiVoiceCloneFreeProvider(settings, poll)),
  settings: {
    minimax: { apiKey: emulator.keys.minimax, baseUrl: emulator.vendorBaseUrl('minimax') },
    aivoiceclonefree: { apiKey: emulator.keys.aivoiceclonefree, baseUrl: emulator.vendorBaseUrl('aivoiceclonefree') },
  },
  authorize: () => true,
  basePath: '/api/voxform',
  sampleUrls: { allowPrivateHosts: ['emulator.test'] },
});
const server = setupServer(...createEmulatorHandlers(emulator), http.all(`${endpoint}/*`, ({ request }) => handler(request)));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(async () => {
  server.close();
  await handler.close();
});

const wrapper = ({ children }: { children: ReactNode }) => (
  <SWRConfig value={{ provider: () => new Map() }}>
    <VoxformProvider endpoint={endpoint}>{children}</VoxformProvider>
  </SWRConfig>
);

describe('the hooks with createCloneHandler', () => {
  it('uploads a sample, follows the task to completed and gets audio that is MP3', async () => {
    const sample = await (await fetch(emulator.sampleUrl('narrator'))).arrayBuffer();
    const { result } = renderHook(
      () => {
        const create = useCreateCloneTask();
        const task = useCloneTask(create.data?.id ?? null, { pollInitialMs: 50, pollMaxMs: 100 });
        return { create, task };
      },
      { wrapper },
    );
    await act(async () => {
      await result.current.create.trigger({ text: 'Hooks and handler together.', provider: 'minimax', sample: new File([sample], 'narrator.wav', { type: 'audio/wav' }) });
    });
    expect(result.current.create.error).toBeUndefined();
    await waitFor(() => expect(result.current.task.status).toBe('completed'), { timeout: 10_000 });
    const audio = await fetch(result.current.task.audioUrl!);
    expect(audio.headers.get('content-type')).toBe('audio/mpeg');
    const head = new Uint8Array(await audio.arrayBuffer()).subarray(0, 3);
    expect(head[0] === 0xff || new TextDecoder().decode(head) === 'ID3').toBe(true);
  });

  it('shows the handler\'s 400 for an unknown option', async () => {
    const { result } = renderHook(() => useCreateCloneTask(), { wrapper });
    await act(async () => {
      await result.current.trigger({ text: 'Hi.', provider: 'aivoiceclonefree', sampleUrl: emulator.sampleUrl('caller'), options: { loudness: 11 } });
    });
    expect(result.current.error?.status).toBe(400);
    expect(result.current.error?.problems.map((problem) => problem.path)).toEqual(['options.loudness']);
    expect(result.current.error?.message).toMatch(/^options\.loudness: unknown line option for aivoiceclonefree: 'loudness'/);
  });
});
