'use client';
import { useMemo, useState } from 'react';
import { createRepeatZone, setZoneCarried } from '@/engine/commands/commands';
import type { Command } from '@/engine/commands/history';
import type { Graph, Zone } from '@/engine/graph/document';
import { findPort } from '../canvas/derive';
import { PORT_TYPES } from '@/engine/types/portTypes';
import { NODE_DEFINITIONS } from '@/nodes';
import { useController } from '../EditorContext';
import { portTypeLabel } from '../canvas/theme';
import '../comfort.css';
import { useEscape } from './useEscape';

export type ZoneDialogTarget = { kind: 'create'; nodeIds: string[] } | { kind: 'edit'; zoneId: string };

type Carried = Zone['carried'][number];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const boundary = () => {
  const input = NODE_DEFINITIONS.find((d) => d.zoneRole === 'repeatInput');
  const output = NODE_DEFINITIONS.find((d) => d.zoneRole === 'repeatOutput');
  return input && output ? { input, output } : undefined;
};

/** Wires from the chosen nodes to nodes outside: a zone's values leave only through Repeat Output. */
function leavingWires(graph: Graph, nodeIds: readonly string[]) {
  const inside = new Set(nodeIds);
  return graph.edges.filter((e) => inside.has(e.from.node) && !inside.has(e.to.node));
}

