import { createCloneClient, type CloneClient } from '@voxform/core/client';
import { createContext, useContext, useMemo, type ReactNode } from 'react';

const VoxformContext = createContext<CloneClient | null>(null);

export interface VoxformProviderProps {
  /** Where `createCloneHandler` is mounted: `/api/voxform`, or an absolute URL. */
  endpoint: string;
  /** The fetch the hooks call, to add an Authorization header or credentials. Default: the global fetch. */
  fetcher?: typeof fetch;
  children?: ReactNode;
}

/** Tells the hooks below it where the clone handler is. */
export function VoxformProvider({ endpoint, fetcher, children }: VoxformProviderProps) {
  const client = useMemo(() => createCloneClient({ endpoint, ...(fetcher ? { fetch: fetcher } : {}) }), [endpoint, fetcher]);
  return <VoxformContext.Provider value={client}>{children}</VoxformContext.Provider>;
}

/** The client of the nearest `<VoxformProvider>`; for calls the hooks do not cover. */
export function useCloneClient(): CloneClient {
  const client = useContext(VoxformContext);
  if (!client) throw new Error('voxform hooks need a <VoxformProvider endpoint="/api/voxform"> above them in the tree');
  return client;
}
