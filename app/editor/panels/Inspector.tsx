'use client';
import { memo, useCallback, useState } from 'react';
import { setLabel, setMetadata, setMode, setParam } from '@/engine/commands/commands';
import type { NodeMode } from '@/engine/graph/document';
import { portsOf } from '@/engine/graph/ports';
import { registry } from '@/nodes';
import { useController, useEditor } from '../EditorContext';
import { paramFields, paramProblem } from '../canvas/paramFields';
import { ParamWidget } from '../canvas/ParamWidget';
import { RunBadge } from '../canvas/RunBadge';
import { ValueView } from '../canvas/ValueView';
import { IssuesPanel } from './IssuesPanel';
import { ExplainPanel } from '../teach/ExplainPanel';
import { categoryColour, portColour, portTypeLabel } from '../canvas/theme';
import { LIMITS } from '@/engine/graph/limits';

/** The right sidebar: the selected node in full (or the graph's details), then the problems list. */
export const Inspector = memo(function Inspector() {
  const selection = useEditor((s) => s.selection);
  const single = selection.nodes.size === 1 ? [...selection.nodes][0] : undefined;
  return (
    <aside className="inspector" data-testid="inspector">
      <div className="inspector-scroll">
        {single ? <NodeInspector id={single} /> : selection.nodes.size > 1 ? <MultiInspector count={selection.nodes.size} /> : <GraphInspector />}
      </div>
      <IssuesPanel />
    </aside>
  );
});

function NodeInspector({ id }: { id: string }) {
  const ctrl = useController();
  const node = useEditor((s) => s.graph.nodes.find((n) => n.id === id));
  const zones = useEditor((s) => s.graph.zones);
  const run = useEditor((s) => s.nodeRuns.get(id));
  const outputs = useEditor((s) => s.outputs.get(id));
  const issues = useEditor((s) => s.issuesByNode.get(id));
  const onParam = useCallback((key: string, value: unknown) => ctrl.apply(setParam(id, key, value)), [ctrl, id]);
  // Stays open while the selection moves from node to node.
  const [explaining, setExplaining] = useState(false);
  if (!node) return null;
  const def = registry.get(node.type);
  if (!def) {
    return (
      <div className="insp-section">
        <div className="insp-title">Unknown node</div>
        <p className="muted">
          Type <code>{node.type}</code> v{node.typeVersion} is not installed in this version of Weft. It is kept as it is, saved with the graph, and does not run.
        </p>
        <pre className="insp-json">{JSON.stringify(node.params, null, 2)}</pre>
      </div>
    );
  }
  const ports = portsOf({ zones }, node, def);
  return (
    <>
      <div className="insp-section">
        <div className="insp-kicker" style={{ color: categoryColour(def.category) }}>
          {def.category} · <span className="mono">{def.type}</span> v{def.version}
        </div>
        <div className="insp-title" data-testid="inspector-title">
          {node.label || def.title}
        </div>
        <p className="insp-desc">{def.description}</p>
        <button
          className={`btn small insp-explain-toggle${explaining ? ' primary' : ''}`}
          aria-expanded={explaining}
          data-testid="explain-toggle"
          onClick={() => setExplaining((v) => !v)}
        >
          {explaining ? 'Hide explanation' : 'Explain'}
        </button>
      </div>
      {explaining ? (
        <div className="insp-section">
          <div className="insp-heading">How it works</div>
          <ExplainPanel def={def} node={node} ports={ports} />
        </div>
      ) : null}
      <div className="insp-section">
        <label className="insp-row">
          <span>Label</span>
          <input type="text" value={node.label ?? ''} placeholder={def.title} maxLength={200} data-testid="inspector-label" onChange={(e) => ctrl.apply(setLabel(id, e.target.value))} />
        </label>
        <label className="insp-row">
          <span>Mode</span>
          <select value={node.mode} data-testid="inspector-mode" onChange={(e) => ctrl.apply(setMode([id], e.target.value as NodeMode))}>
            <option value="normal">normal</option>
            <option value="bypassed">bypassed (pass inputs through)</option>
            <option value="muted">muted (does not run)</option>
          </select>
        </label>
      </div>
      {paramFields(def).length ? (
        <div className="insp-section">
          <div className="insp-heading">Parameters</div>
          {paramFields(def).map((f) => {
            const value = node.params[f.key] ?? f.default;
            return <ParamWidget key={f.key} nodeId={`insp-${id}`} field={f} value={value} problem={paramProblem(def, f.key, value)} onChange={onParam} />;
          })}
        </div>
      ) : null}
      <div className="insp-section">
        <div className="insp-heading">Ports</div>
        {[...ports.inputs.map((p) => ({ p, dir: 'in' })), ...ports.outputs.map((p) => ({ p, dir: 'out' }))].map(({ p, dir }) => (
          <div key={`${dir}-${p.name}`} className="insp-port">
            <span className="insp-port-dir">{dir}</span>
            <span className="insp-port-name">{p.label ?? p.name}</span>
            <span className="insp-port-type" style={{ color: portColour(p.type) }}>
              {portTypeLabel(p.type)}
              {p.optional && dir === 'in' ? ' · optional' : ''}
            </span>
          </div>
        ))}
      </div>
      {run || outputs ? (
        <div className="insp-section">
          <div className="insp-heading">Last run</div>
          {run ? <RunBadge run={run} /> : null}
          {run?.reason ? <p className="muted small">{run.reason}</p> : null}
          {outputs
            ? [...outputs].map(([k, v]) => (
                <div key={k} className="insp-output">
                  <span className="muted">{k}</span>
                  <ValueView value={v} />
                </div>
              ))
            : null}
        </div>
      ) : null}
      {issues?.length ? (
        <div className="insp-section">
          <div className="insp-heading">Problems</div>
          {issues.map((i, k) => (
            <div key={k} className={`issue-line sev-${i.severity}`}>
              {i.message}
            </div>
          ))}
        </div>
      ) : null}
    </>
  );
}

function MultiInspector({ count }: { count: number }) {
  return (
    <div className="insp-section">
      <div className="insp-title">{count} nodes selected</div>
      <p className="muted">Ctrl+C copies, Ctrl+D duplicates, Delete removes them.</p>
    </div>
  );
}

function GraphInspector() {
  const ctrl = useController();
  const meta = useEditor((s) => s.graph.metadata);
  const counts = useEditor((s) => `${s.graph.nodes.length} nodes · ${s.graph.edges.length} connections`);
  return (
    <div className="insp-section">
      <div className="insp-kicker">Graph</div>
      <label className="insp-row insp-col">
        <span>Title</span>
        <input type="text" value={meta.title} maxLength={200} data-testid="inspector-graph-title" onChange={(e) => ctrl.apply(setMetadata({ title: e.target.value }))} />
      </label>
      <label className="insp-row insp-col">
        <span>Description</span>
        <textarea rows={4} value={meta.description ?? ''} maxLength={LIMITS.textLength} onChange={(e) => ctrl.apply(setMetadata({ description: e.target.value }))} />
      </label>
      <p className="muted small">{counts}</p>
      <button type="button" className="btn small" onClick={ctrl.exportComfy} data-testid="export-comfy-button" title="Download the graph's nodes that ComfyUI has as a ComfyUI API-format prompt (.json)">
        Export to ComfyUI
      </button>
      <p className="muted small">Select a node to see its parameters. Double-click the canvas to add a node.</p>
    </div>
  );
}
