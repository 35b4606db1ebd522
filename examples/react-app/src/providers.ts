/** The providers the example offers, shared by the page (names, hints) and the server (which it registers). */
export const exampleProviders = [
  { id: 'minimax', label: 'MiniMax', takes: 'an upload or a URL' },
  { id: 'aivoiceclonefree', label: 'AI Voice Clone Free', takes: 'an upload or a URL' },
  { id: 'vidu', label: 'Vidu', takes: 'a URL only' },
  { id: 'soundclone', label: 'SoundClone', takes: 'a URL only (15–60 s)' },
  { id: 'local', label: 'local (offline espeak-ng, draft quality)', takes: 'a WAV upload or URL' },
] as const;

export type ExampleProviderId = (typeof exampleProviders)[number]['id'];

/** What the server tells the page when it builds it: sample URLs on the emulator to pick from. */
export interface ExampleConfig {
  sampleUrls: Array<{ label: string; url: string }>;
}
