import type { Graph } from '@/engine/graph/document';
import { issue, issueToLine, type GraphIssue } from '@/engine/errors';
import { LIMITS, formatMegabytes } from '@/engine/graph/limits';
import { parseGraph, parseGraphText } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import type { Registry } from '@/engine/nodeDefinition';
import { graphFromPng, isPng } from './graphPng';
import { readPngText } from './png';
import { comfyTextFromPng, importComfy, importLines, isComfy, type ImportReport } from './comfy';
import { readShareHash } from './shareLink';

/** Something to open: a dropped or picked file (.json, or a PNG Weft saved), text, or a share link. */
export type OpenRequest =
  | { kind: 'file'; name: string; bytes: Uint8Array }
  | { kind: 'text'; name: string; text: string }
  | { kind: 'link'; hash: string };

export type Opened =
  | {
      ok: true;
      graph: Graph;
      /** Opened anyway: unknown node types kept as placeholders, a damaged PNG. */
      warnings: GraphIssue[];
      /** validateGraph of the opened graph, so the editor need not validate it again. */
      issues: GraphIssue[];
      migratedFrom?: number;
      /** Set when the file was a ComfyUI workflow (or a PNG ComfyUI saved): what mapped and what did not. */
      imported?: { from: 'comfyui'; report: ImportReport };
    }
  | { ok: false; code: string; title: string; lines: string[] };

/**
 * Reads, parses, migrates and validates a graph from outside (file, PNG, link). Never throws;
 * every refusal names what is wrong and where. The editor runs this in a worker, the CLI in
 * its own process, so both refuse the same things with the same words.
 */
export function openGraph(req: OpenRequest, registry: Registry): Opened {
  try {
    return openUnsafe(req, registry);
  } catch (err) {
    // Only a bug lands here: say so rather than fail the page or the CLI.
    return { ok: false, code: 'internal_error', title: 'The graph could not be opened', lines: [`Weft failed while reading it: ${err instanceof Error ? err.message : String(err)}`] };
  }
}

/** Codes of refusals where the input is not a readable graph document at all (the CLI exits 2). */
export const UNREADABLE_CODES: ReadonlySet<string> = new Set(['too_large', 'not_png', 'no_graph', 'two_graphs', 'not_text', 'invalid_json', 'not_a_link', 'bad_link']);

function openUnsafe(req: OpenRequest, registry: Registry): Opened {
  const name = req.kind === 'link' ? 'The share link' : req.name;
  const refuse = (code: string, lines: string[], title = `${name} could not be opened`): Opened => ({ ok: false, code, title, lines });
  let text: string;
  const warnings: GraphIssue[] = [];
  if (req.kind === 'link') {
    const shared = readShareHash(req.hash, registry);
    if (!shared) return refuse('not_a_link', ['the address holds no share link (#g=…)']);
    if (!shared.ok) return refuse('bad_link', shared.lines, 'This share link could not be opened');
    return { ok: true, graph: shared.graph, warnings: shared.warnings, issues: validateGraph(shared.graph, registry) };
  }
  if (req.kind === 'file') {
    if (req.bytes.length > LIMITS.fileBytes) {
      return refuse('too_large', [`the file is ${formatMegabytes(req.bytes.length)}; graph files are limited to ${formatMegabytes(LIMITS.fileBytes)}`]);
    }
    if (isPng(req.bytes)) {
      const png = graphFromPng(req.bytes);
      if (!png.ok && png.code === 'no_graph') {
        // No Weft graph: perhaps a PNG ComfyUI saved, its workflow in text chunks.
        const chunks = readPngText(req.bytes);
        const comfy = chunks ? comfyTextFromPng(chunks) : undefined;
        if (comfy && !comfy.ok) return refuse('two_graphs', [comfy.message]);
        if (!comfy) return refuse(png.code, [`${png.message} Nor does it carry a ComfyUI workflow (text chunks 'workflow' or 'prompt').`], `${name} has no graph in it`);
        const opened = openComfyText(comfy.text, name, registry, `the PNG's '${comfy.chunk}' text chunk`);
        if (opened.ok) opened.warnings.push(...(chunks?.problems ?? []).map((p) => issue('damaged_png', '', `the PNG is damaged: ${p}; its workflow was read anyway`, { severity: 'warning' })));
        return opened;
      }
      if (!png.ok) return refuse(png.code, [png.message]);
      text = png.text;
      for (const w of png.warnings) warnings.push(issue('damaged_png', '', w, { severity: 'warning' }));
    } else {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(req.bytes);
      } catch {
        return refuse('not_text', ['the file is not UTF-8 text: a graph file is JSON (or a PNG saved by Weft)']);
      }
    }
  } else text = req.text;
  // A Weft graph always names its schemaVersion; anything else may be a ComfyUI workflow.
  if (!text.includes('"schemaVersion"')) {
    const comfy = openComfyText(text, name, registry, 'the file');
    if (comfy.ok || comfy.code !== 'not_comfy') return comfy;
  }
  const parsed = parseGraphText(text, registry);
  if (!parsed.ok) return refuse(parsed.errors[0]?.code ?? 'invalid', parsed.errors.map(issueToLine));
  return {
    ok: true,
    graph: parsed.value,
    warnings: [...warnings, ...parsed.warnings],
    issues: validateGraph(parsed.value, registry),
    ...(parsed.migratedFrom !== undefined ? { migratedFrom: parsed.migratedFrom } : {}),
  };
}

/** A ComfyUI workflow's JSON text opened as a Weft graph; `not_comfy` when it is not one (Weft's own parse then says why). */
function openComfyText(text: string, name: string, registry: Registry, where: string): Opened {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: where === 'the file' ? 'not_comfy' : 'invalid_json', title: `${name} could not be opened`, lines: [`${where} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (!isComfy(value)) return { ok: false, code: 'not_comfy', title: `${name} could not be opened`, lines: [`${where} is not a ComfyUI workflow`] };
  const title = name.replace(/\.(json|png)$/i, '');
  const imported = importComfy(value, registry, title);
  if (!imported.ok) return { ok: false, code: 'bad_comfy', title: `${name} could not be opened as a ComfyUI workflow`, lines: imported.errors.map(issueToLine) };
  // The result goes through Weft's own parse and limits, as any file does.
  const parsed = parseGraph(imported.graph, registry);
  if (!parsed.ok) return { ok: false, code: 'bad_comfy', title: `${name} could not be opened as a ComfyUI workflow`, lines: parsed.errors.map(issueToLine) };
  return {
    ok: true,
    graph: parsed.value,
    warnings: [...importLines(imported.report), ...parsed.warnings],
    issues: validateGraph(parsed.value, registry),
    imported: { from: 'comfyui', report: imported.report },
  };
}
