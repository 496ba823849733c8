import { PORT_TYPE_COLOURS, PORT_TYPE_LABELS, PortTypeSchema, type PortType } from '@/engine/types/portTypes';

const CATEGORY_COLOURS: Record<string, string> = {
  Values: '#4f7cff',
  Math: '#2fb5a3',
  Text: '#7ec16e',
  Tensors: '#3fa7d6',
  Output: '#e0a03a',
  Flow: '#a070e8',
  Debug: '#8b8f98',
};

const FALLBACK = ['#d9668f', '#5ec2b7', '#c99a4a', '#7f8cff', '#b06fd8', '#5aa9e6', '#8fbf5a'];

/** A stable colour per palette category; new categories get one from a fixed list. */
export function categoryColour(category: string): string {
  const known = CATEGORY_COLOURS[category];
  if (known) return known;
  let h = 0;
  for (let i = 0; i < category.length; i++) h = (h * 31 + category.charCodeAt(i)) >>> 0;
  return FALLBACK[h % FALLBACK.length];
}

export function portColour(type: string): string {
  const t = PortTypeSchema.safeParse(type);
  return t.success ? PORT_TYPE_COLOURS[t.data] : '#9aa4b2';
}

export function portTypeLabel(type: string): string {
  const t = PortTypeSchema.safeParse(type);
  return t.success ? PORT_TYPE_LABELS[t.data as PortType] : type;
}

const SHORT: Record<string, string> = {
  'integer→number': 'int→num',
  'seed→integer': 'seed→int',
  'integer→seed': 'int→seed',
  'seed→number': 'seed→num',
};

export function coercionLabel(c: string): string {
  return SHORT[c] ?? c;
}
