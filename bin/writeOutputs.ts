import { textValueJson } from '@/ml/text/describe';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Graph } from '@/engine/graph/document';
import type { RunReport } from '@/engine/executor';
import type { Registry } from '@/engine/nodeDefinition';
import { encodeNpy } from '@/engine/npy';
import { isImageValue, isTensorValue } from '@/engine/values';
import { tensorStats } from '@/engine/tensorStats';
import { serializeGraph } from '@/engine/graph/parse';
import { pngWithGraph } from '@/lib/graphPng';

/**
 * Writes each recorded output value to DIR, named after the output node's `name` param (or its
 * id): text as .txt, tensors as .npy, images as .png, anything else as .json.
 */
export async function writeOutputs(graph: Graph, report: RunReport, dir: string, registry: Registry): Promise<string[]> {
  const written: string[] = [];
  const used = new Set<string>();
  for (const [nodeId, ports] of report.outputs) {
    const node = graph.nodes.find((n) => n.id === nodeId);
    const def = node && registry.get(node.type);
    const base = safeName(typeof node?.params.name === 'string' && node.params.name ? node.params.name : nodeId);
    for (const [port, value] of Object.entries(ports)) {
      if (value === undefined) continue;
      const multi = Object.keys(ports).length > 1 || !def?.isOutput;
      let name = multi ? `${base}.${port}` : base;
      while (used.has(name)) name += '_';
      used.add(name);
      // A batch of images becomes name_0.png, name_1.png, …
      const items = Array.isArray(value) && value.length > 0 && value.every(isImageValue) ? value : [value];
      for (let i = 0; i < items.length; i++) {
        const file = path.join(dir, (items.length > 1 ? `${name}_${i}` : name) + extension(items[i]));
        await writeFile(file, await encode(items[i], graph));
        written.push(file);
      }
    }
  }
  return written;
}

function extension(v: unknown): string {
  if (typeof v === 'string') return '.txt';
  if (isTensorValue(v)) return '.npy';
  if (isImageValue(v)) return '.png';
  return '.json';
}

async function encode(v: unknown, graph: Graph): Promise<Uint8Array | string> {
  if (typeof v === 'string') return v;
  if (isTensorValue(v)) return encodeNpy(v.dtype, v.dims, await v.read());
  // Every PNG carries the graph that made it, so dropping it on the editor reopens the pipeline.
  if (isImageValue(v)) return pngWithGraph(v, serializeGraph(graph));
  return JSON.stringify(textValueJson(v, true) ?? v, null, 2) + '\n';
}

/** A JSON-friendly view of a value for the run report. */
export async function summarizeValue(v: unknown): Promise<unknown> {
  if (isTensorValue(v)) {
    const s = tensorStats(await v.read());
    return { kind: 'tensor', dtype: v.dtype, dims: v.dims, mean: s.mean, std: s.std, min: s.min, max: s.max, nan: s.nan, inf: s.inf };
  }
  if (isImageValue(v)) return { kind: 'image', width: v.width, height: v.height };
  const text = textValueJson(v, false);
  if (text !== undefined) return text;
  if (Array.isArray(v)) return Promise.all(v.map(summarizeValue));
  if (typeof v === 'object' && v !== null && 'kind' in v && (v as { kind: string }).kind === 'detections') return v;
  return v;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '').slice(0, 80) || 'output';
}
