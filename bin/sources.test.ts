import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './nodeFiles';
import { encodeNpy } from '@/engine/npy';

/**
 * The CLI runs graph files from anyone: their dir: sources, file paths and url: sources reach
 * only what the user allowed, and are refused before anything is opened. Proved with strace:
 * the refused folder's name appears in no system call.
 */
const WEFT = path.join(REPO_ROOT, 'bin/weft.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'weft-cwd-'));
const secret = mkdtempSync(path.join(tmpdir(), 'weft-secret-'));
writeFileSync(path.join(secret, 'model_index.json'), '{"_class_name":"StableDiffusionPipeline"}');
writeFileSync(path.join(secret, 'tensor.npy'), encodeNpy('float32', [2], new Float32Array([1, 2])));
symlinkSync(secret, path.join(work, 'looks-local'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(secret, { recursive: true, force: true });
});

type Run = { code: number; stdout: string; stderr: string; trace: string };

/** Runs the CLI in `work`, under strace when `trace` names the calls to record. */
function weft(args: string[], trace?: string): Promise<Run> {
  const log = path.join(work, `strace-${Math.random().toString(36).slice(2)}.txt`);
  const [cmd, argv] = trace ? ['strace', ['-f', '-qq', `-e`, `trace=${trace}`, '-o', log, 'node', WEFT, ...args]] : ['node', [WEFT, ...args]];
  return new Promise((resolve) =>
    execFile(cmd, argv as string[], { cwd: work, timeout: 120_000 }, (err, stdout, stderr) => {
      let text = '';
      try {
        text = trace ? readFileSync(log, 'utf8') : '';
      } catch {
        // no trace written
      }
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr, trace: text });
    }),
  );
}

const example = () => JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/text-to-image.json'), 'utf8'));
function graphWithSource(name: string, source: string): string {
  const g = example();
  g.nodes.find((n: { type: string }) => n.type === 'models.loadPipeline').params.source = source;
  const file = path.join(work, name);
  writeFileSync(file, JSON.stringify(g));
  return file;
}

function tensorGraph(name: string, tensorPath: string): string {
  const file = path.join(work, name);
  const g = {
    schemaVersion: 1,
    metadata: { title: 'Tensor by path' },
    nodes: [
      { id: 'load', type: 'tensor.load', typeVersion: 1, position: { x: 0, y: 0 }, params: { path: tensorPath }, mode: 'normal' },
      { id: 'stats', type: 'tensor.stats', typeVersion: 1, position: { x: 300, y: 0 }, params: {}, mode: 'normal' },
      { id: 'out', type: 'output.value', typeVersion: 1, position: { x: 600, y: 0 }, params: {}, mode: 'normal' },
    ],
    edges: [
      { id: 'e1', from: { node: 'load', port: 'tensor' }, to: { node: 'stats', port: 'tensor' } },
      { id: 'e2', from: { node: 'stats', port: 'mean' }, to: { node: 'out', port: 'value' } },
    ],
  };
  writeFileSync(file, JSON.stringify(g));
  return file;
}

