import type { Graph } from '@/engine/graph/document';
import type { ImageValue } from '@/engine/values';
import type { TransferValue } from '@/workers/transfer';

/** One image a run made, with what made it: this session's results panel keeps these. */
export interface ResultEntry {
  readonly id: string;
  /** When the run ended (ms since epoch). */
  readonly at: number;
  readonly nodeId: string;
  /** The Image Output node's name. */
  readonly name: string;
  readonly images: readonly ImageValue[];
  /** The prompt the run drew: the Prompt node's text, or text a language model wrote into it. */
  readonly prompt: string | null;
  readonly negative: string | null;
  readonly seed: number | null;
  readonly graphTitle: string;
  /** The graph as it was when the run ended (Save PNG embeds it). */
  readonly graph: Graph;
}

/** Most results kept (a 64×64 image is 16 KB; 48 batches of 4 are about 3 MB). */
export const RESULTS_KEPT = 48;

function images(v: TransferValue | undefined): ImageValue[] {
  if (!v || typeof v !== 'object') return [];
  if (v.kind === 'image') return [v];
  if (v.kind === 'list') return v.items.flatMap((x) => (x && typeof x === 'object' && x.kind === 'image' ? [x] : []));
  return [];
}

/**
 * What drew a run's images: the prompt is the first Prompt node not labelled as a negative one, else
 * a text output named like a prompt (what a language model wrote); the seed is the first noise node's.
 */
export function promptAndSeed(graph: Graph, outputs: ReadonlyMap<string, ReadonlyMap<string, TransferValue>>): { prompt: string | null; negative: string | null; seed: number | null } {
  const prompts = graph.nodes.filter((n) => n.type === 'conditioning.prompt');
  const isNegative = (label: string | undefined) => /negative/i.test(label ?? '');
  const positive = prompts.find((n) => !isNegative(n.label));
  const negative = prompts.find((n) => isNegative(n.label));
  let prompt = typeof positive?.params.text === 'string' ? positive.params.text : null;
  if (prompt === null) {
    for (const n of graph.nodes) {
      if (n.type !== 'output.value' || !/prompt/i.test(String(n.params.name ?? ''))) continue;
      const v = outputs.get(n.id)?.get('value');
      if (typeof v === 'string') prompt = v;
    }
  }
  const noise = graph.nodes.find((n) => n.type === 'latent.noise');
  return {
    prompt,
    negative: typeof negative?.params.text === 'string' && negative.params.text ? negative.params.text : null,
    seed: typeof noise?.params.seed === 'number' ? noise.params.seed : null,
  };
}

/** The results of one finished run: one entry per Image Output node that has images. */
export function collectResults(graph: Graph, outputs: ReadonlyMap<string, ReadonlyMap<string, TransferValue>>, at: number, runNumber: number): ResultEntry[] {
  const { prompt, negative, seed } = promptAndSeed(graph, outputs);
  const out: ResultEntry[] = [];
  for (const n of graph.nodes) {
    if (n.type !== 'output.image') continue;
    const imgs = images(outputs.get(n.id)?.get('image'));
    if (!imgs.length) continue;
    out.push({
      id: `run${runNumber}-${out.length}`,
      at,
      nodeId: n.id,
      name: typeof n.params.name === 'string' && n.params.name ? n.params.name : n.label || 'image',
      images: imgs,
      prompt,
      negative,
      seed,
      graphTitle: graph.metadata.title ?? '',
      graph,
    });
  }
  return out;
}

/** New results first, at most RESULTS_KEPT. */
export function withResults(history: readonly ResultEntry[], added: readonly ResultEntry[]): ResultEntry[] {
  return [...added, ...history].slice(0, RESULTS_KEPT);
}
