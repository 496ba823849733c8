import { copyFragment, type Fragment } from '@/engine/commands/commands';
import type { Graph } from '@/engine/graph/document';

const MARK = 'weft/fragment@1';

/** What the editor copies: its own JSON, so pasting into a text editor shows readable nodes. */
interface ClipboardPayload {
  kind: typeof MARK;
  nodes: Fragment['nodes'];
  edges: Fragment['edges'];
}

let memory: string | null = null;

export async function copySelection(graph: Graph, nodeIds: readonly string[]): Promise<number> {
  const fragment = copyFragment(graph, nodeIds);
  if (!fragment.nodes.length) return 0;
  const text = JSON.stringify({ kind: MARK, ...fragment } satisfies ClipboardPayload);
  memory = text;
  try {
    await navigator.clipboard?.writeText(text);
  } catch {
    // Without clipboard permission the in-page copy still works.
  }
  return fragment.nodes.length;
}

/** The fragment to paste: the system clipboard when it holds Weft nodes, else the last copy here. */
export async function readFragment(): Promise<Fragment | null> {
  let text: string | null = null;
  try {
    const t = await Promise.race([navigator.clipboard?.readText(), new Promise<undefined>((r) => setTimeout(r, 300))]);
    if (typeof t === 'string' && t.includes(MARK)) text = t;
  } catch {
    // permission refused: fall back to the in-page clipboard
  }
  text ??= memory;
  return text ? parseFragment(text) : null;
}

function parseFragment(text: string): Fragment | null {
  try {
    const v = JSON.parse(text) as Partial<ClipboardPayload>;
    if (v.kind !== MARK || !Array.isArray(v.nodes) || !Array.isArray(v.edges)) return null;
    return { nodes: v.nodes, edges: v.edges };
  } catch {
    return null;
  }
}
