// `npm run react-app`: install, then start examples/react-app (the emulator, the clone handler and the page).
import { pnpm } from './pnpm.mjs';

pnpm('install', '--frozen-lockfile');
pnpm('--filter', 'react-app', 'dev');
