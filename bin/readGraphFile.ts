import { readFile } from 'node:fs/promises';
import { parseGraphText, type ParseResult } from '@/engine/graph/parse';
import { LIMITS } from '@/engine/graph/limits';
import { registry } from '@/nodes';
import { graphTextFromPng, isPng } from '@/lib/graphPng';

export type FileRead = { ok: true; result: ParseResult } | { ok: false; message: string };

/** Reads a graph file. Unreadable files and non-JSON are `ok: false` (exit 2); schema errors are in `result`. */
export async function readGraphFile(file: string): Promise<FileRead> {
  let text: string;
  try {
    const buf = await readFile(file);
    if (buf.length > LIMITS.fileBytes) return { ok: false, message: `${file}: the file is ${(buf.length / 1e6).toFixed(1)} MB; graph files are limited to ${LIMITS.fileBytes / 1e6} MB` };
    if (isPng(buf)) {
      const embedded = graphTextFromPng(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      if (embedded === undefined) return { ok: false, message: `${file}: this PNG carries no Weft graph` };
      text = embedded;
    } else text = buf.toString('utf8');
  } catch (e) {
    return { ok: false, message: `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  try {
    JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${file}: not JSON: ${(e as Error).message}` };
  }
  return { ok: true, result: parseGraphText(text, registry) };
}
