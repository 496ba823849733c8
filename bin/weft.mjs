#!/usr/bin/env node
// The `weft` command: runs bin/cli.ts (TypeScript) through tsx, so the CLI uses the same engine source.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
