// The map: an offline basemap (Natural Earth 110m countries from the
// world-atlas package, public domain), the located projects clustered, and
// the projects' stored geometries when zoomed in. Approximate locations
// (the host country's or the province's point) are drawn hollow and dashed.
import L from 'leaflet';
import 'leaflet.markercluster';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-110m.json';
import type { ColorBy } from './filters';
import { colorsFor } from './colors';
import { label } from './format';
import type { MapPointFragment, ProjectLocationPrecision } from './generated/graphql';

/** Precisions drawn as approximate: the point stands for an area. */
export const approximate: ReadonlySet<ProjectLocationPrecision | null> = new Set(['COUNTRY', 'ADMIN1']);

/** How far in the map must be before geometries are drawn. */
export const geometryZoom = 6;

export interface ProjectMap {
  /** Replaces every point. */
  setPoints(points: MapPointFragment[]): void;
  /** Adds points (a further page of the same view). */
  addPoints(points: MapPointFragment[]): void;
  /** Adds or replaces one point; null removes it. */
  upsertPoint(id: string, point: MapPointFragment | null): void;
  /** Shows all the points (no further in than a region). */
  fitPoints(): void;
  /** How many points the map holds. */
  count(): number;
  setColorBy(by: ColorBy): void;
  /** Draws these geometries (replacing the previous ones). */
  setGeometries(items: { id: string; title: string; value: string; geometry: unknown }[]): void;
  /** The view's bounds and zoom. */
  view(): { bounds: L.LatLngBounds; zoom: number };
  onMove(fn: () => void): void;
}

/**
 * A cluster's icon: its count inside a ring of its projects' colours (as the
 * map is coloured), in proportion (SVG attributes, not styles: the page's CSP allows none
 * inline).
 */
function clusterIcon(children: L.Marker[]): L.DivIcon {
  const counts = new Map<string, number>();
  for (const m of children) {
    const c = ((m as unknown as L.Path).options as L.PathOptions).fillColor ?? '#555';
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const n = children.length;
  const size = n < 10 ? 34 : n < 100 ? 40 : n < 1000 ? 46 : 52;
  const r = size / 2 - 4;
  const circ = 2 * Math.PI * r;
  let offset = 0;
  let ring = '';
  for (const [color, k] of [...counts.entries()].sort((a, b) => b[1] - a[1])) {
    const len = (k / n) * circ;
    ring += `<circle cx="${size / 2}" cy="${size / 2}" r="${r}" fill="none" stroke="${color}" stroke-width="6" stroke-dasharray="${len.toFixed(2)} ${(circ - len).toFixed(2)}" stroke-dashoffset="${(-offset).toFixed(2)}" transform="rotate(-90 ${size / 2} ${size / 2})"/>`;
    offset += len;
  }
  const html = `<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true"><circle cx="${size / 2}" cy="${size / 2}" r="${r}" fill="#1b2733"/>${ring}<text x="50%" y="50%" dy="0.35em" text-anchor="middle" fill="#fff" font-size="12" font-weight="600">${n}</text></svg>`;
  return L.divIcon({ html, className: 'bri-cluster', iconSize: L.point(size, size) });
}

const basemapStyle: L.PathOptions = { color: '#9aa5b1', weight: 0.6, fillColor: '#eef1f4', fillOpacity: 1 };

export function createMap(el: HTMLElement, onSelect: (id: string) => void): ProjectMap {
  // canvas: thousands of points stay cheap; no tile layer at all
  const renderer = L.canvas({ padding: 0.3 });
  const map = L.map(el, {
    center: [20, 40],
    zoom: 2,
    minZoom: 1,
    maxZoom: 12,
    // one copy of the world: the basemap and the points are not repeated
    maxBounds: [
      [-85, -180],
      [85, 180],
    ],
    maxBoundsViscosity: 1,
    preferCanvas: true,
    attributionControl: false,
    renderer,
  });
  L.control.attribution({ prefix: false }).addAttribution('Leaflet | Basemap: Natural Earth (public domain), via world-atlas').addTo(map);
  const topo = countries as unknown as Topology<{ countries: GeometryCollection }>;
  L.geoJSON(feature(topo, topo.objects.countries), { style: basemapStyle, interactive: false }).addTo(map);

  let colorBy: ColorBy = 'sector';
  const clusters = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    spiderfyOnMaxZoom: true,
    iconCreateFunction: (cluster) => clusterIcon(cluster.getAllChildMarkers()),
  });
  map.addLayer(clusters);
  const geometries = L.layerGroup().addTo(map);

  const points = new Map<string, { point: MapPointFragment; marker: L.CircleMarker }>();

  const valueOf = (p: { sector: string; status: string; greenCategory: string }) =>
    colorBy === 'status' ? p.status : colorBy === 'green' ? p.greenCategory : p.sector;

  function style(p: MapPointFragment): L.CircleMarkerOptions {
    const color = colorsFor(colorBy)[valueOf(p)] ?? '#555';
    return approximate.has(p.locationPrecision)
      ? { radius: 8, color, weight: 2, dashArray: '3 3', fillColor: color, fillOpacity: 0.12, renderer }
      : { radius: 6, color: '#ffffff', weight: 1.5, fillColor: color, fillOpacity: 0.95, renderer };
  }

  function marker(p: MapPointFragment): L.CircleMarker {
    const m = L.circleMarker([p.latitude!, p.longitude!], style(p));
    points.set(p.id, { point: p, marker: m });
    const where = approximate.has(p.locationPrecision) ? ` (approximate: ${label(p.locationPrecision)})` : '';
    m.bindTooltip(`${p.title}${where}`);
    m.on('click', () => onSelect(p.id));
    return m;
  }

  return {
    setPoints(list) {
      clusters.clearLayers();
      points.clear();
      this.addPoints(list);
    },
    addPoints(list) {
      const markers: L.Layer[] = [];
      for (const p of list) {
        if (p.latitude == null || p.longitude == null || points.has(p.id)) continue;
        markers.push(marker(p));
      }
      clusters.addLayers(markers);
    },
    upsertPoint(id, p) {
      const old = points.get(id);
      if (old) {
        clusters.removeLayer(old.marker);
        points.delete(id);
      }
      if (p && p.latitude != null && p.longitude != null) {
        clusters.addLayer(marker(p));
      }
    },
    count: () => points.size,
    fitPoints() {
      if (points.size === 0) return;
      map.fitBounds(clusters.getBounds(), { maxZoom: 5, padding: [24, 24] });
    },
    setColorBy(by) {
      colorBy = by;
      for (const { point, marker } of points.values()) marker.setStyle(style(point));
      clusters.refreshClusters();
    },
    setGeometries(items) {
      geometries.clearLayers();
      el.dataset.geometries = String(items.filter((it) => it.geometry && typeof it.geometry === 'object').length);
      for (const it of items) {
        if (!it.geometry || typeof it.geometry !== 'object') continue;
        const color = colorsFor(colorBy)[it.value] ?? '#555';
        const layer = L.geoJSON(it.geometry as GeoJSON.GeoJsonObject, {
          style: { color, weight: 3, fillColor: color, fillOpacity: 0.25 },
          pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 4, color, renderer }),
        });
        layer.bindTooltip(it.title);
        layer.on('click', () => onSelect(it.id));
        geometries.addLayer(layer);
      }
    },
    view: () => ({ bounds: map.getBounds(), zoom: map.getZoom() }),
    onMove(fn) {
      map.on('moveend', fn);
    },
  };
}
