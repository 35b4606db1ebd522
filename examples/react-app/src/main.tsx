import { VoxformProvider } from '@voxform/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* Same origin: the session cookie the server set goes with every request. */}
    <VoxformProvider endpoint="/api/voxform">
      <App />
    </VoxformProvider>
  </StrictMode>,
);
