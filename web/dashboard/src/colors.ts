// Colours of the sectors, statuses and green categories: distinct hues,
// dark enough for a white outline and for text on white (WCAG AA for large
// marks).
import type { ColorBy } from './filters';
import { greenCategories, sectors, statuses } from './filters';

const palette = [
  '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#5f6b6d', '#a68b00',
  '#17becf', '#ff7f0e', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#00796b',
];

function assign(values: readonly string[], overrides: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  values.forEach((v, i) => (out[v] = overrides[v] ?? palette[i % palette.length]!));
  return out;
}

export const sectorColor = assign(sectors);
export const statusColor = assign(statuses, {
  PIPELINE: '#7f7f7f',
  SIGNED: '#1f77b4',
  UNDER_CONSTRUCTION: '#ff7f0e',
  OPERATIONAL: '#2ca02c',
  COMPLETED: '#393b79',
  SUSPENDED: '#a68b00',
  CANCELLED: '#d62728',
});
export const greenColor = assign(greenCategories, {
  NONE: '#8a8a8a',
  RENEWABLE_ENERGY: '#2ca02c',
  ENERGY_EFFICIENCY: '#17becf',
  CLEAN_TRANSPORT: '#1f77b4',
  GREEN_MANUFACTURING: '#637939',
  COAL_POWER_UPGRADE: '#5f4b3a',
  ECOLOGICAL_PROTECTION: '#0b6e4f',
  OTHER_GREEN: '#9467bd',
});

/** The colours of the values the map is coloured by. */
export function colorsFor(by: ColorBy): Record<string, string> {
  return by === 'status' ? statusColor : by === 'green' ? greenColor : sectorColor;
}