/** Wraps the selected nodes in a repeat zone, or edits a zone: title, iterations, carried values. */
export function RepeatZoneDialog({ target, onClose }: { target: ZoneDialogTarget; onClose: () => void }) {
  const ctrl = useController();
  const graph = ctrl.graph;
  const zone = target.kind === 'edit' ? graph.zones.find((z) => z.id === target.zoneId) : undefined;
  const inputNode = zone ? graph.nodes.find((n) => n.id === zone.inputNode) : undefined;
  const leaving = useMemo(() => (target.kind === 'create' ? leavingWires(graph, target.nodeIds) : []), [graph, target]);
  const [title, setTitle] = useState(zone?.title ?? 'Repeat');
  const [iterations, setIterations] = useState(String(inputNode?.params.iterations ?? 4));
  const [carried, setCarried] = useState<Carried[]>(() => {
    if (zone) return zone.carried.map((c) => ({ ...c }));
    // Suggest carrying what the chosen nodes hand on: the usual loop state (a latent, say).
    const out: Carried[] = [];
    for (const e of leaving) {
      const port = findPort(graph, e.from.node, e.from.port, 'output');
      if (port && NAME.test(e.from.port) && !out.some((c) => c.name === e.from.port)) out.push({ name: e.from.port, type: port.type });
    }
    return out;
  });

  useEscape(onClose);

  const count = Number(iterations);
  const names = carried.map((c) => c.name);
  const problems = [
    ...(!Number.isInteger(count) || count < 0 || count > 100_000 ? ['Iterations is a whole number from 0 to 100000.'] : []),
    ...carried.filter((c) => !NAME.test(c.name)).map((c) => `"${c.name}" is not a plain name (letters, digits and _, not starting with a digit).`),
    ...names.filter((n, i) => names.indexOf(n) !== i).map((n) => `"${n}" is carried twice.`),
  ];
  const defs = boundary();

  const save = () => {
    if (problems.length || !defs) return;
    const trimmedTitle = title.trim() || 'Repeat';
    let cmd: Command;
    if (target.kind === 'create') {
      const wrap = createRepeatZone(target.nodeIds, defs, carried);
      cmd = {
        name: 'Create repeat zone',
        recipe: (g) => {
          const before = new Set(g.nodes.map((n) => n.id));
          wrap.recipe(g);
          const z = g.zones[g.zones.length - 1];
          z.title = trimmedTitle;
          makeRoom(g, z, before);
          const input = g.nodes.find((n) => n.id === z.inputNode);
          if (input) input.params.iterations = count;
        },
      };
    } else {
      const edit = setZoneCarried(target.zoneId, carried);
      cmd = {
        name: 'Edit repeat zone',
        recipe: (g) => {
          edit.recipe(g);
          const z = g.zones.find((x) => x.id === target.zoneId);
          if (!z) return;
          z.title = trimmedTitle;
          const input = g.nodes.find((n) => n.id === z.inputNode);
          if (input) input.params.iterations = count;
        },
      };
    }
    ctrl.apply(cmd);
    onClose();
  };

  if (target.kind === 'edit' && !zone) return null;
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        className="modal zone-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="zone-dialog-title"
        data-testid="zone-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <h2 id="zone-dialog-title">{target.kind === 'create' ? `Repeat ${target.nodeIds.length} node${target.nodeIds.length === 1 ? '' : 's'}` : 'Edit repeat zone'}</h2>
        <p className="muted">
          The nodes inside run once per iteration. Carried values start at the Repeat Input node; each iteration hands its Repeat Output values to the next, and the last
          iteration&apos;s values leave the zone.
        </p>
        <div className="zone-fields">
          <label>
            <span>Title</span>
            <input type="text" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} data-testid="zone-title" />
          </label>
          <label>
            <span>Iterations</span>
            <input type="number" min={0} max={100000} step={1} value={iterations} onChange={(e) => setIterations(e.target.value)} data-testid="zone-iterations" />
          </label>
        </div>
        <div className="insp-heading zone-carried-head">Carried values</div>
        {carried.length === 0 ? <p className="muted small">None yet: the zone repeats without state. Add the value each iteration updates (a latent, a counter…).</p> : null}
        <ul className="zone-carried" data-testid="zone-carried">
          {carried.map((c, i) => (
            <li key={i}>
              <input
                type="text"
                value={c.name}
                aria-label="Carried value name"
                className={NAME.test(c.name) ? undefined : 'input-invalid'}
                onChange={(e) => setCarried((cs) => cs.map((x, k) => (k === i ? { ...x, name: e.target.value } : x)))}
                data-testid={`carried-name-${i}`}
              />
              <select value={c.type} aria-label="Carried value type" onChange={(e) => setCarried((cs) => cs.map((x, k) => (k === i ? { ...x, type: e.target.value } : x)))} data-testid={`carried-type-${i}`}>
                {PORT_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {portTypeLabel(t)}
                  </option>
                ))}
              </select>
              <button type="button" className="btn small ghost" onClick={() => setCarried((cs) => cs.filter((_, k) => k !== i))} aria-label={`Stop carrying ${c.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="btn small zone-add"
          disabled={carried.length >= 32}
          data-testid="carried-add"
          onClick={() => setCarried((cs) => [...cs, { name: nextName(cs), type: 'latent' }])}
        >
          + Add carried value
        </button>
        {target.kind === 'edit' && zone && zone.carried.some((c) => !names.includes(c.name)) ? (
          <p className="zone-note small">Wires to the carried values you removed are removed too.</p>
        ) : null}
        {leaving.length ? (
          <p className="zone-note small" data-testid="zone-leaving">
            {leaving.length} wire{leaving.length === 1 ? '' : 's'} go{leaving.length === 1 ? 'es' : ''} from these nodes to nodes outside. Values leave a zone only through its Repeat Output
            node, so route {leaving.length === 1 ? 'it' : 'them'} through a carried value (the problems list shows {leaving.length === 1 ? 'it' : 'them'} until then).
          </p>
        ) : null}
        {problems.length ? (
          <ul className="error-list" data-testid="zone-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        <div className="modal-actions zone-actions">
          <button type="button" className="btn ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={problems.length > 0 || !defs} data-testid="zone-save">
            {target.kind === 'create' ? 'Create zone' : 'Save'}
          </button>
        </div>
      </form>
    </div>
  );
}

const STEP = 300;

/**
 * Places the new boundary nodes beside the body without covering other nodes: the body and what
 * lies right of its start move right by one step, what lies right of the body by two.
 */
function makeRoom(g: Graph, zone: Zone, existing: ReadonlySet<string>): void {
  const body = new Set(zone.nodes);
  const xs = g.nodes.filter((n) => body.has(n.id)).map((n) => n.position.x);
  if (!xs.length) return;
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  for (const n of g.nodes) {
    if (!existing.has(n.id) || n.position.x < minX) continue;
    const shift = body.has(n.id) || n.position.x <= maxX ? STEP : 2 * STEP;
    n.position = { x: n.position.x + shift, y: n.position.y };
  }
  const input = g.nodes.find((n) => n.id === zone.inputNode);
  const output = g.nodes.find((n) => n.id === zone.outputNode);
  if (input) input.position = { x: minX, y: input.position.y };
  if (output) output.position = { x: maxX + 2 * STEP, y: output.position.y };
}

function nextName(cs: readonly Carried[]): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? 'state' : `state${i}`;
    if (!cs.some((c) => c.name === name)) return name;
  }
}
