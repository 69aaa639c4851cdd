/**
 * Semantic colours, in one table. Colour only repeats what a symbol already
 * says, and disappears entirely under NO_COLOR.
 */
import type { LineKind } from '../plan/render/render.js';

export interface Tone {
  readonly color?: string;
  readonly bold?: boolean;
  readonly dimColor?: boolean;
}

const TONES: Record<LineKind | 'accent' | 'muted' | 'error' | 'success' | 'key', Tone> = {
  heading: { bold: true },
  add: { color: 'green' },
  change: { color: 'yellow' },
  remove: { color: 'red' },
  irreversible: { color: 'red', bold: true },
  warning: { color: 'yellow' },
  note: { dimColor: true },
  command: { color: 'cyan' },
  summary: { bold: true },
  plain: {},
  accent: { color: 'cyan', bold: true },
  muted: { dimColor: true },
  error: { color: 'red', bold: true },
  success: { color: 'green', bold: true },
  key: { bold: true },
};

export type ToneName = keyof typeof TONES;

export function colourAllowed(env = process.env): boolean {
  return !('NO_COLOR' in env && env.NO_COLOR !== '');
}

export function tone(name: ToneName): Tone {
  const entry = TONES[name];
  if (colourAllowed() || !entry.color) return entry;
  const { color: _color, ...rest } = entry;
  return rest;
}
