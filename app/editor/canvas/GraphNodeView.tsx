'use client';
import type { GraphIssue } from '@/engine/errors';
import { memo, useCallback, useMemo } from 'react';
import { Handle, Position, useStore, type Node, type NodeProps, type ReactFlowState } from '@xyflow/react';
import type { GraphNode } from '@/engine/graph/document';
import { portsOf } from '@/engine/graph/ports';
import type { PortSpec } from '@/engine/types/portTypes';
import { setParam } from '@/engine/commands/commands';
import { registry } from '@/nodes';
import { useController, useEditor } from '../EditorContext';
import { keyParamFields, paramFields, paramProblem } from './paramFields';
import { KeyParams } from './KeyParams';
import { askSuggestions } from './wireSuggestions';
import { ParamWidget } from './ParamWidget';
import { RunBadge } from './RunBadge';
import { ValueView } from './ValueView';
import { ImageOutputView } from './ImageOutputView';
import { imagesOf } from '../files/fileData';
import { categoryColour, portColour, portTypeLabel } from './theme';
import { connectedInputs } from './connectedInputs';
import { StepScrubber } from '../teach/StepScrubber';
import { StickyNoteView } from './StickyNoteView';
import { NodeModeButtons } from './NodeModeButtons';

export type WeftNodeData = { node: GraphNode };
export type WeftFlowNode = Node<WeftNodeData, 'weft'>;

/** Below this zoom nodes draw only their header and ports: the details are unreadable there anyway. */
const DETAIL_ZOOM = 0.45;
const zoomedOutSelector = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;

/** The one node component: renders any definition's ports, parameters, run state and result. */
export const GraphNodeView = memo(function GraphNodeView({ id, data, selected }: NodeProps<WeftFlowNode>) {
  const node = data.node;
  const def = registry.get(node.type);
  const compact = useStore(zoomedOutSelector);
  if (!def) return <UnknownNodeView node={node} selected={!!selected} />;
  if (def.appearance === 'note') return <StickyNoteView id={id} node={node} selected={!!selected} />;
  return <KnownNodeView id={id} node={node} selected={!!selected} compact={compact} />;
});

function KnownNodeView({ id, node, selected, compact }: { id: string; node: GraphNode; selected: boolean; compact: boolean }) {
  const def = registry.get(node.type)!;
  const ctrl = useController();
  const zones = useEditor((s) => (def.zoneRole ? s.graph.zones : undefined));
  const run = useEditor((s) => s.nodeRuns.get(id));
  const output = useEditor((s) => (def.isOutput ? s.outputs.get(id) : undefined));
  const allIssues = useEditor((s) => s.issuesByNode.get(id));
  const building = useEditor((s) => !s.runAttempted);
  // Before the first Run, an input not yet connected is a step still to take, not an error.
  const { issues, toConnect } = useMemo(() => splitToConnect(allIssues, building), [allIssues, building]);
  const wired = useEditor((s) => connectedInputs(s.graph.edges).get(id) ?? '');
  const ports = useMemo(() => portsOf({ zones: zones ?? [] }, node, def), [zones, node, def]);
  const fields = paramFields(def);
  const keyFields = keyParamFields(def);
  const onParam = useCallback((key: string, value: unknown) => ctrl.apply(setParam(id, key, value)), [ctrl, id]);
  const colour = node.colour ?? categoryColour(def.category);
  const hasError = issues?.some((i) => i.severity === 'error');
  const outValue = output ? (output.get('value') ?? output.values().next().value) : undefined;

  return (
    <div
      className={`wnode${compact ? ' compact' : ''}${selected ? ' selected' : ''} mode-${node.mode}${hasError ? ' has-issue' : ''}${run ? ` state-${run.status}` : ''}`}
      data-testid={`node-${id}`}
      data-type={node.type}
      style={{ ['--cat' as string]: colour }}
    >
      <div className="wnode-header" title={def.description}>
        <span className="wnode-title">{node.label || def.title}</span>
        {node.label ? <span className="wnode-subtitle">{def.title}</span> : null}
        {node.mode !== 'normal' ? <span className="wnode-mode">{node.mode}</span> : null}
        {compact ? null : <NodeModeButtons id={id} mode={node.mode} />}
      </div>
      <div className="wnode-body">
        {ports.outputs.map((p) => (
          <PortRow key={`o-${p.name}`} port={p} kind="output" compact={compact} />
        ))}
        {ports.inputs.map((p) => (
          <PortRow key={`i-${p.name}`} port={p} kind="input" compact={compact} />
        ))}
        {compact && keyFields.length ? (
          <KeyParams
            nodeId={id}
            fields={keyFields}
            values={node.params}
            problems={Object.fromEntries(keyFields.map((f) => [f.key, paramProblem(def, f.key, node.params[f.key] ?? f.default)]))}
            onChange={onParam}
          />
        ) : null}
        {!compact && fields.length ? (
          <div className="wnode-params">
            {fields.map((f) => {
              const value = node.params[f.key] ?? f.default;
              return (
                <ParamWidget
                  key={f.key}
                  nodeId={id}
                  field={f}
                  value={value}
                  problem={paramProblem(def, f.key, value)}
                  onChange={onParam}
                  wired={wired !== '' && wired.split(',').includes(f.key)}
                />
              );
            })}
          </div>
        ) : null}
        {outValue !== undefined ? (
          <div className="wnode-output" data-testid="node-output">
            {imagesOf(outValue).length ? <ImageOutputView nodeId={id} value={outValue} /> : <ValueView value={outValue} compact />}
          </div>
        ) : null}
        {!compact && toConnect.length ? (
          <div className="wnode-to-connect" data-testid="node-to-connect">
            Connect{' '}
            {toConnect.map((n, i) => (
              <span key={n}>
                {i ? ', ' : ''}
                <button
                  type="button"
                  className="to-connect-port nodrag"
                  title={`Add a node that gives '${n}', wired in`}
                  data-testid={`to-connect-${n}`}
                  onClick={(e) => askSuggestions({ nodeId: id, port: n, screen: { x: e.clientX, y: e.clientY } })}
                >
                  &apos;{n}&apos;
                </button>
              </span>
            ))}
          </div>
        ) : null}
        {!compact && issues?.length ? (
          <div className="wnode-issues">
            {issues.slice(0, 2).map((i, k) => (
              <div key={k} className={`issue-line sev-${i.severity}`}>
                {i.message}
              </div>
            ))}
          </div>
        ) : null}
      </div>
      {/* Zoomed out, the scrubber is hidden and the badge keeps showing the live preview. */}
      {run ? <RunBadge run={run} scrubberShown={!!run.steps && !def.zoneRole && !compact} /> : null}
      {run?.steps && !def.zoneRole && !compact ? <StepScrubber nodeId={id} variant="node" /> : null}
    </div>
  );
}

