#!/usr/bin/env node
// The tests need three Debian packages: Chromium (browser tests, the editor benches), strace
// (the tests that prove the CLI opens no file and no connection it should not) and redis-server
// (the run queue's tests start their own on a loopback port, and stop it). As root we
// install what is missing; otherwise we stop and print the one command that does.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const TOOLS = [
  { path: '/usr/bin/chromium', pkg: 'chromium' },
  { path: '/usr/bin/strace', pkg: 'strace' },
  { path: '/usr/bin/redis-server', pkg: 'redis-server' },
];
const missing = TOOLS.filter((t) => !existsSync(t.path));
if (!missing.length) process.exit(0);

const INSTALL = `apt-get update && apt-get install -y ${missing.map((t) => t.pkg).join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
  console.error(`Missing: ${missing.map((t) => t.path).join(', ')}. Install with:\n\n  sudo sh -c '${INSTALL}'\n`);
  process.exit(1);
}
console.error(`Missing ${missing.map((t) => t.pkg).join(', ')}; installing Debian's packages: ${INSTALL}`);
try {
  execSync(INSTALL, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} catch {
  console.error(`Installing failed. Run this as root and try again:\n\n  ${INSTALL}\n`);
  process.exit(1);
}
for (const t of missing) {
  if (!existsSync(t.path)) {
    console.error(`The ${t.pkg} package installed, but ${t.path} is still missing.`);
    process.exit(1);
  }
}
