import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useCloneTask, useVoices, VoxformProvider } from './index.js';

// Node, no DOM: what a server renderer sees.
afterEach(() => vi.unstubAllGlobals());

function Status({ id }: { id: string }) {
  const { status, isLoading } = useCloneTask(id);
  const { voices } = useVoices();
  return <p>{`status: ${status ?? 'none'}, loading: ${String(isLoading)}, voices: ${voices?.length ?? 'none'}`}</p>;
}

describe('@voxform/react on the server', () => {
  it('imports and renders without window, and sends no request while rendering', () => {
    expect(typeof window).toBe('undefined');
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const html = renderToString(
      <VoxformProvider endpoint="/api/voxform">
        <Status id="abc" />
      </VoxformProvider>,
    );
    expect(html).toBe('<p>status: none, loading: true, voices: none</p>');
    expect(fetch).not.toHaveBeenCalled();
  });
});
