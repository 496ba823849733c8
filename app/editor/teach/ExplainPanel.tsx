'use client';
import { memo, useMemo } from 'react';
import type { GraphNode } from '@/engine/graph/document';
import type { NodeDefinition } from '@/engine/nodeDefinition';
import type { PortSpec } from '@/engine/types/portTypes';
import { portColour, portTypeLabel } from '../canvas/theme';
import { SeriesPlot } from './SeriesPlot';
import './teach.css';

/**
 * A node explained from its definition: what it computes and why, the maths, its inputs and
 * outputs with their types, and a chart where the definition draws one from its params.
 */
export const ExplainPanel = memo(function ExplainPanel({ def, node, ports }: { def: NodeDefinition; node: GraphNode; ports: { inputs: readonly PortSpec[]; outputs: readonly PortSpec[] } }) {
  const chart = useMemo(() => {
    if (!def.explainChart) return undefined;
    const parsed = def.params.safeParse(node.params);
    if (!parsed.success) return { error: 'the parameters are not valid, so there is nothing to plot' };
    return def.explainChart(parsed.data);
  }, [def, node.params]);
  return (
    <div className="explain" data-testid="explain-panel">
      <p>{def.explain ?? def.description}</p>
      {def.maths ? <div className="explain-maths">{def.maths}</div> : null}
      {chart ? (
        'error' in chart ? (
          <p className="muted small">{chart.error}</p>
        ) : (
          <div>
            <div className="explain-chart-title">{chart.title}</div>
            <SeriesPlot chart={chart} />
            {chart.caption ? <div className="explain-caption">{chart.caption}</div> : null}
          </div>
        )
      ) : null}
      <PortList title="In" ports={ports.inputs} />
      <PortList title="Out" ports={ports.outputs} />
    </div>
  );
});

function PortList({ title, ports }: { title: string; ports: readonly PortSpec[] }) {
  if (!ports.length) return null;
  return (
    <div className="explain-ports">
      {ports.map((p) => (
        <PortLine key={p.name} dir={title} port={p} />
      ))}
    </div>
  );
}

function PortLine({ dir, port }: { dir: string; port: PortSpec }) {
  return (
    <>
      <span className="dir">{dir}</span>
      <span>{port.label ?? port.name}</span>
      <span style={{ color: portColour(port.type) }}>
        {portTypeLabel(port.type)}
        {port.optional && dir === 'In' ? ' · optional' : ''}
      </span>
      {port.description ? <span className="desc">{port.description}</span> : null}
    </>
  );
}