describe('weft run: sources are confined', () => {
  it('refuses dir: outside the allowed folders before touching it, naming the source, the node and the flag', async () => {
    const r = await weft(['run', graphWithSource('outside.json', `dir:${secret}`)], 'file');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`node 'pipeline' (Load Pipeline) param 'source': the source 'dir:${secret}' reaches ${secret}, outside the current folder ${work}; to allow it, run with --allow-dir ${secret}`);
    expect(r.trace).not.toContain(secret);
    expect(r.trace).toContain(WEFT); // the trace did record file calls
  }, 120_000);

  it('resolves .. before judging, and follows symlinks before reading', async () => {
    const dotdot = await weft(['run', graphWithSource('dotdot.json', `dir:${work}/../${path.basename(secret)}`)], 'file');
    expect(dotdot.code).toBe(2);
    expect(dotdot.stderr).toContain(`reaches ${secret}, outside the current folder`);
    expect(dotdot.trace).not.toContain(path.basename(secret));
    // A folder inside that is a symlink to the secret one: refused once its real path is known, before any file in it is opened.
    const link = await weft(['run', graphWithSource('link.json', `dir:${work}/looks-local`)], 'openat');
    expect(link.code).toBe(1);
    expect(link.stderr).toContain(`'model_index.json' of dir:${work}/looks-local reaches ${secret}/model_index.json (${work}/looks-local/model_index.json leads there through a symlink)`);
    expect(link.stderr).toContain(`--allow-dir ${secret}`);
    expect(link.trace.split('\n').filter((l) => l.includes('openat(') && (l.includes(secret) || l.includes('looks-local/')))).toEqual([]);
  }, 120_000);

  it('--allow-dir lets a run read a folder outside the current one', async () => {
    const models = path.join(REPO_ROOT, 'public/models');
    const file = graphWithSource('allowed.json', `dir:${models}/shapes-v1`);
    const refused = await weft(['run', file, '--set', 'scheduler.steps=1']);
    expect(refused.code).toBe(2);
    const r = await weft(['run', file, '--set', 'scheduler.steps=1', '--allow-dir', models, '--out', path.join(work, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/run ok/);
  }, 120_000);

  it("Load Tensor's path reads files within the allowed folders, and refuses others", async () => {
    writeFileSync(path.join(work, 'mine.npy'), encodeNpy('float32', [3], new Float32Array([1, 2, 6])));
    const ok = await weft(['run', tensorGraph('mine.json', 'mine.npy'), '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).outputs.out.value).toBe(3);
    const outside = await weft(['run', tensorGraph('theirs.json', path.join(secret, 'tensor.npy'))], 'file');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain(`node 'load' (Load Tensor) param 'path': the path '${secret}/tensor.npy' reaches ${secret}/tensor.npy, outside the current folder ${work}; to allow it, run with --allow-dir ${secret}`);
    expect(outside.trace).not.toContain(secret);
    const allowed = await weft(['run', tensorGraph('theirs.json', path.join(secret, 'tensor.npy')), '--allow-dir', secret, '--json']);
    expect(JSON.parse(allowed.stdout).outputs.out.value).toBe(1.5);
  }, 120_000);

  describe('url: sources', () => {
    let server: Server;
    let hits = 0;
    const hostHits: Record<string, number> = {};
    let base = '';
    beforeAll(async () => {
      const root = path.join(REPO_ROOT, 'public/models');
      server = createServer((req, res) => {
        hits++;
        const host = String(req.headers.host).split(':')[0];
        hostHits[host] = (hostHits[host] ?? 0) + 1;
        if (req.url!.startsWith('/elsewhere/')) {
          res.writeHead(302, { location: `${base.replace('127.0.0.1', 'localhost')}/shapes-v1/${req.url!.slice('/elsewhere/'.length)}` }).end();
          return;
        }
        try {
          const body = readFileSync(path.join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
          res.writeHead(200, { 'content-length': body.length });
          res.end(req.method === 'HEAD' ? undefined : body);
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => server.close());

    it('are refused without --allow-net, before any connection', async () => {
      const r = await weft(['run', graphWithSource('url.json', `url:${base}/shapes-v1`)], 'network');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`the source 'url:${base}/shapes-v1' would be downloaded, and this run may not use the network; to allow it, run with --allow-host 127.0.0.1 (or --allow-net for any host)`);
      expect(hits).toBe(0);
      expect(r.trace.split('\n').filter((l) => /connect\(/.test(l) && /AF_INET/.test(l))).toEqual([]);
    }, 120_000);

    it('a redirect to a host not allowed is refused, not followed', async () => {
      const r = await weft(['run', graphWithSource('redirect.json', `url:${base}/elsewhere`), '--set', 'scheduler.steps=1', '--allow-host', '127.0.0.1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`redirects to ${base.replace('127.0.0.1', 'localhost')}/shapes-v1/model_index.json, on a host this run may not use; to allow it, run with --allow-host localhost`);
      expect(hostHits.localhost ?? 0).toBe(0);
    }, 120_000);

    it('are downloaded from an allowed host', async () => {
      const r = await weft(['run', graphWithSource('url.json', `url:${base}/shapes-v1`), '--set', 'scheduler.steps=1', '--allow-host', '127.0.0.1']);
      expect(r.code, r.stderr).toBe(0);
      expect(hits).toBeGreaterThan(3);
    }, 120_000);
  });
});
