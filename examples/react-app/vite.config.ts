import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  // The workspace packages from their TypeScript source, as everywhere in this repository.
  resolve: { conditions: ['source', ...defaultClientConditions], dedupe: ['react', 'react-dom'] },
  // Bundled before the first page load, so the page is not reloaded when Vite finds them later.
  optimizeDeps: { include: ['react', 'react-dom/client', 'react/jsx-dev-runtime', '@voxform/react > swr', '@voxform/react > swr/mutation'] },
});
