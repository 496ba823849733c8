import type { CacheEntry } from './cache';
import { Hasher, canonicalJson } from './hash';
import { dataRecord, hasKey } from '../record';

/** What a node's outputs depend on, part by part. */
export interface NodeFingerprint {
  readonly kind: 'node';
  readonly type: string;
  readonly typeVersion: number;
  readonly mode: string;
  /** Canonical JSON of the params ('{}' when bypassed). */
  readonly params: string;
  /** Upstream signature and port of each connected input, by input name ('' when it has no value). */
  readonly inputs: Readonly<Record<string, string>>;
  /** Set when this run of a loop continued from a kept step (time travel), not from step 0. */
  readonly continuedFrom?: number;
}

/** What a repeat zone's results depend on: its shape and every node taking part. */
export interface ZoneFingerprint {
  readonly kind: 'zone';
  /** Carried values, member ids and the edges among them. */
  readonly structure: string;
  /** By member node id (a Map: ids are data). */
  readonly members: ReadonlyMap<string, NodeFingerprint>;
  /** Set when this run of the zone continued from a kept step (time travel). */
  readonly continuedFrom?: number;
}

export type Fingerprint = NodeFingerprint | ZoneFingerprint;

const SEP = '\u0001';

function addNode(
  h: Hasher,
  type: string,
  typeVersion: number,
  mode: string,
  paramsJson: string,
  inputs: Readonly<Record<string, string>>,
): Hasher {
  h.add(type).add(SEP).add(String(typeVersion)).add(SEP).add(mode).add(SEP).add(paramsJson).add(SEP);
  for (const k in inputs) h.add(k).add('<').add(inputs[k]).add(SEP);
  return h;
}

/**
 * A node's signature from its parts; `paramsJson` is the canonical JSON of its params ('{}' when
 * bypassed). Computed without building a fingerprint, which only a cache miss needs.
 */
export function nodeSignature(
  type: string,
  typeVersion: number,
  mode: string,
  paramsJson: string,
  inputs: Readonly<Record<string, string>>,
): string {
  return addNode(new Hasher(), type, typeVersion, mode, paramsJson, inputs).digest();
}

/** A zone's signature: its structure and every member's parts. */
export function zoneSignature(fp: ZoneFingerprint): string {
  const h = new Hasher().add('zone').add(SEP).add(fp.structure).add(SEP);
  for (const [id, m] of fp.members) {
    addNode(h.add(id).add(SEP), m.type, m.typeVersion, m.mode, m.params, m.inputs).add(SEP);
  }
  return h.digest();
}



/** Why a node (or zone) whose signature differs from its cached entry runs again, in words. */
export function reasonToRun(prev: CacheEntry | undefined, fp: Fingerprint): string {
  if (!prev) return 'first run';
  if (prev.outcome === 'error') return 'previous run failed';
  if (prev.outcome === 'cancelled') return 'previous run was cancelled';
  const old = prev.fingerprint;
  if (old.continuedFrom !== undefined && fp.continuedFrom === undefined) {
    return `the last run continued from step ${old.continuedFrom}; this one runs every step`;
  }
  if (fp.kind === 'node') {
    if (old.kind !== 'node') return 'node kind changed';
    return nodeChange(old, fp) ?? 'inputs changed';
  }
  if (old.kind !== 'zone') return 'the zone is new';
  if (old.structure !== fp.structure) return 'zone structure changed';
  for (const [id, member] of fp.members) {
    const before = old.members.get(id);
    const change = before ? nodeChange(before, member) : 'added';
    if (change) return `'${id}' in the zone: ${change}`;
  }
  return 'zone changed';
}

function nodeChange(old: NodeFingerprint, fp: NodeFingerprint): string | undefined {
  if (old.type !== fp.type) return 'type changed';
  if (old.typeVersion !== fp.typeVersion) return 'type version changed';
  if (old.mode !== fp.mode) return 'mode changed';
  const params = old.params === fp.params ? [] : changedKeys(perParam(old.params), perParam(fp.params));
  if (params.length) return `${params.length > 1 ? 'params' : 'param'} ${quoteList(params)} changed`;
  const inputs = changedKeys(old.inputs, fp.inputs);
  if (inputs.length === 1) {
    const name = inputs[0];
    if (!hasKey(old.inputs, name)) return `input '${name}' connected`;
    if (!hasKey(fp.inputs, name)) return `input '${name}' disconnected`;
  }
  if (inputs.length) return `${inputs.length > 1 ? 'inputs' : 'input'} ${quoteList(inputs)} changed`;
  return undefined;
}

/** Each param's canonical JSON by name; only a cache miss with an earlier entry needs this. */
function perParam(json: string): Record<string, string> {
  const out = dataRecord<string>();
  const params = JSON.parse(json) as Record<string, unknown>;
  for (const k of Object.keys(params)) out[k] = canonicalJson(params[k]);
  return out;
}

function changedKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(b)) if (!hasKey(a, k) || a[k] !== b[k]) out.push(k);
  for (const k of Object.keys(a)) if (!hasKey(b, k)) out.push(k);
  return out;
}

function quoteList(names: string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}