const PortRow = memo(function PortRow({ port, kind, compact = false }: { port: PortSpec; kind: 'input' | 'output'; compact?: boolean }) {
  const colour = portColour(port.type);
  const label = port.label ?? port.name;
  const typeLabel = portTypeLabel(port.type);
  return (
    <div className={`port-row port-${kind}`} title={`${label}: ${typeLabel}${port.optional && kind === 'input' ? ' (optional)' : ''}${port.description ? ` — ${port.description}` : ''}`}>
      <Handle
        type={kind === 'input' ? 'target' : 'source'}
        position={kind === 'input' ? Position.Left : Position.Right}
        id={port.name}
        className="port-handle"
        style={{ background: colour, borderColor: colour }}
        data-testid={`handle-${kind}-${port.name}`}
      />
      <span className="port-label">
        {label}
        {port.optional && kind === 'input' ? <span className="port-optional">?</span> : null}
      </span>
      {compact ? null : (
        <span className="port-type" style={{ color: colour }}>
          {typeLabel}
        </span>
      )}
    </div>
  );
});

/** A node whose type is not installed: inert and grey, its data kept as it is. */
function UnknownNodeView({ node, selected }: { node: GraphNode; selected: boolean }) {
  const edges = useEditor((s) => s.graph.edges);
  const { inputs, outputs } = useMemo(() => {
    const ins = new Set<string>();
    const outs = new Set<string>();
    for (const e of edges) {
      if (e.to.node === node.id) ins.add(e.to.port);
      if (e.from.node === node.id) outs.add(e.from.port);
    }
    return { inputs: [...ins], outputs: [...outs] };
  }, [edges, node.id]);
  return (
    <div className={`wnode wnode-unknown${selected ? ' selected' : ''}`} data-testid={`node-${node.id}`} data-type={node.type}>
      <div className="wnode-header">
        <span className="wnode-title">{node.label || 'Unknown node'}</span>
      </div>
      <div className="wnode-body">
        <div className="unknown-note">
          Type <code>{node.type}</code> v{node.typeVersion} is not installed. The node is kept unchanged and does not run.
        </div>
        {outputs.map((p) => (
          <PortRow key={`o-${p}`} port={{ name: p, type: 'any' }} kind="output" />
        ))}
        {inputs.map((p) => (
          <PortRow key={`i-${p}`} port={{ name: p, type: 'any' }} kind="input" />
        ))}
      </div>
    </div>
  );
}

const NONE: readonly GraphIssue[] = [];

/** A node's issues, with the inputs still to connect taken out while the user is building. */
export function splitToConnect(issues: readonly GraphIssue[] | undefined, building: boolean): { issues: readonly GraphIssue[]; toConnect: string[] } {
  if (!issues?.length) return { issues: NONE, toConnect: [] };
  if (!building) return { issues, toConnect: [] };
  const toConnect: string[] = [];
  const rest: GraphIssue[] = [];
  for (const i of issues) {
    const m = i.code === 'missing_input' ? /required input '([^']+)'/.exec(i.message) : null;
    if (m) toConnect.push(m[1]);
    else rest.push(i);
  }
  return { issues: rest, toConnect };
}
