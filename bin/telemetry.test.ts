import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './nodeFiles';

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Nothing phones home: the text-to-image example, run by the CLI on onnxruntime-node under
 * strace, makes no network connection and sends nothing (onnxruntime-node 1.30 would look up
 * Microsoft's collector), and writes no file outside its output folder (no device id or event
 * database under ~/.cache/Microsoft, no /tmp/mat-debug-<pid>.log, no compile cache).
 */
describe('weft run phones no one', () => {
  it('makes no connection and writes nothing but its outputs', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'weft-home-'));
    const tmp = mkdtempSync(path.join(tmpdir(), 'weft-tmp-'));
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'weft-out-')), 'out');
    const log = path.join(mkdtempSync(path.join(tmpdir(), 'weft-strace-')), 'trace.txt');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp, XDG_CACHE_HOME: path.join(home, '.cache') } as unknown as NodeJS.ProcessEnv;
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        'strace',
        ['-f', '-qq', '-e', 'trace=%network,openat,open,creat,mkdir,mkdirat,rename,renameat,renameat2', '-o', log, 'node', path.join(REPO_ROOT, 'bin/weft.mjs'), 'run', 'examples/text-to-image.json', '--set', 'scheduler.steps=2', '--out', out],
        { cwd: REPO_ROOT, env, timeout: 120_000 },
        (err, _stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    const trace = readFileSync(log, 'utf8').split('\n');

    // Network: a socket for a name lookup or a connection other than local IPC would show here.
    const network = trace.filter((l) => /\b(connect|sendto|sendmsg|sendmmsg)\(/.test(l) && !/AF_UNIX|AF_NETLINK|AF_LOCAL/.test(l) && !/= -1 EBADF/.test(l));
    expect(network).toEqual([]);
    expect(trace.filter((l) => /socket\(AF_INET/.test(l))).toEqual([]);

    // Files: everything created or opened for writing is in the output folder.
    const written = trace
      .filter((l) => /(openat|open|creat)\(/.test(l) && /O_CREAT|O_WRONLY|O_RDWR|creat\(/.test(l) && !/= -1 /.test(l))
      .map((l) => /"([^"]+)"/.exec(l)?.[1] ?? l)
      .filter((p) => !p.startsWith('/dev/') && !p.startsWith('/proc/'));
    expect(written.filter((p) => !path.resolve(REPO_ROOT, p).startsWith(out + path.sep))).toEqual([]);
    expect(written.length).toBeGreaterThan(0); // the image itself
    expect(filesUnder(home)).toEqual([]);
    expect(filesUnder(tmp)).toEqual([]);
    expect(readdirSync('/tmp').filter((f) => f.startsWith('mat-debug-') && trace.some((l) => l.includes(f)))).toEqual([]);
  }, 150_000);
});
