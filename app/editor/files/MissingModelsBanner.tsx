'use client';
import { memo, useEffect, useMemo, useState } from 'react';
import type { Command } from '@/engine/commands/history';
import { registry } from '@/nodes';
import { useController, useEditor } from '../EditorContext';
import { useMl, useMlController } from '../useMl';
import { missingModels, modelReferences, type ModelReference } from '../dialogs/modelUsage';
import { openModelsDialog } from '../dialogs/ModelsDialog';
import { formatBytes } from './fileData';
import '../comfort.css';

const LORA_NODE = 'models.loadLora';

/** Points every reference to `from` at `to`, as one edit; a LoRA node also takes the stored file's name. */
function replaceSource(refs: readonly ModelReference[], to: string, name: string, loraFile?: string): Command {
  return {
    name: `Use ${name}`,
    recipe: (g) => {
      for (const r of refs) {
        const n = g.nodes.find((x) => x.id === r.nodeId);
        if (!n) continue;
        n.params[r.param] = to;
        if (loraFile && r.nodeType === LORA_NODE) n.params.path = loraFile;
      }
    },
  };
}

/**
 * Says when the open graph names an imported model this browser does not have (on open, after
 * a failed run), and offers to import it or to use a model that is here instead.
 */
export const MissingModelsBanner = memo(function MissingModelsBanner() {
  const ctrl = useController();
  const ml = useMlController();
  const graph = useEditor((s) => s.graph);
  const docId = useEditor((s) => s.docId);
  const runStatus = useEditor((s) => s.run.status);
  const models = useMl((s) => s.models);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());

  // A failed run may be a model deleted meanwhile (in another tab): list the models again.
  useEffect(() => {
    if (runStatus === 'error') void ml.refreshModels();
  }, [runStatus, ml]);

  const missing = useMemo(() => {
    if (!models) return [];
    const bySource = new Map<string, ModelReference[]>();
    for (const r of missingModels(modelReferences(graph, registry), new Set(models.map((m) => m.id)))) {
      bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
    }
    return [...bySource].filter(([source]) => !dismissed.has(`${docId}:${source}`));
  }, [graph, models, dismissed, docId]);

  if (!missing.length || !models) return null;
  const [source, refs] = missing[0];
  const nodes = refs.map((r) => `${r.nodeTitle} (${r.nodeId})`).join(', ');
  // The shipped model these nodes default to, when they all have the same one.
  const shipped = refs.every((r) => r.shipped && r.shipped === refs[0].shipped) ? refs[0].shipped : undefined;
  // A LoRA node is offered the LoRAs here; every other model node the models.
  const wantsLora = refs.every((r) => r.nodeType === LORA_NODE);
  const offered = models.filter((m) => (m.kind === 'lora') === wantsLora);
  return (
    <div className="banner banner-warning" role="alert" data-testid="missing-model">
      <span>
        This graph needs the imported model <code>{source}</code>, which is not in this browser (used by {nodes}). Import it in Models, or choose a model that is here.
        {missing.length > 1 ? ` ${missing.length - 1} more model${missing.length === 2 ? ' is' : 's are'} missing too.` : ''}
      </span>
      {offered.length || shipped ? (
        <select
          value=""
          aria-label="Use a model that is here instead"
          data-testid="missing-model-replace"
          onChange={(e) => {
            if (shipped && e.target.value === shipped) return ctrl.apply(replaceSource(refs, shipped, shipped.slice('shipped:'.length)));
            const m = offered.find((x) => x.id === e.target.value);
            if (m) ctrl.apply(replaceSource(refs, `store:${m.id}`, m.name, m.kind === 'lora' ? m.files[0]?.path : undefined));
          }}
        >
          <option value="">Use a model that is here…</option>
          {shipped ? <option value={shipped}>{shipped.slice('shipped:'.length)} · shipped with Weft</option> : null}
          {offered.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} · {m.kind === 'folder' ? 'folder' : m.kind === 'lora' ? 'LoRA' : m.role ?? 'file'} · {formatBytes(m.totalBytes)}
            </option>
          ))}
        </select>
      ) : null}
      <button type="button" className="btn small" onClick={openModelsDialog} data-testid="missing-model-import">
        Import model…
      </button>
      <button type="button" className="btn small ghost" onClick={() => setDismissed((d) => new Set([...d, `${docId}:${source}`]))}>
        Dismiss
      </button>
    </div>
  );
});
