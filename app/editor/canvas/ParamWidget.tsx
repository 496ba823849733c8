'use client';
import { memo, useEffect, useState } from 'react';
import { rangeInWords, type ParamField } from './paramFields';
import { ImageFileInput, ModelSourceInput, NpyFileInput } from './FileParamWidgets';

interface Props {
  field: ParamField;
  value: unknown;
  /** Problem with the current value, from the schema. */
  problem?: string;
  onChange: (key: string, value: unknown) => void;
  /** Node id, for unique ids and test selectors. */
  nodeId: string;
  /** An input of the same name is connected, so the wire's value is used instead. */
  wired?: boolean;
}

/** One parameter widget, chosen from the parameter's schema type. */
export const ParamWidget = memo(function ParamWidget({ field, value, problem, onChange, nodeId, wired = false }: Props) {
  const id = `p-${nodeId}-${field.key}`;
  const testId = `param-${nodeId}-${field.key}`;
  const cls = `param${problem ? ' param-invalid' : ''}${wired ? ' param-wired' : ''}`;
  const title = problem ? `${field.label}: ${problem}` : wired ? `${field.label}: the connected input '${field.key}' is used instead` : field.label;

  if (field.kind === 'boolean') {
    return (
      <label className={`${cls} param-check nodrag`} title={title}>
        <input
          type="checkbox"
          data-testid={testId}
          checked={value === true}
          onChange={(e) => onChange(field.key, e.target.checked)}
        />
        <span>{field.label}</span>
      </label>
    );
  }

  return (
    <div className={cls} title={title}>
      <label htmlFor={id} className="param-label">
        {field.label}
        {wired ? <span className="param-wired-note">from wire</span> : null}
      </label>
      {field.kind === 'enum' ? (
        <select
          id={id}
          data-testid={testId}
          className="nodrag"
          value={String(value ?? field.default ?? '')}
          onChange={(e) => onChange(field.key, e.target.value)}
        >
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : field.kind === 'number' ? (
        <NumberInput id={id} testId={testId} label={field.label} value={value} integer={field.integer} min={field.min} max={field.max} onCommit={(v) => onChange(field.key, v)} />
      ) : field.kind === 'seed' ? (
        <div className="param-seed">
          <NumberInput id={id} testId={testId} label={field.label} value={value} integer min={0} max={field.max} onCommit={(v) => onChange(field.key, v)} />
          <button
            type="button"
            className="icon-button nodrag"
            title="New random seed"
            data-testid={`${testId}-dice`}
            onClick={() => onChange(field.key, Math.floor(Math.random() * 2 ** 32))}
          >
            ⚄
          </button>
        </div>
      ) : field.kind === 'text' ? (
        <TextInput id={id} testId={testId} value={value} multiline={field.multiline} maxLength={field.maxLength} onCommit={(v) => onChange(field.key, v)} />
      ) : field.kind === 'modelSource' ? (
        <ModelSourceInput id={id} testId={testId} value={value} onCommit={(v) => onChange(field.key, v)} />
      ) : field.kind === 'imageFile' ? (
        <ImageFileInput id={id} testId={testId} value={value} onCommit={(v) => onChange(field.key, v)} />
      ) : field.kind === 'npyFile' ? (
        <NpyFileInput id={id} testId={testId} value={value} onCommit={(v) => onChange(field.key, v)} />
      ) : field.kind === 'list' ? (
        <ListInput id={id} testId={testId} value={value} itemKind={field.itemKind} onCommit={(v) => onChange(field.key, v)} />
      ) : (
        <JsonInput id={id} testId={testId} value={value} onCommit={(v) => onChange(field.key, v)} />
      )}
      {problem ? <div className="param-problem">{problem}</div> : null}
    </div>
  );
});

/** Keeps the typed text while it is not (yet) a valid value; commits every valid edit. */
function useDraft(value: unknown, format: (v: unknown) => string) {
  const [text, setText] = useState(() => format(value));
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    if (!focused) setText(format(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, focused]);
  return { text, setText, focused, setFocused };
}

/**
 * A number field that takes only what its param accepts: while the typed text is out of range
 * (or not a number) nothing is committed and the field says what it takes; leaving the field
 * puts back the value in force.
 */
function NumberInput(props: { id: string; testId: string; label: string; value: unknown; integer: boolean; min?: number; max?: number; onCommit: (v: number) => void }) {
  const { text, setText, focused, setFocused } = useDraft(props.value, (v) => (typeof v === 'number' ? String(v) : ''));
  const accepts = (n: number) => Number.isFinite(n) && (!props.integer || Number.isInteger(n)) && (props.min === undefined || n >= props.min) && (props.max === undefined || n <= props.max);
  const parsed = text.trim() === '' ? NaN : Number(text);
  const ok = accepts(parsed);
  return (
    <>
      <input
        id={props.id}
        data-testid={props.testId}
        className={`nodrag${ok ? '' : ' input-invalid'}`}
        type="number"
        inputMode={props.integer ? 'numeric' : 'decimal'}
        step={props.integer ? 1 : 'any'}
        min={props.min}
        max={props.max}
        value={text}
        title={`${props.label}: ${rangeInWords(props.integer, props.min, props.max)}`}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        onChange={(e) => {
          setText(e.target.value);
          const n = e.target.value.trim() === '' ? NaN : Number(e.target.value);
          if (accepts(n)) props.onCommit(n);
        }}
      />
      {focused && !ok ? (
        <div className="param-problem" data-testid={`${props.testId}-range`}>
          {props.label} takes {rangeInWords(props.integer, props.min, props.max)}; it stays {typeof props.value === 'number' ? props.value : 'unset'}.
        </div>
      ) : null}
    </>
  );
}

function TextInput(props: { id: string; testId: string; value: unknown; multiline: boolean; maxLength?: number; onCommit: (v: string) => void }) {
  const v = typeof props.value === 'string' ? props.value : '';
  return props.multiline ? (
    <textarea
      id={props.id}
      data-testid={props.testId}
      className="nodrag nowheel"
      rows={3}
      maxLength={props.maxLength}
      value={v}
      onChange={(e) => props.onCommit(e.target.value)}
    />
  ) : (
    <input id={props.id} data-testid={props.testId} className="nodrag" type="text" maxLength={props.maxLength} value={v} onChange={(e) => props.onCommit(e.target.value)} />
  );
}

function ListInput(props: { id: string; testId: string; value: unknown; itemKind: 'number' | 'integer' | 'string'; onCommit: (v: unknown[]) => void }) {
  const { text, setText, setFocused } = useDraft(props.value, (v) => (Array.isArray(v) ? v.join(', ') : ''));
  const parse = (s: string): unknown[] | undefined => {
    const parts = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (props.itemKind === 'string') return parts;
    const nums = parts.map(Number);
    if (nums.some((n) => !Number.isFinite(n) || (props.itemKind === 'integer' && !Number.isInteger(n)))) return undefined;
    return nums;
  };
  const ok = parse(text) !== undefined;
  return (
    <input
      id={props.id}
      data-testid={props.testId}
      className={`nodrag${ok ? '' : ' input-invalid'}`}
      type="text"
      value={text}
      placeholder="comma, separated"
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
      onChange={(e) => {
        setText(e.target.value);
        const list = parse(e.target.value);
        if (list) props.onCommit(list);
      }}
    />
  );
}

function JsonInput(props: { id: string; testId: string; value: unknown; onCommit: (v: unknown) => void }) {
  const { text, setText, setFocused } = useDraft(props.value, (v) => JSON.stringify(v ?? null));
  let ok = true;
  try {
    JSON.parse(text);
  } catch {
    ok = false;
  }
  return (
    <input
      id={props.id}
      data-testid={props.testId}
      className={`nodrag mono${ok ? '' : ' input-invalid'}`}
      type="text"
      value={text}
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
      onChange={(e) => {
        setText(e.target.value);
        try {
          props.onCommit(JSON.parse(e.target.value));
        } catch {
          // keep the draft until it parses
        }
      }}
    />
  );
}
