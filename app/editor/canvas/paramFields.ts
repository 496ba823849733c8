import { z } from 'zod';
import type { NodeDefinition } from '@/engine/nodeDefinition';

/** One parameter as the UI sees it, read from the definition's zod schema (via JSON Schema). */
export type ParamField = ParamFieldKind & {
  /** Marked `key: true`: shown, and editable, on the node when it is drawn compact (zoomed out). */
  isKey?: boolean;
};

type ParamFieldKind =
  | { key: string; label: string; kind: 'number'; integer: boolean; min?: number; max?: number; default?: number }
  | { key: string; label: string; kind: 'seed'; default?: number; max?: number }
  | { key: string; label: string; kind: 'enum'; options: string[]; default?: string }
  | { key: string; label: string; kind: 'boolean'; default?: boolean }
  | { key: string; label: string; kind: 'text'; multiline: boolean; maxLength?: number; default?: string }
  | { key: string; label: string; kind: 'list'; itemKind: 'number' | 'integer' | 'string'; default?: unknown[] }
  | { key: string; label: string; kind: 'json'; default?: unknown }
  /** Strings picked rather than typed: a model source, an image file, a .npy file. */
  | { key: string; label: string; kind: 'modelSource' | 'imageFile' | 'npyFile'; default?: string };

interface JsonSchemaProp {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  maxLength?: number;
  default?: unknown;
  label?: string;
  widget?: string;
  /** A key param: shown (and editable) on the node when it is drawn compact (zoomed out). */
  key?: boolean;
  items?: JsonSchemaProp;
  anyOf?: JsonSchemaProp[];
}

const cache = new WeakMap<NodeDefinition, ParamField[]>();
/** The params a definition marks `key: true` (the prompt, steps, seed…), in its order. */
export function keyParamFields(def: NodeDefinition): ParamField[] {
  return paramFields(def).filter((f) => f.isKey);
}

const SAFE = Number.MAX_SAFE_INTEGER;

export function paramFields(def: NodeDefinition): ParamField[] {
  let fields = cache.get(def);
  if (fields) return fields;
  fields = [];
  let schema: { properties?: Record<string, JsonSchemaProp> };
  try {
    schema = z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }) as typeof schema;
  } catch {
    schema = {};
  }
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    const start = fields.length;
    const p = raw.anyOf?.find((a) => a.type !== 'null') ? { ...raw.anyOf.find((a) => a.type !== 'null'), ...raw, anyOf: undefined } : raw;
    const label = p.label ?? humanize(key);
    const type = Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type;
    const bound = (v: number | undefined) => (v === undefined || Math.abs(v) >= SAFE ? undefined : v);
    if (p.widget === 'seed') {
      fields.push({ key, label, kind: 'seed', default: p.default as number | undefined, max: bound(p.maximum) });
    } else if (type === 'string' && (p.widget === 'modelSource' || p.widget === 'imageFile' || p.widget === 'npyFile')) {
      fields.push({ key, label, kind: p.widget, default: p.default as string | undefined });
    } else if (p.enum) {
      fields.push({ key, label, kind: 'enum', options: p.enum.map(String), default: p.default as string | undefined });
    } else if (type === 'number' || type === 'integer') {
      fields.push({
        key,
        label,
        kind: 'number',
        integer: type === 'integer',
        min: bound(p.minimum ?? p.exclusiveMinimum),
        max: bound(p.maximum ?? p.exclusiveMaximum),
        default: p.default as number | undefined,
      });
    } else if (type === 'boolean') {
      fields.push({ key, label, kind: 'boolean', default: p.default as boolean | undefined });
    } else if (type === 'string') {
      fields.push({ key, label, kind: 'text', multiline: p.widget === 'textarea', maxLength: p.maxLength, default: p.default as string | undefined });
    } else if (type === 'array' && p.items && ['number', 'integer', 'string'].includes(String(p.items.type))) {
      fields.push({ key, label, kind: 'list', itemKind: p.items.type as 'number' | 'integer' | 'string', default: p.default as unknown[] | undefined });
    } else {
      fields.push({ key, label, kind: 'json', default: p.default });
    }
    if (p.key === true) for (const f of fields.slice(start)) f.isKey = true;
  }
  cache.set(def, fields);
  return fields;
}

/** "a whole number from 1 to 1000": what a number field takes, in words. */
export function rangeInWords(integer: boolean, min?: number, max?: number): string {
  const kind = integer ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind;
}

/** Checks one parameter value against the definition's schema; returns the problem, in words, or undefined. */
export function paramProblem(def: NodeDefinition, key: string, value: unknown): string | undefined {
  const schema = (def.params.shape as Record<string, z.ZodType | undefined>)[key];
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (r.success) return undefined;
  const field = paramFields(def).find((f) => f.key === key);
  if (field && (field.kind === 'number' || field.kind === 'seed') && typeof value === 'number') {
    const integer = field.kind === 'seed' || field.integer;
    return `${field.label} takes ${rangeInWords(integer, field.kind === 'seed' ? 0 : field.min, field.max)}; it is ${value}`;
  }
  return r.error.issues[0]?.message ?? 'invalid value';
}

function humanize(key: string): string {
  const s = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
