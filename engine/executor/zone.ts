import type { NodeOutputs } from '../nodeDefinition';
import type { TensorValue } from '../values';
import type { Execution } from './execution';
import { canonicalJson } from './hash';
import { describeError, isThenable, passThrough, resolveInputs, type NodeState } from './inputs';
import { edgeInto, type ZoneUnit } from './plan';
import { reasonToRun, zoneSignature, type NodeFingerprint, type ZoneFingerprint } from './signature';
import { collectTensors } from './tensors';
import { latentPicture, replayIfCurrent, resumedReason, resumedSignature, resumeFor, stepHistory, type Resumed } from './trajectory';
import { showKeptStep } from './showStep';
import { copyRecord, dataRecord } from '../record';

/**
 * Runs a repeat zone as one unit: the body runs `iterations` times, the output node's inputs
 * becoming the next iteration's carried values. The zone is cached as a whole on its output node.
 */
export function runZone(ex: Execution, u: ZoneUnit): void | Promise<void> {
  const { zone, input, output } = u;
  const inputId = zone.inputNode;
  const outputId = zone.outputNode;
  const needed = u.needed;
  const skipAll = (reason: string, muted = false) => {
    for (const id of needed) ex.skip(id, reason, muted && id === outputId);
  };
  if (input.node.mode === 'muted' || output.node.mode === 'muted') return skipAll(`the repeat zone '${zone.id}' is muted`, true);
  if (u.cycle) {
    const message = `the nodes ${u.cycle.map((id) => `'${id}'`).join(' → ')} form a cycle inside the repeat zone`;
    ex.states.set(outputId, { status: 'error' });
    ex.fail(outputId, 'cycle', message);
    for (const id of needed) if (id !== outputId) ex.skip(id, `the repeat zone '${zone.id}' has a cycle`);
    return;
  }
  for (const id of needed) {
    const info = ex.plan.infos.get(id)!;
    if (!info.def) {
      ex.states.set(outputId, { status: 'error' });
      ex.fail(id, 'unknown_type', `unknown node type '${info.node.type}': this node cannot run here`);
      for (const other of needed) if (other !== id) ex.skip(other, `'${id}' in the repeat zone has an unknown type`);
      return;
    }
  }

  // Values from outside the zone, and the fingerprint of everything the zone's results depend on.
  const lookupOutside = (id: string) => (u.members.has(id) ? undefined : ex.states.get(id));
  const external = new Map<string, Record<string, unknown>>();
  const members = new Map<string, NodeFingerprint>();
  const internalEdges: string[] = [];
  for (const id of needed) {
    const info = ex.plan.infos.get(id)!;
    const values = dataRecord();
    const inputs = dataRecord<string>();
    for (const edge of info.incoming) {
      const port = edge.to.port;
      const from = edge.from.node;
      if (u.members.has(from)) {
        internalEdges.push(`${from}.${edge.from.port}>${id}.${port}`);
        continue;
      }
      const up = lookupOutside(from);
      if (!up || up.status !== 'ok') {
        if (up?.status === 'muted' && info.inputs.find((p) => p.name === port)?.optional) continue;
        const which = !up ? 'did not run' : up.status === 'error' ? 'failed' : up.status === 'muted' ? 'is muted' : `was ${up.status}`;
        return skipAll(`input '${port}' of '${id}' comes from '${from}' which ${which}`);
      }
      const value = up.outputs[edge.from.port];
      if (value === undefined) continue;
      values[port] = value;
      inputs[port] = up.sig + ':' + edge.from.port;
    }
    external.set(id, values);
    const bypassed = info.node.mode === 'bypassed';
    members.set(id, {
      kind: 'node',
      type: info.node.type,
      typeVersion: info.node.typeVersion,
      mode: info.node.mode,
      params: bypassed ? '{}' : canonicalJson(info.node.params),
      inputs,
    });
  }
  const structure =
    zone.carried.map((c) => `${c.name}:${c.type}`).join(',') + '|' + needed.join(',') + '|' + internalEdges.sort().join(',');
  const full: ZoneFingerprint = { kind: 'zone', structure, members };
  const fullSignature = zoneSignature(full);

  // Time travel: the zone starts from a kept step of its last run, or shows one.
  const resumed = ex.resume?.nodeId === outputId ? resumeFor(ex, outputId) : undefined;
  if (resumed && !resumed.ok) {
    ex.states.set(outputId, { status: 'error' });
    ex.fail(outputId, 'step_not_kept', resumed.message);
    for (const id of needed) if (id !== outputId) ex.skip(id, `the repeat zone '${zone.id}' cannot start from that step`);
    return;
  }
  if (resumed?.show) {
    for (const id of needed) if (id !== outputId) ex.skip(id, `not run: the zone shows its kept step ${resumed.step}`);
    return showKeptStep(ex, outputId, output.outputs, resumed, fullSignature);
  }
  const fingerprint: ZoneFingerprint = resumed ? { ...full, continuedFrom: resumed.step } : full;
  const signature = resumed ? resumedSignature(fullSignature, resumed) : fullSignature;

  const prev = ex.cache.get(outputId);
  if (prev && prev.signature === signature && prev.outcome === 'ok') {
    for (const id of needed) {
      const r = ex.nodeReport(id);
      r.status = 'cached';
      r.reason = 'unchanged since the last run';
      ex.emit({ type: 'cached', runId: ex.runId, nodeId: id, reason: r.reason });
    }
    ex.states.set(outputId, { status: 'ok', sig: signature, outputs: prev.outputs! });
    ex.record(outputId, prev.outputs!);
    for (const [id, outputs] of prev.inner ?? []) {
      ex.states.set(id, { status: 'ok', sig: signature + ':' + id, outputs });
      ex.record(id, outputs);
    }
    if (ex.trajectories) replayIfCurrent(ex, outputId, signature);
    return;
  }
  return loop(ex, u, external, fingerprint, signature, resumed ? resumedReason(resumed) : reasonToRun(prev, fingerprint), resumed);
}

