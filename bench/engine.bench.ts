/**
 * Executor overhead per node on a 10,000-node graph of trivial nodes (numbers and arithmetic in
 * chains with cross-links and fan-in, ending in output nodes). Prints µs per node for a cold run
 * (empty cache) and a warm run (everything cached), then one JSON line. Run: npm run bench:engine
 */
import { emptyGraph, type Graph } from '../engine/graph/document';
import { validateGraph } from '../engine/graph/validate';
import { ExecutionCache, runGraph } from '../engine/executor';
import { registry } from '../nodes';
import { median } from './settings';

const GROUPS = 50;
const CHAIN = 98; // arithmetic nodes per chain; a group is 2 numbers + 2 chains + merge + output = 200 nodes
const REPETITIONS = 9;
const TARGET_US = 20;

function buildGraph(): Graph {
  const g = emptyGraph('engine bench');
  let edges = 0;
  const node = (id: string, type: string, params: Record<string, unknown>) =>
    g.nodes.push({ id, type, typeVersion: 1, position: { x: 0, y: 0 }, params, mode: 'normal' });
  const edge = (from: string, fromPort: string, to: string, toPort: string) =>
    g.edges.push({ id: `e${edges++}`, from: { node: from, port: fromPort }, to: { node: to, port: toPort } });
  for (let k = 0; k < GROUPS; k++) {
    node(`g${k}a0`, 'values.number', { value: k });
    node(`g${k}b0`, 'values.number', { value: -k });
    for (let j = 1; j <= CHAIN; j++) {
      const prevA = `g${k}a${j - 1}`;
      const prevB = `g${k}b${j - 1}`;
      const port = j === 1 ? 'value' : 'result';
      // Chain a adds a constant; chain b also reads chain a at the same depth (fan-in).
      node(`g${k}a${j}`, 'math.arithmetic', { operation: 'add', b: 1 });
      edge(prevA, port, `g${k}a${j}`, 'a');
      node(`g${k}b${j}`, 'math.arithmetic', { operation: j % 2 ? 'max' : 'subtract' });
      edge(prevB, port, `g${k}b${j}`, 'a');
      edge(prevA, port, `g${k}b${j}`, 'b');
    }
    node(`g${k}m`, 'math.arithmetic', { operation: 'add' });
    edge(`g${k}a${CHAIN}`, 'result', `g${k}m`, 'a');
    edge(`g${k}b${CHAIN}`, 'result', `g${k}m`, 'b');
    node(`g${k}out`, 'output.value', { name: `group ${k}` });
    edge(`g${k}m`, 'result', `g${k}out`, 'value');
  }
  return g;
}

const best = (xs: number[]) => Math.min(...xs);

async function main() {
  const graph = buildGraph();
  const n = graph.nodes.length;
  console.log(`engine bench: ${n} nodes, ${graph.edges.length} edges, ${REPETITIONS} repetitions each`);

  const cold: number[] = [];
  const warm: number[] = [];
  const coldCpu: number[] = [];
  const warmCpu: number[] = [];
  const validate: number[] = [];
  const coldValidated: number[] = [];
  const warmValidated: number[] = [];
  // The editor validates after every edit and hands the issues to the run (RunOptions.issues), so
  // the executor's own overhead is measured with them given; runs that validate are timed too.
  const issues = validateGraph(graph, registry);
  // CPU time as well as wall time: on a shared machine the process may wait for a core.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let r = 0; r < REPETITIONS; r++) {
    const cache = new ExecutionCache();
    let c = cpuMs();
    let t = performance.now();
    const first = await runGraph(graph, { registry, cache, issues });
    cold.push(performance.now() - t);
    coldCpu.push(cpuMs() - c);
    if (first.status !== 'ok') throw new Error(`cold run ended '${first.status}': ${JSON.stringify(first.issues ?? '')}`);
    c = cpuMs();
    t = performance.now();
    const second = await runGraph(graph, { registry, cache, issues });
    warm.push(performance.now() - t);
    warmCpu.push(cpuMs() - c);
    if ([...second.nodes.values()].some((s) => s.status !== 'cached')) throw new Error('warm run re-ran nodes');
    t = performance.now();
    validateGraph(graph, registry);
    validate.push(performance.now() - t);
    const cache2 = new ExecutionCache();
    t = performance.now();
    await runGraph(graph, { registry, cache: cache2 });
    coldValidated.push(performance.now() - t);
    t = performance.now();
    await runGraph(graph, { registry, cache: cache2 });
    warmValidated.push(performance.now() - t);
  }
  // The first repetitions warm up the JIT; the median is what a user sees on repeated runs.
  const us = (ms: number) => (ms * 1000) / n;
  const coldUs = us(median(cold));
  const cachedUs = us(median(warm));
  const validateUs = us(median(validate));
  const coldCpuUs = us(median(coldCpu));
  const cachedCpuUs = us(median(warmCpu));
  console.log(`executor overhead (issues given, as the editor runs it):`);
  console.log(`cold run (empty cache):   ${coldUs.toFixed(2)} µs/node median, ${us(best(cold)).toFixed(2)} best, ${us(cold[0]).toFixed(2)} first; CPU ${coldCpuUs.toFixed(2)} µs/node`);
  console.log(`warm run (all cached):    ${cachedUs.toFixed(2)} µs/node median, ${us(best(warm)).toFixed(2)} best; CPU ${cachedCpuUs.toFixed(2)} µs/node`);
  console.log(`validateGraph alone:      ${validateUs.toFixed(2)} µs/node  (the lead's validator; not executor overhead)`);
  console.log(`runs that also validate:  cold ${us(median(coldValidated)).toFixed(2)}, warm ${us(median(warmValidated)).toFixed(2)} µs/node`);
  console.log(`target: under ${TARGET_US} µs/node (medians): ${coldUs < TARGET_US && cachedUs < TARGET_US ? 'met' : 'NOT met'}`);
  console.log(
    JSON.stringify({
      bench: 'engine',
      nodes: n,
      coldUsPerNode: round(coldUs),
      cachedUsPerNode: round(cachedUs),
      coldBestUsPerNode: round(us(best(cold))),
      cachedBestUsPerNode: round(us(best(warm))),
      coldCpuUsPerNode: round(coldCpuUs),
      cachedCpuUsPerNode: round(cachedCpuUs),
      validateUsPerNode: round(validateUs),
      coldWithValidationUsPerNode: round(us(median(coldValidated))),
      cachedWithValidationUsPerNode: round(us(median(warmValidated))),
      firstColdUsPerNode: round(us(cold[0])),
      targetUsPerNode: TARGET_US,
    }),
  );
}

const round = (x: number) => Math.round(x * 100) / 100;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
