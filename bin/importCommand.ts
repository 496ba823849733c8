import { writeFile } from 'node:fs/promises';
import { serializeGraph } from '@/engine/graph/parse';
import { issueToLine } from '@/engine/errors';
import { reportLines, weftToComfy } from '@/lib/comfy';
import { readGraphOrExit } from './readGraphFile';

/**
 * `weft import FILE [-o OUT.json]`: a ComfyUI workflow (API prompt, UI workflow, or a PNG ComfyUI
 * saved) as a Weft graph file. The report goes to stderr; the graph to OUT, or to stdout.
 */
export async function importCommand(file: string, opts: { out?: string }): Promise<number> {
  const read = await readGraphOrExit(file);
  if ('exit' in read) return read.exit;
  const { value, imported, issues } = read;
  if (!imported) {
    process.stderr.write(`${file}: this is a Weft graph already; nothing to import\n`);
    return 2;
  }
  for (const line of reportLines(imported.report)) process.stderr.write(`${line}\n`);
  const errors = issues.filter((i) => i.severity === 'error');
  for (const i of errors) process.stderr.write(`${file}: ${issueToLine(i)}\n`);
  const text = serializeGraph(value);
  if (opts.out) {
    await writeFile(opts.out, text);
    process.stderr.write(`wrote ${opts.out} (${value.nodes.length} nodes)\n`);
  } else process.stdout.write(text + '\n');
  return 0;
}

/** `weft export FILE [-o OUT.json]`: a Weft graph's mapped part as a ComfyUI API-format prompt. */
export async function exportCommand(file: string, opts: { out?: string }): Promise<number> {
  const read = await readGraphOrExit(file);
  if ('exit' in read) return read.exit;
  const { prompt, skipped } = weftToComfy(read.value);
  const count = Object.keys(prompt).length;
  process.stderr.write(`Exported ${count} ComfyUI node${count === 1 ? '' : 's'} (API format).\n`);
  if (skipped.length) process.stderr.write(`Left out or to do by hand: ${skipped.join('; ')}.\n`);
  const text = JSON.stringify(prompt, null, 2);
  if (opts.out) await writeFile(opts.out, text + '\n');
  else process.stdout.write(text + '\n');
  return count ? 0 : 1;
}
