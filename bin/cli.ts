import { Command, CommanderError, Option } from 'commander';
import { validateCommand } from './validateCommand';
import { runCommand } from './runCommand';
import { nodesCommand, schemaCommand } from './infoCommands';
import { exportCommand, importCommand } from './importCommand';
import { quantizeCommand } from './quantizeCommand';
import { workerCommand } from './workerCommand';
import { batchCommand } from './batchCommand';
import { serveCommand } from './serveCommand';
import type { CliBackend } from './nodeRuntime';

/** Exit codes: 0 success, 1 invalid graph or failed run, 2 unreadable input or bad usage, 130 cancelled. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command()
    .name('weft')
    .description('Validate and run Weft graph files headless, with the same engine as the editor.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('validate')
    .description('check graph files; prints FILE: path: message for each problem')
    .argument('<files...>', 'graph files (.json, or .png saved by Weft; ComfyUI workflows and PNGs are imported)')
    .action(async (files: string[]) => {
      code = await validateCommand(files);
    });

  program
    .command('run')
    .description('run a graph; writes output node values to --out')
    .argument('<file>', 'graph file (.json, or .png saved by Weft; ComfyUI workflows and PNGs are imported)')
    .option('-o, --out <dir>', 'folder for output values')
    .option('-s, --set <NODE.PARAM=VALUE>', 'override a parameter (repeatable); VALUE is JSON or plain text', collect, [])
    .option('--json', 'print a JSON run report on stdout')
    .option('-t, --target <node>', 'run only what this node needs (repeatable)', collect, [])
    .addOption(new Option('-b, --backend <backend>', 'model backend: cpu (onnxruntime-node), wasm (onnxruntime-web) or webgpu (onnxruntime-node on the GPU)').choices(['cpu', 'wasm', 'webgpu']).default('cpu'))
    .option('--allow-dir <dir>', 'a folder (besides the current one) that dir: sources and file paths in the graph may read (repeatable)', collect, [])
    .option('--allow-net', 'let url: sources in the graph be downloaded from any host')
    .option('--allow-host <host>', 'let url: sources be downloaded from this host (repeatable)', collect, [])
    .action(async (file: string, opts: { out?: string; set: string[]; json?: boolean; target: string[]; backend: CliBackend; allowDir: string[]; allowNet?: boolean; allowHost: string[] }) => {
      code = await runCommand(file, opts);
    });

  program
    .command('import')
    .description('turn a ComfyUI workflow (API or UI JSON, or a PNG ComfyUI saved) into a Weft graph; prints what mapped')
    .argument('<file>', 'ComfyUI workflow file')
    .option('-o, --out <file>', 'write the Weft graph here (else to stdout)')
    .action(async (file: string, opts: { out?: string }) => {
      code = await importCommand(file, opts);
    });

  program
    .command('export')
    .description('write a Weft graph as a ComfyUI API-format prompt (the nodes ComfyUI has)')
    .argument('<file>', 'graph file')
    .option('-o, --out <file>', 'write the prompt here (else to stdout)')
    .action(async (file: string, opts: { out?: string }) => {
      code = await exportCommand(file, opts);
    });

  program
    .command('worker')
    .description('run queued graph jobs (BullMQ on Redis) until stopped; workers on other machines join by using the same Redis')
    .option('--redis <url>', 'the Redis to take jobs from (default $WEFT_REDIS_URL or redis://127.0.0.1:6379)')
    .option('-c, --concurrency <n>', 'jobs run at once', '1')
    .addOption(new Option('-b, --backend <backend>', 'model backend').choices(['cpu', 'wasm', 'webgpu']).default('cpu'))
    .option('--allow-dir <dir>', 'a folder (besides the current one) that dir: sources in jobs may read (repeatable)', collect, [])
    .option('--allow-net', 'let url: sources in jobs be downloaded from any host')
    .option('--allow-host <host>', 'let url: sources be downloaded from this host (repeatable)', collect, [])
    .option('--lock-ms <ms>', "how long a job's lock lasts unrenewed: a dead worker's job goes to another after about this", '30000')
    .action(async (opts: { redis?: string; concurrency: string; backend: CliBackend; allowDir: string[]; allowNet?: boolean; allowHost: string[]; lockMs: string }) => {
      code = await workerCommand(opts);
    });

  program
    .command('serve')
    .description('an HTTP front to the run queue: submit graphs, follow their progress (SSE), fetch results; workers do the runs')
    .option('-p, --port <port>', 'port to listen on (0: any free one)', '8787')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--redis <url>', 'the Redis the workers use (default $WEFT_REDIS_URL or redis://127.0.0.1:6379)')
    .option('--token <token>', 'the bearer token clients must send (default $WEFT_TOKEN; 16+ characters)')
    .option('--no-auth', 'accept requests without a token (only on a loopback address)')
    .action(async (opts: { port: string; host: string; redis?: string; token?: string; auth: boolean }) => {
      code = await serveCommand(opts);
    });

  program
    .command('batch')
    .description('run every combination of --sweep values as queued jobs, write each output and a labelled grid PNG')
    .argument('<file>', 'graph file')
    .option('--sweep <NODE.PARAM=VALUES>', 'values to sweep: v1,v2,… or from..to[:step] (repeatable: X, Y, then one grid per Z)', collect, [])
    .option('-s, --set <NODE.PARAM=VALUE>', 'override a parameter in every run (repeatable)', collect, [])
    .requiredOption('-o, --out <dir>', 'folder for the outputs and the grid')
    .option('--redis <url>', 'the Redis the workers use (default $WEFT_REDIS_URL or redis://127.0.0.1:6379)')
    .option('--timeout <s>', 'give up on a run after this many seconds', '600')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (file: string, opts: { sweep: string[]; set: string[]; out: string; redis?: string; timeout: string; json?: boolean }) => {
      code = await batchCommand(file, opts);
    });

  program
    .command('quantize')
    .description('make an fp16 or int8 copy of a model file or folder, each model checked against its original')
    .argument('<path>', 'a model.onnx, or a model folder (a diffusers-layout pipeline, a language-model folder)')
    .addOption(new Option('--to <kind>', 'fp16: weights as float16 (half the bytes); int8: MatMul/Gemm/Conv weights as int8 per channel (a quarter)').choices(['fp16', 'int8']).makeOptionMandatory())
    .option('-o, --out <path>', 'where the copy goes (default: beside it, named -fp16 / -int8)')
    .option('--force', 'replace what is at --out')
    .action(async (input: string, opts: { to: string; out?: string; force?: boolean }) => {
      code = await quantizeCommand(input, opts);
    });

  program
    .command('nodes')
    .description('list the node types')
    .option('--json', 'print the registry as JSON (params as JSON Schema)')
    .option('--markdown', 'print the node reference (docs/nodes.md)')
    .action((opts: { json?: boolean; markdown?: boolean }) => {
      code = nodesCommand(opts);
    });

  program
    .command('schema')
    .description('print the graph file JSON Schema')
    .action(() => {
      code = schemaCommand();
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return code;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
