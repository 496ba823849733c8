import { issue, type GraphIssue } from '@/engine/errors';
import { plainDataIssue } from '@/engine/graph/parse';
import type { Registry } from '@/engine/nodeDefinition';
import type { PngText } from '../png';
import { comfyFormatOf, readComfy, type ComfyFormat } from './read';
import { comfyToWeft, reportLines, type ComfyImport } from './toWeft';

export { comfyFormatOf, readComfy } from './read';
export { comfyToWeft, reportLines, PLACEHOLDER_PREFIX, type ImportReport } from './toWeft';
export { weftToComfy, type ComfyPrompt } from './toComfy';

export type ComfyOpened = ({ ok: true } & ComfyImport) | { ok: false; errors: GraphIssue[] };

/**
 * A ComfyUI workflow (any of its formats, already JSON-parsed) as a Weft graph and an import
 * report. The value is checked as plain data first (depth, forbidden keys, string sizes), as a
 * Weft file is.
 */
export function importComfy(value: unknown, registry: Registry, title?: string): ComfyOpened {
  const bad = plainDataIssue(value);
  if (bad) return { ok: false, errors: [bad] };
  const read = readComfy(value);
  if (!read.ok) return read;
  const extra = (value as { extra?: { info?: { name?: unknown } } }).extra;
  const name = typeof extra?.info?.name === 'string' ? extra.info.name : title;
  return { ok: true, ...comfyToWeft(read.graph, registry, name ?? 'ComfyUI workflow') };
}

/** Whether parsed JSON is a ComfyUI workflow rather than a Weft graph. */
export function isComfy(value: unknown): ComfyFormat | undefined {
  return comfyFormatOf(value);
}

/**
 * The ComfyUI workflow a PNG carries, as ComfyUI saves it: the UI workflow in a `workflow` text
 * chunk (preferred: it has the layout, notes and groups) and the API prompt in `prompt`.
 */
export function comfyTextFromPng(text: PngText): { ok: true; text: string; chunk: string } | { ok: false; message: string } | undefined {
  for (const key of ['workflow', 'prompt']) {
    const found = text.chunks.get(key) ?? [];
    if (found.length > 1) return { ok: false, message: `This PNG carries ${found.length} ComfyUI '${key}' text chunks; ComfyUI writes one, so which is meant cannot be told. Nothing was opened.` };
    if (found.length === 1) return { ok: true, text: found[0], chunk: key };
  }
  return undefined;
}

export function importLines(r: ComfyImport['report']): GraphIssue[] {
  return reportLines(r).map((line) => issue('comfy_import', '', line, { severity: 'warning' }));
}
