#!/usr/bin/env node
// Browser tests and the editor benchmark need Debian's Chromium at /usr/bin/chromium.
// As root we install it; otherwise we stop and print the one command that does.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';

if (existsSync(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
  console.error(`Chromium is missing (${CHROMIUM}). Install it with:\n\n  sudo sh -c '${INSTALL}'\n`);
  process.exit(1);
}
console.error(`Chromium is missing; installing Debian's chromium package: ${INSTALL}`);
try {
  execSync(INSTALL, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} catch {
  console.error(`Installing Chromium failed. Run this as root and try again:\n\n  ${INSTALL}\n`);
  process.exit(1);
}
if (!existsSync(CHROMIUM)) {
  console.error(`The chromium package installed, but ${CHROMIUM} is still missing.`);
  process.exit(1);
}
