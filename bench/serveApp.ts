import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Chromium flags the benches run with (see ../shared/MACHINE.md). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function up(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/**
 * The editor for a benchmark: WEFT_URL when set, an app already serving on `port`, or the built
 * app started there (`next build` first when there is no build). `stop` ends what it started.
 */
export async function serveApp(port: number): Promise<{ url: string; stop: () => void }> {
  if (process.env.WEFT_URL) return { url: process.env.WEFT_URL, stop: () => {} };
  const url = `http://localhost:${port}`;
  if (await up(url)) return { url, stop: () => {} };
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  if (!existsSync('.next/BUILD_ID')) {
    console.error('building the app (next build)…');
    const b = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env });
    if (b.status !== 0) throw new Error('next build failed');
  }
  // Its own process group, so stopping it stops next-server too.
  const server: ChildProcess = spawn('npx', ['next', 'start', '-p', String(port)], { stdio: 'ignore', env, detached: true });
  for (let i = 0; i < 120; i++) {
    if (await up(url)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!(await up(url))) throw new Error(`the app did not start on ${url}`);
  const stop = () => {
    if (!server.pid) return;
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      server.kill('SIGTERM');
    }
  };
  return { url, stop };
}