async function loop(
  ex: Execution,
  u: ZoneUnit,
  external: Map<string, Record<string, unknown>>,
  fingerprint: ZoneFingerprint,
  signature: string,
  reason: string,
  resumed?: Extract<Resumed, { ok: true }>,
): Promise<void> {
  const { zone, input, output } = u;
  const inputId = zone.inputNode;
  const outputId = zone.outputNode;
  const body = u.needed.slice(1, -1);
  const infos = ex.plan.infos;
  const t0 = performance.now();
  const startedAt = Date.now();
  ex.running.set(outputId, { fingerprint, signature });
  for (const id of [inputId, outputId]) {
    const r = ex.nodeReport(id);
    r.status = 'running';
    r.reason = reason;
    r.startedAt = startedAt;
    ex.emit({ type: 'started', runId: ex.runId, nodeId: id, reason });
  }

  // Tensors from outside belong to the cache: never disposed here. Tensors made inside are.
  const outside = collectTensors([...external.values()], new Set());
  const local = new Map<string, NodeState>();
  const lookup = (id: string) => (u.members.has(id) ? local.get(id) : ex.states.get(id));
  const owned = (values: Iterable<unknown>, keep: Set<TensorValue>) => {
    const made = collectTensors([...values], new Set());
    for (const t of made) if (!outside.has(t) && !keep.has(t)) t.dispose();
  };
  let carried = dataRecord();
  let invariantValues: NodeOutputs[] = [];
  const variantValues: NodeOutputs[] = [];
  let failed: { id: string } | undefined;
  const abandon = () => {
    // Nothing half-done enters the cache; free what the zone made.
    owned([carried, ...invariantValues, ...variantValues], new Set());
  };
  const fail = (id: string, code: string, message: string) => {
    local.set(id, { status: 'error' });
    ex.fail(id, code, message);
    failed = { id };
  };

  // Iterations and initial carried values come into the input node from outside.
  const params = ex.parseParams(input);
  const inputValues = external.get(inputId)!;
  let count = 0;
  if (!params.ok) fail(inputId, 'invalid_params', params.message);
  else {
    const n = inputValues.iterations ?? (params.params as { iterations: number }).iterations;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      fail(inputId, 'invalid_iterations', `iterations must be a whole number from 0; got ${String(n)}`);
    } else count = n;
  }
  for (const c of zone.carried) {
    if (failed) break;
    if (inputValues[c.name] === undefined) {
      fail(inputId, 'missing_input', `carried value '${c.name}' has no starting value: connect the input '${c.name}' of '${inputId}'`);
    }
    carried[c.name] = inputValues[c.name];
  }
  if (input.node.mode === 'bypassed' || output.node.mode === 'bypassed') count = 0;
  // A zone that carries a latent is a denoising loop: it keeps its steps (when the host keeps any and
  // the output node's "preview" switch is on; off, nothing is read back during the loop).
  const latent = zone.carried.find((c) => c.type === 'latent');
  const keepSteps = (output.node.params as { preview?: unknown } | undefined)?.preview !== false;
  const history = latent && keepSteps && ex.trajectories ? stepHistory(ex, outputId, latentPicture(ex.trajectories, latent.name)) : undefined;
  let first = 0;
  if (resumed && !failed) {
    if (resumed.step > count) fail(inputId, 'step_out_of_range', `the zone runs ${count} iterations, so it cannot continue from step ${resumed.step}`);
    else {
      carried = copyRecord(resumed.kept.values);
      first = resumed.step;
    }
  }
  if (history && !failed) {
    history.begin(count);
    if (!resumed) await history.keep(0, carried);
  }
  const parsed = new Map<string, unknown>();
  for (const id of body) {
    if (failed) break;
    const info = infos.get(id)!;
    if (info.node.mode !== 'normal') continue;
    const p = ex.parseParams(info);
    if (p.ok) parsed.set(id, p.params);
    else fail(id, 'invalid_params', p.message);
  }

  // Body nodes that do not depend on the input node compute once (loop-invariant).
  const variant = new Set<string>([inputId]);
  for (const id of body) {
    for (const edge of infos.get(id)!.incoming) if (variant.has(edge.from.node)) variant.add(id);
  }
  const ms = new Map<string, number>();

  const runBodyNode = async (id: string, iteration?: { zoneId: string; index: number; count: number }): Promise<boolean> => {
    const info = infos.get(id)!;
    const r = ex.nodeReport(id);
    if (info.node.mode === 'muted') {
      local.set(id, { status: 'muted' });
      if (r.status !== 'skipped') ex.skip(id, 'muted', false);
      ex.states.delete(id);
      return true;
    }
    const resolved = resolveInputs(info, lookup);
    if (resolved.kind === 'skip') {
      local.set(id, { status: 'skipped' });
      ex.skip(id, resolved.reason);
      ex.states.delete(id);
      return true;
    }
    if (resolved.kind === 'error') {
      fail(id, resolved.code, resolved.message);
      return true;
    }
    if (info.node.mode === 'bypassed') {
      local.set(id, { status: 'ok', sig: '', outputs: passThrough(info, resolved.inputs), bypassed: true });
      r.status = 'running';
      r.reason = 'bypassed: passes its inputs through';
      return true;
    }
    if (r.status !== 'running') {
      r.status = 'running';
      r.reason = reason;
      r.startedAt = Date.now();
    }
    const ctx = ex.makeContext(info, parsed.get(id), resolved.inputs, iteration);
    ex.emit({ type: 'started', runId: ex.runId, nodeId: id, reason, iteration: iteration?.index });
    const t = performance.now();
    let outputs: unknown;
    try {
      outputs = info.def!.run(ctx);
      if (isThenable(outputs)) outputs = await outputs;
    } catch (err) {
      ctx.end();
      if (ex.stopped || ex.signal.aborted) return false;
      const e = describeError(err);
      fail(id, e.code, e.message);
      return true;
    }
    ctx.end();
    if (ex.stopped || ex.signal.aborted) {
      owned([outputs], collectTensors([resolved.inputs], new Set()));
      return false;
    }
    if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) {
      fail(id, 'node_failed', 'the node returned no outputs record');
      return true;
    }
    const elapsed = performance.now() - t;
    ms.set(id, (ms.get(id) ?? 0) + elapsed);
    local.set(id, { status: 'ok', sig: '', outputs: outputs as NodeOutputs });
    (iteration ? variantValues : invariantValues).push(outputs as NodeOutputs);
    ex.emit({ type: 'done', runId: ex.runId, nodeId: id, ms: elapsed, iteration: iteration?.index });
    return true;
  };

  let lastYield = performance.now();
  for (let i = first; i < count && !failed; i++) {
    if (performance.now() - lastYield > 16) {
      // Let other events in (Cancel) during long runs of quick iterations.
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
    if (ex.stopped || ex.signal.aborted) return abandon();
    ex.emit({ type: 'iteration', runId: ex.runId, zoneId: zone.id, index: i, count });
    const boundary = copyRecord(carried);
    boundary.index = i;
    boundary.count = count;
    local.set(inputId, { status: 'ok', sig: '', outputs: boundary });
    if (i === first) {
      for (const id of body) {
        if (variant.has(id)) continue;
        if (!(await runBodyNode(id))) return abandon();
      }
    }
    const iteration = { zoneId: zone.id, index: i, count };
    // After a failure the rest still goes through: its dependents are skipped, naming it.
    for (const id of body) {
      if (!variant.has(id)) continue;
      if (!(await runBodyNode(id, iteration))) return abandon();
    }
    if (failed) break;
    // The output node's inputs become the next carried values; an unconnected one keeps its value.
    const next = dataRecord();
    for (const c of zone.carried) {
      const edge = edgeInto(output, c.name);
      if (!edge) {
        next[c.name] = carried[c.name];
        continue;
      }
      const from = edge.from.node;
      const up = lookup(from);
      const value = up?.status === 'ok' ? up.outputs[edge.from.port] : undefined;
      if (value === undefined) {
        const why = up?.status === 'ok' || !up ? 'gave no value' : up.status === 'error' ? 'failed' : `was ${up.status}`;
        owned([carried, ...invariantValues, ...variantValues], new Set());
        ex.running.delete(outputId);
        finishReports(ex, u, ms, t0, false);
        ex.skip(outputId, `input '${c.name}' comes from '${from}' which ${why}`);
        return;
      }
      next[c.name] = value;
    }
    // Free this iteration's values and the old carried state, except what lives on.
    const last = i === count - 1;
    const keep = collectTensors([next, ...invariantValues], new Set());
    if (last) for (const id of u.targets) collectTensors(local.get(id), keep);
    owned([carried, ...variantValues], keep);
    variantValues.length = 0;
    carried = next;
    if (history) await history.keep(i + 1, carried);
    ex.emit({ type: 'progress', runId: ex.runId, nodeId: outputId, fraction: (i + 1 - first) / (count - first) });
  }
  ex.running.delete(outputId);
  if (failed) {
    abandon();
    const error = ex.nodeReport(failed.id).error!;
    ex.cache.set(outputId, { signature, fingerprint, outcome: 'error', error, ms: performance.now() - t0 });
    finishReports(ex, u, ms, t0, false);
    if (failed.id !== outputId) ex.skip(outputId, `'${failed.id}' in the repeat zone failed`);
    return;
  }
  if (ex.stopped || ex.signal.aborted) return abandon();

  const outputs: NodeOutputs = copyRecord(carried);
  const inner = new Map<string, NodeOutputs>();
  for (const id of u.targets) {
    const state = local.get(id);
    if (state?.status === 'ok' && count > 0) inner.set(id, state.outputs);
  }
  owned(invariantValues, collectTensors([outputs, [...inner.values()]], new Set()));
  const elapsed = performance.now() - t0;
  ex.cache.set(outputId, { signature, fingerprint, outcome: 'ok', outputs, inner, ms: elapsed });
  ex.states.set(outputId, { status: 'ok', sig: signature, outputs });
  ex.record(outputId, outputs);
  for (const [id, values] of inner) {
    ex.states.set(id, { status: 'ok', sig: signature + ':' + id, outputs: values });
    ex.record(id, values);
  }
  finishReports(ex, u, ms, t0, true);
}

/** Final statuses of the zone's nodes once the loop is over. */
function finishReports(ex: Execution, u: ZoneUnit, ms: Map<string, number>, t0: number, ok: boolean): void {
  const elapsed = performance.now() - t0;
  for (const id of u.needed) {
    const r = ex.nodeReport(id);
    const boundary = id === u.zone.inputNode || id === u.zone.outputNode;
    if (boundary && r.status === 'running') {
      if (!ok && id === u.zone.outputNode) continue; // the caller reports why it produced nothing
      r.status = 'done';
      r.ms = elapsed;
      ex.emit({ type: 'done', runId: ex.runId, nodeId: id, ms: elapsed });
    } else if (r.status === 'running') {
      r.status = 'done';
      r.ms = ms.get(id) ?? 0;
    } else if (r.status === 'queued') {
      ex.skip(id, ok ? 'the repeat zone ran 0 iterations' : 'the repeat zone stopped before this node ran');
    }
  }
}
