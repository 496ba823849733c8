'use client';
import { memo, useEffect, useRef, useState } from 'react';
import { useMl, useMlController } from '../useMl';
import { bytesToBase64, formatBytes, imageDataUrlOrNull, imageFileToPngDataUrl, MAX_NPY_BYTES } from '../files/fileData';
import '../ml.css';

interface FieldProps {
  id: string;
  testId: string;
  value: unknown;
  onCommit: (v: string) => void;
}

const SHIPPED = 'shipped:shapes-v1';
const CUSTOM = '__custom__';

/** A model source: the shipped suite, an imported model (store:<id>), or any source typed in. */
export const ModelSourceInput = memo(function ModelSourceInput({ id, testId, value, onCommit }: FieldProps) {
  const ml = useMlController();
  const models = useMl((s) => s.models);
  const current = typeof value === 'string' ? value : '';
  const known = current === SHIPPED || (models ?? []).some((m) => `store:${m.id}` === current);
  const [custom, setCustom] = useState(!known && current !== '');
  useEffect(() => {
    if (models === null) void ml.refreshModels();
  }, [ml, models]);
  const storedMissing = current.startsWith('store:') && models !== null && !known;
  return (
    <div className="source-field">
      <select
        id={id}
        data-testid={testId}
        className="nodrag"
        value={custom || !known ? CUSTOM : current}
        onChange={(e) => {
          if (e.target.value === CUSTOM) setCustom(true);
          else {
            setCustom(false);
            onCommit(e.target.value);
          }
        }}
      >
        <option value={SHIPPED}>Shipped: shapes-v1</option>
        {(models ?? []).map((m) => (
          <option key={m.id} value={`store:${m.id}`}>
            Imported: {m.name}
            {m.role && m.kind === 'file' ? ` (${m.role})` : ''}
          </option>
        ))}
        <option value={CUSTOM}>Other source…</option>
      </select>
      {custom || !known ? (
        <input
          type="text"
          className="nodrag mono"
          data-testid={`${testId}-text`}
          value={current}
          placeholder="store:<id>, url:https://…"
          onChange={(e) => onCommit(e.target.value)}
        />
      ) : null}
      {storedMissing ? <div className="param-problem">This imported model is not in this browser: import it in Models.</div> : null}
    </div>
  );
});

/** Picks a PNG/JPEG/WebP, keeps it in the param as a PNG data URL, shows a thumbnail. */
export const ImageFileInput = memo(function ImageFileInput({ id, testId, value, onCommit }: FieldProps) {
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const dataUrl = typeof value === 'string' ? value : '';
  const shown = imageDataUrlOrNull(dataUrl);
  return (
    <div className="file-field">
      <FilePicker
        id={id}
        testId={testId}
        what="image"
        accept="image/png,image/jpeg,image/webp"
        chosen={!!dataUrl}
        onClear={() => {
          onCommit('');
          setInfo(null);
        }}
        onFile={async (f) => {
          const r = await imageFileToPngDataUrl(f);
          if (!r.ok) {
            setError(`${f.name}: ${r.message}`);
            return;
          }
          setError(null);
          setInfo(`${f.name} · ${r.width}×${r.height}`);
          onCommit(r.dataUrl);
        }}
      />
      {dataUrl && shown ? (
        // eslint-disable-next-line @next/next/no-img-element
        <img className="file-thumb" src={shown} alt={info ?? 'chosen image'} data-testid={`${testId}-thumb`} />
      ) : null}
      {dataUrl && !shown ? (
        <div className="param-problem" data-testid={`${testId}-not-shown`}>
          This is not an image kept in the graph: it starts “<span className="mono">{dataUrl.slice(0, 40)}</span>”. It is not shown or fetched; choose a PNG to replace it.
        </div>
      ) : null}
      {info ? <div className="file-info muted">{info}</div> : null}
      {error ? <div className="param-problem">{error}</div> : null}
    </div>
  );
});

/** Picks a NumPy .npy file, kept in the param as base64 (no data: prefix). */
export const NpyFileInput = memo(function NpyFileInput({ id, testId, value, onCommit }: FieldProps) {
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  const data = typeof value === 'string' ? value : '';
  const bytes = data ? Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0) : 0;
  return (
    <div className="file-field">
      <FilePicker
        id={id}
        testId={testId}
        what=".npy"
        accept=".npy,application/octet-stream"
        chosen={!!data}
        onClear={() => {
          onCommit('');
          setName(null);
        }}
        onFile={async (f) => {
          if (f.size > MAX_NPY_BYTES) {
            setError(`${f.name} is ${formatBytes(f.size)}; a graph can hold up to ${formatBytes(MAX_NPY_BYTES)}: use the CLI's path parameter for larger tensors`);
            return;
          }
          const head = new Uint8Array(await f.slice(0, 6).arrayBuffer());
          if (head[0] !== 0x93 || String.fromCharCode(...head.subarray(1, 6)) !== 'NUMPY') {
            setError(`${f.name} is not a NumPy .npy file (it does not start with \\x93NUMPY)`);
            return;
          }
          setError(null);
          setName(f.name);
          onCommit(bytesToBase64(new Uint8Array(await f.arrayBuffer())));
        }}
      />
      {data ? (
        <div className="file-info muted mono" data-testid={`${testId}-info`}>
          {name ?? '.npy'} · {formatBytes(bytes)}
        </div>
      ) : null}
      {error ? <div className="param-problem">{error}</div> : null}
    </div>
  );
});

/** The Choose/Change and Clear buttons over a hidden file input; the widget handles the file. */
function FilePicker(props: { id: string; testId: string; what: string; accept: string; chosen: boolean; onClear: () => void; onFile: (f: File) => void | Promise<void> }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <div className="file-field-row">
        <button type="button" id={props.id} className="btn small nodrag" onClick={() => input.current?.click()} data-testid={`${props.testId}-pick`}>
          {props.chosen ? `Change ${props.what}…` : `Choose ${props.what}…`}
        </button>
        {props.chosen ? (
          <button type="button" className="btn small ghost nodrag" onClick={props.onClear} title="Remove the file">
            Clear
          </button>
        ) : null}
      </div>
      <input
        ref={input}
        type="file"
        accept={props.accept}
        hidden
        data-testid={props.testId}
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void props.onFile(f);
        }}
      />
    </>
  );
}
