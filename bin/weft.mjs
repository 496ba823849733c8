#!/usr/bin/env node
// The `weft` command: runs bin/cli.ts (TypeScript) through tsx, so the CLI uses the same engine source.
// A run writes only where it is told to (--out): no usage reports from onnxruntime-node (see
// lib/noTelemetry.ts) and no compile cache of tsx's in the temporary folder (it saves ~0.1 s).
process.env.ORT_DISABLE_TELEMETRY = '1';
process.env.TSX_DISABLE_CACHE ??= '1';
const { fileURLToPath } = await import('node:url');
const { register } = await import('tsx/esm/api');

// The repository's tsconfig (its `@/` paths), wherever the command is run from.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
