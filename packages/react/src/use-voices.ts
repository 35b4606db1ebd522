import type { CloneRequestError, CloneVoice } from '@voxform/core/client';
import useSWR from 'swr';
import { useCloneClient } from './voxform-provider.js';

export interface UseVoicesResult {
  voices: CloneVoice[] | undefined;
  error: CloneRequestError | undefined;
  isLoading: boolean;
}

/** The voices the server's project declares (`GET /voices`), to clone one by name. */
export function useVoices(): UseVoicesResult {
  const client = useCloneClient();
  const { data, error, isLoading } = useSWR<CloneVoice[], CloneRequestError, readonly [string, 'voices']>([client.endpoint, 'voices'] as const, () => client.listVoices());
  return { voices: data, error, isLoading };
}
