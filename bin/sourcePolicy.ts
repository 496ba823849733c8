import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { NodeRunError } from '@/engine/errors';
import type { Graph } from '@/engine/graph/document';
import { sourcesOf, type SourceUse } from '@/engine/graph/sources';
import type { Registry } from '@/engine/nodeDefinition';
import { parseSource } from '@/ml/runtime/files';

/**
 * What a graph run by the CLI may reach. Graph files come from anyone, so a `dir:` source or a
 * Load Tensor path may only point into the current folder's tree or a folder the user passed
 * with --allow-dir (after resolving `..` and symlinks), and `url:` sources are fetched only with
 * --allow-net (every host, or the ones listed). The queue workers use the same rules.
 */
export interface SourcePolicy {
  /** Allowed folders, as given (resolved) and as their real paths. */
  readonly roots: readonly { given: string; real: string }[];
  /** true: any host; a list: those hosts; false: no network. */
  readonly net: boolean | readonly string[];
}

export type PolicyResult = { ok: true; policy: SourcePolicy } | { ok: false; message: string };

export function createSourcePolicy(options: { cwd?: string; allowDirs?: readonly string[]; allowNet?: boolean | readonly string[] } = {}): PolicyResult {
  const cwd = options.cwd ?? process.cwd();
  const roots: { given: string; real: string }[] = [];
  for (const dir of [cwd, ...(options.allowDirs ?? [])]) {
    const given = path.resolve(cwd, dir);
    let real: string;
    try {
      real = realpathSync(given);
      if (!statSync(real).isDirectory()) return { ok: false, message: `--allow-dir ${dir}: not a folder` };
    } catch {
      return { ok: false, message: `--allow-dir ${dir}: no such folder` };
    }
    roots.push({ given, real });
  }
  return { ok: true, policy: { roots, net: options.allowNet ?? false } };
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function rootList(policy: SourcePolicy): string {
  const [cwd, ...extra] = policy.roots;
  return `the current folder ${cwd.given}${extra.length ? ` and ${extra.map((r) => r.given).join(', ')}` : ''}`;
}

/** Why `target` (an absolute or cwd-relative path) is out of bounds, judged by its text alone; undefined when it is in. */
function outsideByName(policy: SourcePolicy, target: string): string | undefined {
  const resolved = path.resolve(policy.roots[0].given, target);
  if (policy.roots.some((r) => inside(r.given, resolved) || inside(r.real, resolved))) return undefined;
  return resolved;
}

/**
 * The real path of `target` when it lies in an allowed folder, after symlinks. The name is
 * checked first, so a path outside is refused before anything on disk is touched.
 */
export function confinedPath(policy: SourcePolicy, target: string, what: string): string {
  const resolved = path.resolve(policy.roots[0].given, target);
  if (outsideByName(policy, target) !== undefined) throw refusal(policy, what, resolved);
  let real: string;
  try {
    real = realpathSync(resolved);
  } catch {
    return resolved; // missing: reading it says so
  }
  if (!policy.roots.some((r) => inside(r.real, real))) throw refusal(policy, what, real, resolved);
  return real;
}

function refusal(policy: SourcePolicy, what: string, real: string, named?: string): NodeRunError {
  const via = named && named !== real ? ` (${named} leads there through a symlink)` : '';
  return new NodeRunError('not_allowed', `${what} reaches ${real}${via}, outside ${rootList(policy)}; to allow it, run with --allow-dir ${folderOf(real)}`);
}

/** The folder to allow for a path: itself when it is one, else the folder holding it. */
function folderOf(p: string): string {
  try {
    return statSync(p).isDirectory() ? p : path.dirname(p);
  } catch {
    return path.dirname(p);
  }
}

/** Whether the policy lets a run fetch from `url`. */
export function netAllowed(policy: SourcePolicy, url: string): boolean {
  if (policy.net === true) return true;
  if (policy.net === false) return false;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return policy.net.includes(host);
}

function describe(use: SourceUse): string {
  return `node '${use.nodeId}' (${use.nodeTitle}) param '${use.param}'`;
}

/**
 * Every source of a graph checked against the policy before the run starts; each refusal names
 * the source, the node and the flag that would allow it. Empty when the run may go ahead.
 */
export function checkGraphSources(graph: Graph, registry: Registry, policy: SourcePolicy): string[] {
  const out: string[] = [];
  for (const use of sourcesOf(graph, registry)) {
    const where = `nodes[${use.nodeIndex}].params.${use.param}`;
    if (use.kind === 'localPath') {
      const outside = outsideByName(policy, use.value);
      if (outside !== undefined) out.push(`${where}: ${describe(use)}: the path '${use.value}' reaches ${outside}, outside ${rootList(policy)}; to allow it, run with --allow-dir ${path.dirname(outside)}`);
      continue;
    }
    let parsed;
    try {
      parsed = parseSource(use.value);
    } catch (err) {
      out.push(`${where}: ${describe(use)}: ${(err as Error).message}`);
      continue;
    }
    if (parsed.scheme === 'dir') {
      const outside = outsideByName(policy, parsed.path);
      if (outside !== undefined) out.push(`${where}: ${describe(use)}: the source '${use.value}' reaches ${outside}, outside ${rootList(policy)}; to allow it, run with --allow-dir ${outside}`);
    } else if (parsed.scheme === 'url' && !netAllowed(policy, parsed.url)) {
      const host = safeHost(parsed.url);
      out.push(
        `${where}: ${describe(use)}: the source '${use.value}' would be downloaded, and this run may not use the network; to allow it, run with ${host ? `--allow-host ${host} (or --allow-net for any host)` : '--allow-net'}`,
      );
    }
  }
  return out;
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
