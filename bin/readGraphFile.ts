import { open } from 'node:fs/promises';
import type { GraphIssue } from '@/engine/errors';
import type { Graph } from '@/engine/graph/document';
import { LIMITS, formatMegabytes } from '@/engine/graph/limits';
import { openGraph, UNREADABLE_CODES, type Opened } from '@/lib/openGraph';
import { registry } from '@/nodes';

export interface GraphRead {
  ok: true;
  value: Graph;
  warnings: GraphIssue[];
  issues: GraphIssue[];
  imported?: Extract<Opened, { ok: true }>['imported'];
}

export type FileRead = { ok: true; result: GraphRead | { ok: false; lines: string[] } } | { ok: false; message: string };

/**
 * Reads a graph file (.json, or a PNG Weft saved; or a ComfyUI workflow or PNG, imported). The size is checked before a byte is read, so
 * an oversized file costs nothing. Unreadable files, non-JSON and damaged PNGs are `ok: false`
 * (exit 2); a readable document with schema errors is in `result` (exit 1).
 */
export async function readGraphFile(file: string): Promise<FileRead> {
  let bytes: Uint8Array;
  try {
    const handle = await open(file, 'r');
    try {
      const { size, isFile } = await handle.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
      if (!isFile) return { ok: false, message: `${file}: not a file` };
      if (size > LIMITS.fileBytes) return { ok: false, message: `${file}: the file is ${formatMegabytes(size)}; graph files are limited to ${formatMegabytes(LIMITS.fileBytes)}` };
      bytes = new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  } catch (e) {
    return { ok: false, message: `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const opened = openGraph({ kind: 'file', name: file, bytes }, registry);
  if (!opened.ok) {
    if (UNREADABLE_CODES.has(opened.code)) return { ok: false, message: opened.lines.map((l) => `${file}: ${l}`).join('\n') };
    return { ok: true, result: { ok: false, lines: opened.lines } };
  }
  return { ok: true, result: { ok: true, value: opened.graph, warnings: opened.warnings, issues: opened.issues, ...(opened.imported ? { imported: opened.imported } : {}) } };
}

/**
 * The graph of a file, or the exit code after its refusal was printed to stderr: 2 when the file
 * cannot be read as a graph document, 1 when the document is invalid.
 */
export async function readGraphOrExit(file: string): Promise<GraphRead | { exit: number }> {
  const read = await readGraphFile(file);
  if (!read.ok) {
    process.stderr.write(read.message + '\n');
    return { exit: 2 };
  }
  if (!read.result.ok) {
    for (const l of read.result.lines) process.stderr.write(`${file}: ${l}\n`);
    return { exit: 1 };
  }
  return read.result;
}
