'use client';
import { memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import * as storage from '@/app/storage/db';
import { registry } from '@/nodes';
import { useController } from '../EditorContext';
import { usageBySource } from './modelUsage';
import type { ModelRole } from '@/ml/runtime/types';
import type { FolderEntry, StoreResult, StoredModel } from '@/workers/modelStore';
import { useMl, useMlController } from '../useMl';
import { formatBytes } from '../files/fileData';
import '../ml.css';
import '../comfort.css';
import { useEscape } from './useEscape';

const ROLES: readonly ModelRole[] = ['unet', 'textEncoder', 'vae', 'vaeEncoder', 'reward', 'detector', 'tokenizer', 'other'];

interface ShippedFile {
  file: string;
  size: number;
  sha256: string;
}

/** Whether the dialog is open; other parts of the editor open it (a graph that lacks a model). */
let dialogOpen = false;
const openListeners = new Set<() => void>();
function setDialogOpen(open: boolean): void {
  dialogOpen = open;
  for (const l of openListeners) l();
}
export function openModelsDialog(): void {
  setDialogOpen(true);
}
const subscribeOpen = (l: () => void) => {
  openListeners.add(l);
  return () => openListeners.delete(l);
};

/** The "Models" button and the dialog it opens. */
export const ModelsButton = memo(function ModelsButton() {
  const open = useSyncExternalStore(subscribeOpen, () => dialogOpen, () => false);
  const setOpen = setDialogOpen;
  return (
    <>
      <button type="button" className="btn ghost" onClick={() => setOpen(true)} data-testid="models-button" title="Shipped and imported models, storage">
        Models
      </button>
      {open ? <ModelsDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
});

type Progress = { label: string; loaded: number; total?: number } | null;

function ModelsDialog({ onClose }: { onClose: () => void }) {
  const ml = useMlController();
  const models = useMl((s) => s.models);
  const modelsError = useMl((s) => s.modelsError);
  const [shipped, setShipped] = useState<ShippedFile[] | string | null>(null);
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | null | undefined>(undefined);
  const [persisted, setPersisted] = useState<'granted' | 'denied' | 'unsupported' | null>(null);
  const [progress, setProgress] = useState<Progress>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  const refreshEstimate = useCallback(async () => {
    const e = await ml.engine?.models.estimate().catch(() => undefined);
    setEstimate(e ?? null);
  }, [ml]);

  useEffect(() => {
    void ml.refreshModels();
    void refreshEstimate();
    fetch('/models/shapes-v1/manifest.json')
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((m: { files?: ShippedFile[] }) => setShipped(m.files ?? []))
      .catch((err) => setShipped(`The shipped suite's manifest could not be read: ${String(err)}`));
    // Persistent storage keeps imported models from being evicted when the disk fills.
    if (navigator.storage?.persist) {
      navigator.storage
        .persisted()
        .then((already) => already || navigator.storage.persist())
        .then((ok) => setPersisted(ok ? 'granted' : 'denied'))
        .catch(() => setPersisted('denied'));
    } else setPersisted('unsupported');
  }, [ml, refreshEstimate]);

  useEscape(progress ? null : onClose);

  const runImport = async (label: string, work: (onProgress: (loaded: number, total?: number) => void) => Promise<StoreResult<StoredModel>>) => {
    setMessage(null);
    setProgress({ label, loaded: 0 });
    let result: StoreResult<StoredModel>;
    // Progress comes from the worker as messages of its own: one may land after the import has
    // answered, and must not put the dialog back into its busy state.
    let finished = false;
    try {
      result = await work((loaded, total) => !finished && setProgress({ label, loaded, total }));
    } catch (err) {
      result = { ok: false, code: 'worker_error', message: err instanceof Error ? err.message : String(err) };
    }
    finished = true;
    setProgress(null);
    setMessage(result.ok ? { kind: 'ok', text: `Imported ${result.value.name} (${formatBytes(result.value.totalBytes)}).` } : { kind: 'error', text: result.message });
    await ml.refreshModels();
    await refreshEstimate();
  };

  const usage = useModelUsage();
  const ctrl = useController();
  const openGraph = (id: string) => {
    onClose();
    void ctrl.openLibraryGraph(id);
  };
  const engine = ml.engine;
  const busy = progress !== null;
  const shippedBytes = Array.isArray(shipped) ? shipped.reduce((a, f) => a + f.size, 0) : 0;

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div className="modal modal-wide models-dialog" role="dialog" aria-modal="true" aria-labelledby="models-title" data-testid="models-dialog">
        <div className="modal-head">
          <h2 id="models-title">Models</h2>
          <span className="spacer" />
          <StorageLine estimate={estimate} persisted={persisted} />
        </div>
        <div className="models-scroll">
          <section>
            <h3>Imported</h3>
            {modelsError ? <div className="models-error" role="alert">{modelsError}</div> : null}
            {models === null ? (
              <p className="muted">Reading the library…</p>
            ) : models.length === 0 ? (
              <p className="muted" data-testid="models-empty">No imported models yet. Import an .onnx file, a diffusers-style ONNX folder, a language model folder or a URL below.</p>
            ) : (
              <table className="models-table" data-testid="models-list">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Kind</th>
                    <th>Size</th>
                    <th>Origin</th>
                    <th>sha256</th>
                    <th>Used by</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {models.map((m) => (
                    <tr key={m.id} data-testid="model-row" data-model-id={m.id}>
                      <td title={`store:${m.id}`}>{m.name}</td>
                      <td>{m.kind === 'file' ? m.role ?? 'file' : m.kind === 'lora' ? `LoRA · ${m.files[0]?.path}` : `folder · ${m.files.length} files`}</td>
                      <td>{formatBytes(m.totalBytes)}</td>
                      <td title={m.origin}>{m.origin}</td>
                      <td className="mono" title={m.files.map((f) => `${f.path} ${f.sha256}`).join('\n')}>
                        {m.files[0]?.sha256.slice(0, 12)}
                      </td>
                      <td className="models-used">
                        <UsedBy graphs={usage?.get(`store:${m.id}`)} loading={usage === null} onOpen={openGraph} />
                      </td>
                      <td className="models-actions">
                        {confirmDelete === m.id ? (
                          <>
                            <button
                              type="button"
                              className="btn small danger"
                              data-testid="model-delete-confirm"
                              onClick={async () => {
                                setConfirmDelete(null);
                                await engine?.models.delete(m.id);
                                setMessage({ kind: 'ok', text: `Deleted ${m.name}.` });
                                await ml.refreshModels();
                                await refreshEstimate();
                              }}
                            >
                              Delete
                            </button>
                            <button type="button" className="btn small ghost" onClick={() => setConfirmDelete(null)}>
                              Keep
                            </button>
                          </>
                        ) : (
                          <button type="button" className="btn small ghost" data-testid="model-delete" onClick={() => setConfirmDelete(m.id)} disabled={busy}>
                            Delete…
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section>
            <h3>Import</h3>
            <ImportForms
              disabled={busy || !engine}
              onFile={(file, role) => void runImport(file.name, (p) => engine!.models.importFile(file, role, p))}
              onFolder={(entries, name) => void runImport(name, (p) => engine!.models.importFolder(entries, p))}
              onUrl={(url, role) => void runImport(url, (p) => engine!.models.importUrl(url, role, p))}
            />
            {progress ? <ProgressBar progress={progress} /> : null}
            {message ? (
              <div className={message.kind === 'error' ? 'models-error' : 'models-ok'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid={message.kind === 'error' ? 'models-import-error' : 'models-import-ok'}>
                {message.text}
              </div>
            ) : null}
          </section>
          <section>
            <h3>
              Shipped: shapes-v1 <span className="muted">{Array.isArray(shipped) ? `· ${shipped.length} files · ${formatBytes(shippedBytes)} · source shipped:shapes-v1` : ''}</span>
            </h3>
            <p className="models-used-line" data-testid="shipped-used-by">
              <span className="muted">Used by </span>
              <UsedBy graphs={usage?.get('shipped:shapes-v1')} loading={usage === null} onOpen={openGraph} />
            </p>
            {typeof shipped === 'string' ? (
              <div className="models-error">{shipped}</div>
            ) : shipped === null ? (
              <p className="muted">Reading the manifest…</p>
            ) : (
              <table className="models-table shipped-table" data-testid="shipped-list">
                <tbody>
                  {shipped.map((f) => (
                    <tr key={f.file}>
                      <td className="mono">{f.file}</td>
                      <td>{formatBytes(f.size)}</td>
                      <td className="mono" title={f.sha256}>
                        {f.sha256.slice(0, 12)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
        <div className="modal-actions">
          <button type="button" className="btn primary" onClick={onClose} disabled={busy} data-testid="models-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/** For each model source, the library graphs whose load nodes name it (read once per opening). */
function useModelUsage(): Map<string, { id: string; title: string }[]> | null {
  const ctrl = useController();
  const [usage, setUsage] = useState<Map<string, { id: string; title: string }[]> | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      // The open graph's latest edits count too.
      await ctrl.saveNow();
      const graphs = await ctrl.guardStorage(async () => {
        const out: storage.StoredGraph[] = [];
        for (const summary of await storage.listGraphs()) {
          const stored = await storage.loadGraph(summary.id);
          if (stored) out.push(stored.entry);
        }
        return out;
      });
      if (live) setUsage(usageBySource(graphs ?? [], registry));
    })();
    return () => {
      live = false;
    };
  }, [ctrl]);
  return usage;
}

function UsedBy({ graphs, loading, onOpen }: { graphs: { id: string; title: string }[] | undefined; loading: boolean; onOpen: (id: string) => void }) {
  const shown = useMemo(() => (graphs ?? []).slice(0, 3), [graphs]);
  if (loading) return <span className="muted">…</span>;
  if (!graphs?.length) return <span className="muted" data-testid="used-by-none">no graph in the library</span>;
  return (
    <span className="used-by" data-testid="used-by" title={graphs.map((g) => g.title).join('\n')}>
      {shown.map((g, i) => (
        <span key={g.id}>
          {i ? ', ' : ''}
          <button type="button" className="link" onClick={() => onOpen(g.id)} title={`Open “${g.title}”`}>
            {g.title}
          </button>
        </span>
      ))}
      {graphs.length > shown.length ? <span className="muted"> +{graphs.length - shown.length} more</span> : null}
    </span>
  );
}

function StorageLine({ estimate, persisted }: { estimate: { usage: number; quota: number } | null | undefined; persisted: string | null }) {
  return (
    <div className="storage-line" data-testid="storage-line">
      <span data-testid="storage-estimate">
        {estimate === undefined ? 'Storage…' : estimate === null ? 'Storage use unknown' : `Storage: ${formatBytes(estimate.usage)} used of ${formatBytes(estimate.quota)}`}
      </span>
      <span className={`persist persist-${persisted ?? 'pending'}`} data-testid="storage-persist" title="Persistent storage keeps imported models from being cleared when the disk fills">
        {persisted === 'granted' ? 'persistent: granted' : persisted === 'denied' ? 'persistent: not granted (the browser may clear models when space runs low)' : persisted === 'unsupported' ? 'persistent: not supported' : 'asking for persistent storage…'}
      </span>
    </div>
  );
}

function ProgressBar({ progress }: { progress: NonNullable<Progress> }) {
  const frac = progress.total ? Math.min(1, progress.loaded / progress.total) : undefined;
  return (
    <div className="import-progress" data-testid="import-progress">
      <div className="import-progress-text">
        Importing {progress.label} · {formatBytes(progress.loaded)}
        {progress.total ? ` of ${formatBytes(progress.total)}` : ''}
      </div>
      <div className="import-progress-track">
        <div className={`import-progress-bar${frac === undefined ? ' indeterminate' : ''}`} style={frac === undefined ? undefined : { width: `${Math.round(frac * 100)}%` }} />
      </div>
    </div>
  );
}

function ImportForms({
  disabled,
  onFile,
  onFolder,
  onUrl,
}: {
  disabled: boolean;
  onFile: (file: File, role: ModelRole) => void;
  onFolder: (entries: FolderEntry[], name: string) => void;
  onUrl: (url: string, role: ModelRole) => void;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [fileRole, setFileRole] = useState<ModelRole>('unet');
  const [url, setUrl] = useState('');
  const [urlRole, setUrlRole] = useState<ModelRole>('unet');
  const urlOk = /^https?:\/\/\S+$/.test(url.trim());
  useEffect(() => {
    // React does not pass the non-standard attribute through as a boolean prop.
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);
  return (
    <div className="import-forms">
      <div className="import-row">
        <span className="import-kind">File</span>
        <label className="muted" htmlFor="import-role">
          role
        </label>
        <RoleSelect id="import-role" value={fileRole} onChange={setFileRole} testId="import-file-role" />
        <button type="button" className="btn" disabled={disabled} onClick={() => fileInput.current?.click()} data-testid="import-file-button">
          Choose .onnx or LoRA file…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".onnx,.safetensors,application/octet-stream"
          hidden
          data-testid="import-file-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) onFile(f, fileRole);
          }}
        />
      </div>
      <div className="import-row">
        <span className="import-kind">Folder</span>
        <span className="muted">a diffusers-style ONNX export (model_index.json at its top), or a language model export (config.json, tokenizer.json, onnx/model.onnx)</span>
        <button type="button" className="btn" disabled={disabled} onClick={() => folderInput.current?.click()} data-testid="import-folder-button">
          Choose folder…
        </button>
        <input
          ref={folderInput}
          type="file"
          multiple
          hidden
          data-testid="import-folder-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            if (!files.length) return;
            const top = (files[0].webkitRelativePath || files[0].name).split('/')[0];
            const entries = files.map((file) => ({ path: (file.webkitRelativePath || file.name).split('/').slice(1).join('/') || file.name, file }));
            onFolder(entries, top);
          }}
        />
      </div>
      <form
        className="import-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (urlOk && !disabled) onUrl(url.trim(), urlRole);
        }}
      >
        <span className="import-kind">URL</span>
        <input type="text" className="import-url" placeholder="https://…/model.onnx or a folder URL with model_index.json" value={url} onChange={(e) => setUrl(e.target.value)} data-testid="import-url" />
        <RoleSelect id="import-url-role" value={urlRole} onChange={setUrlRole} testId="import-url-role" />
        <button type="submit" className="btn" disabled={disabled || !urlOk} data-testid="import-url-button" title="Downloads only when you press Import">
          Import
        </button>
      </form>
    </div>
  );
}

function RoleSelect({ id, value, onChange, testId }: { id: string; value: ModelRole; onChange: (r: ModelRole) => void; testId: string }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as ModelRole)} data-testid={testId} title="The role the model plays">
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}
