import { issueToLine } from '@/engine/errors';
import { readGraphFile } from './readGraphFile';

export async function validateCommand(files: string[]): Promise<number> {
  let worst = 0;
  for (const file of files) {
    const read = await readGraphFile(file);
    if (!read.ok) {
      process.stderr.write(read.message + '\n');
      worst = 2;
      continue;
    }
    if (!read.result.ok) {
      for (const l of read.result.lines) process.stdout.write(`${file}: ${l}\n`);
      worst = Math.max(worst, 1);
      continue;
    }
    const issues = [...read.result.warnings, ...read.result.issues];
    const errors = issues.filter((i) => i.severity === 'error');
    for (const i of issues) {
      const line = `${file}: ${issueToLine(i)}`;
      if (i.severity === 'error') process.stdout.write(line + '\n');
      else process.stderr.write(`${line} (warning)\n`);
    }
    if (errors.length) worst = Math.max(worst, 1);
    else process.stderr.write(`${file}: valid\n`);
  }
  return worst;
}
