import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['engine/**/*.test.ts', 'nodes/**/*.test.ts', 'workers/**/*.test.ts', 'bin/**/*.test.ts', 'tests/**/*.test.ts', 'app/**/*.test.ts', 'lib/**/*.test.ts', 'ml/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    pool: 'forks',
    // onnxruntime-node reports usage to Microsoft unless this is set (see lib/noTelemetry.ts).
    env: { ORT_DISABLE_TELEMETRY: '1' },
  },
});
