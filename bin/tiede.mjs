#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, as `npm start` runs the server: no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main();
