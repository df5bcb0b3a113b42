// The view's state lives in the URL query string, so that a view can be
// shared and reloaded: the filters, the map's colouring and the open project.
import type {
  PartnerRegion,
  ProjectFlowClass,
  ProjectGreenCategory,
  ProjectSector,
  ProjectStatus,
  ProjectWhereInput,
} from './generated/graphql';

export const sectors: ProjectSector[] = [
  'ENERGY', 'TRANSPORT', 'LOGISTICS', 'MANUFACTURING', 'TEXTILES', 'AGRICULTURE', 'MINING', 'ICT',
  'FINANCE', 'HEALTH', 'EDUCATION', 'TRADE', 'INDUSTRIAL_PARK', 'SCIENCE_TECHNOLOGY', 'WATER', 'OTHER',
];
export const statuses: ProjectStatus[] = ['PIPELINE', 'SIGNED', 'UNDER_CONSTRUCTION', 'OPERATIONAL', 'COMPLETED', 'SUSPENDED', 'CANCELLED'];
export const greenCategories: ProjectGreenCategory[] = [
  'NONE', 'RENEWABLE_ENERGY', 'ENERGY_EFFICIENCY', 'CLEAN_TRANSPORT', 'GREEN_MANUFACTURING',
  'COAL_POWER_UPGRADE', 'ECOLOGICAL_PROTECTION', 'OTHER_GREEN',
];
export const flowClasses: ProjectFlowClass[] = ['ODA_LIKE', 'OOF_LIKE', 'VAGUE'];
export const regions: PartnerRegion[] = ['AFRICA', 'AMERICAS', 'ASIA', 'EUROPE', 'MIDDLE_EAST', 'OCEANIA'];

export type ColorBy = 'sector' | 'status' | 'green';

/** The view: what the URL says. */
export interface View {
  sector: ProjectSector[];
  status: ProjectStatus[];
  green: ProjectGreenCategory[];
  flow: ProjectFlowClass[];
  /** Host countries by ISO 3166-1 alpha-3 code. */
  country: string[];
  region: PartnerRegion[];
  from: number | null;
  to: number | null;
  /** A partner's id: projects it takes part in. */
  partner: string;
  /** A policy's id: projects it supports. */
  policy: string;
  /** Only the projects that count in aggregates (AidData's rule; default on). */
  counted: boolean;
  colorBy: ColorBy;
  /** The project whose panel is open. */
  project: string;
}

function list<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[] | null): T[] {
  const raw = params.get(name);
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is T => s !== '' && (allowed === null || (allowed as readonly string[]).includes(s)));
}

function year(params: URLSearchParams, name: string): number | null {
  const raw = params.get(name);
  if (!raw || !/^\d{4}$/.test(raw)) return null;
  return Number(raw);
}

/** Reads the view from a query string. */
export function readView(search: string): View {
  const p = new URLSearchParams(search);
  const colorBy = p.get('color');
  return {
    sector: list(p, 'sector', sectors),
    status: list(p, 'status', statuses),
    green: list(p, 'green', greenCategories),
    flow: list(p, 'flow', flowClasses),
    country: list<string>(p, 'country', null).filter((c) => /^[A-Z]{3}$/.test(c)),
    region: list(p, 'region', regions),
    from: year(p, 'from'),
    to: year(p, 'to'),
    partner: p.get('partner') ?? '',
    policy: p.get('policy') ?? '',
    counted: p.get('counted') !== 'all',
    colorBy: colorBy === 'status' || colorBy === 'green' ? colorBy : 'sector',
    project: p.get('project') ?? '',
  };
}

/** Writes the view as a query string (defaults left out). */
export function writeView(v: View): string {
  const p = new URLSearchParams();
  const put = (name: string, value: string) => {
    if (value) p.set(name, value);
  };
  put('sector', v.sector.join(','));
  put('status', v.status.join(','));
  put('green', v.green.join(','));
  put('flow', v.flow.join(','));
  put('country', v.country.join(','));
  put('region', v.region.join(','));
  put('from', v.from == null ? '' : String(v.from));
  put('to', v.to == null ? '' : String(v.to));
  put('partner', v.partner);
  put('policy', v.policy);
  put('counted', v.counted ? '' : 'all');
  put('color', v.colorBy === 'sector' ? '' : v.colorBy);
  put('project', v.project);
  const s = p.toString().replace(/%2C/g, ',');
  return s ? `?${s}` : '';
}

/**
 * The filter as a ProjectWhereInput, the same for the map, the counts and
 * the statistics. With `counted`, it keeps only the projects that count in
 * aggregates, which is also what projectStats counts by default.
 */
export function where(v: View): ProjectWhereInput {
  const and: ProjectWhereInput[] = [];
  if (v.sector.length) and.push({ sectorIn: v.sector });
  if (v.status.length) and.push({ statusIn: v.status });
  if (v.green.length) and.push({ greenCategoryIn: v.green });
  if (v.flow.length) and.push({ flowClassIn: v.flow });
  if (v.country.length) and.push({ hasHostCountryWith: [{ countryCodeIn: v.country }] });
  if (v.region.length) and.push({ hasHostCountryWith: [{ regionIn: v.region }] });
  if (v.from != null) and.push({ commitmentYearGTE: v.from });
  if (v.to != null) and.push({ commitmentYearLTE: v.to });
  if (v.partner) and.push({ hasParticipantsWith: [{ id: v.partner }] });
  if (v.policy) and.push({ hasPoliciesWith: [{ id: v.policy }] });
  if (v.counted) and.push({ countsInAggregates: true });
  if (and.length === 1) return and[0]!;
  return and.length ? { and } : {};
}

/** The filter, restricted to the projects with a location. */
export function located(v: View): ProjectWhereInput {
  const w = where(v);
  const loc: ProjectWhereInput = { latitudeNotNil: true, longitudeNotNil: true };
  if (w.and) return { and: [...w.and, loc] };
  if (Object.keys(w).length === 0) return loc;
  return { and: [w, loc] };
}

/** projectStats' includeAll: count everything when the filter does not restrict to counted projects. */
export function includeAll(v: View): boolean {
  return !v.counted;
}
