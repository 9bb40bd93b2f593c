// Worker threads start without the TypeScript loader the process runs under: register tsx, then load.
import { register } from 'tsx/esm/api';

register();
await import('./train-worker.ts');
