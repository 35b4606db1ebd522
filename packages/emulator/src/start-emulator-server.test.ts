import { describe, expect, it } from 'vitest';
import { startEmulatorServer } from './start-emulator-server.js';

describe('the emulator over real HTTP', () => {
  it('serves the vendors, the control API and downloads on a local port, and drops connections on demand', async () => {
    const server = await startEmulatorServer({ port: 0, audio: 'tone' });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const described = (await (await fetch(`${server.url}/__emulator`)).json()) as { vendors: Record<string, string> };
      expect(described.vendors.kling).toBe(`${server.url}/kling`);
      const sample = await fetch(server.emulator.sampleUrl('narrator', 'mp3'));
      expect(new Uint8Array(await sample.arrayBuffer())[0]).toBe(0xff);

      await fetch(`${server.url}/__emulator/faults/vidu`, { method: 'PUT', body: JSON.stringify({ dropRate: 1 }) });
      await expect(fetch(`${server.url}/vidu/ent/v2/tasks/x/creations`, { headers: { authorization: `Token ${server.emulator.keys.vidu}` } })).rejects.toThrow();
      expect(server.emulator.calls.entries()).toEqual([expect.objectContaining({ vendor: 'vidu', fault: 'drop', status: 0 })]);
    } finally {
      await server.close();
    }
  });

  it('cuts a download short after the bytes asked for: those bytes arrive, then the connection breaks', async () => {
    const server = await startEmulatorServer({ port: 0, audio: 'tone' });
    try {
      const vidu = (route: string, body: unknown) =>
        fetch(`${server.url}/vidu${route}`, { method: 'POST', headers: { authorization: `Token ${server.emulator.keys.vidu}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await vidu('/ent/v2/audio-clone', { audio_url: server.emulator.sampleUrl('narrator', 'mp3'), voice_id: 'vx-cut-test', text: 'Hello there.' });
      const { file_url: fileUrl } = (await (await vidu('/ent/v2/audio-tts', { text: 'A line to download.', voice_setting_voice_id: 'vx-cut-test' })).json()) as { file_url: string };
      server.emulator.setFaults('vidu', { truncateDownloadsAt: 500 });
      const response = await fetch(fileUrl);
      const reader = response.body!.getReader();
      let received = 0;
      await expect(
        (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            received += value.byteLength;
          }
        })(),
      ).rejects.toThrow();
      expect(received).toBe(500);
    } finally {
      await server.close();
    }
  });

  it('ends a stalled answer when the client hangs up, and logs the work as done', async () => {
    const server = await startEmulatorServer({ port: 0, audio: 'tone' });
    try {
      await fetch(`${server.url}/__emulator/faults/vidu`, { method: 'PUT', body: JSON.stringify({ stallRate: 1 }) });
      const tasks = `${server.url}/vidu/ent/v2/tasks/x/creations`;
      await expect(fetch(tasks, { headers: { authorization: `Token ${server.emulator.keys.vidu}` }, signal: AbortSignal.timeout(300) })).rejects.toThrow();
      // Logged when the held answer is let go: on the hang-up, not after the 10-minute limit.
      for (let attempt = 0; attempt < 100 && server.emulator.calls.entries().length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.emulator.calls.entries()).toEqual([expect.objectContaining({ vendor: 'vidu', fault: 'stall', status: 404 })]);
    } finally {
      await server.close();
    }
  });
});
