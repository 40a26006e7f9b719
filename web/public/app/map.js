// The district map (`view.widget: map`): a choropleth of one of the panel's indicators
// (buttons switch between them), the point layers its view names (`view.layers`:
// service facilities in four groups, open postings), each switchable, and a click on a
// district drills into it: the map zooms there and a card gives the district's figures
// and what each layer has in it. Points come from `mapLayer`, districts from the
// packaged GeoJSON (no network).

import { gql, token } from './api.js';
import { chart, memberName, name, unit } from './chart.js';
import { esc, formatNumber } from './format.js';
import { loadMembers } from './members.js';

/** The facility groups a map shows as layers, by 机构类型 (code table facility_type). */
const FACILITY_GROUPS = [
  { key: 'centres', label: '就业服务机构', types: ['1'], color: '#36cfc9' },
  { key: 'startup', label: '创业孵化与园区', types: ['2', '7'], color: '#ffc53d' },
  { key: 'skills', label: '培训与实训基地', types: ['3', '4', '6', '8'], color: '#73d13d' },
  { key: 'internship', label: '就业见习基地', types: ['5'], color: '#f759ab' },
];
const POSTINGS = { key: 'postings', label: '招聘岗位', color: '#ff7a45' };

const POINTS = `query($asOf: String, $facilities: Boolean!, $postings: Boolean!) {
  facilities: mapLayer(layer: FACILITIES) @include(if: $facilities) { code name type district longitude latitude }
  postings: mapLayer(layer: POSTINGS, asOf: $asOf) @include(if: $postings) { code name type district longitude latitude }
}`;

let mapReady = null;

/** Registers Shanghai's districts once (the packaged GeoJSON, no network). */
function shanghai() {
  mapReady ||= fetch('/vendor/shanghai.json')
    .then((r) => r.json())
    .then((geo) => {
      echarts.registerMap('shanghai', geo);
      return geo;
    })
    .catch((e) => {
      mapReady = null; // the next refresh tries again
      throw e;
    });
  return mapReady;
}

/** Points of the layers `view.layers` names, by layer group key; asked once per day and
 * session (another user's points are never reused) until new data arrives. */
const pointCache = new Map();
function layerPoints(layers, day) {
  const key = `${layers.join(',')}|${day}|${token()}`;
  if (!pointCache.has(key)) {
    const asked = gql(POINTS, { asOf: day, facilities: layers.includes('facilities'), postings: layers.includes('postings') })
      .then((answer) => {
        const groups = new Map();
        for (const group of FACILITY_GROUPS) {
          if (answer.facilities) groups.set(group.key, answer.facilities.filter((p) => group.types.includes(p.type)));
        }
        if (answer.postings) groups.set(POSTINGS.key, answer.postings);
        return groups;
      })
      .catch((e) => {
        pointCache.delete(key);
        throw e;
      });
    pointCache.set(key, asked);
  }
  return pointCache.get(key);
}

/** Member names the map's tooltips use. */
export const MAP_MEMBERS = ['facility_type', 'occupation'];

/** Starts what a map panel will need (the districts, its layers' points) as soon as the
 * board has answered, so they arrive while the other panels draw. */
export function prepareMap(panel) {
  shanghai().catch(() => {}); // a failure shows when the map draws
  const layers = panel.view.layers || [];
  if (layers.length) layerPoints(layers, panel.to).catch(() => {});
}

/** Forgets the points asked so far (new data: postings may have changed). */
export function forgetLayerPoints() {
  pointCache.clear();
}

export function map(body, panel, context) {
  const layers = panel.view.layers || [];
  const groups = [...(layers.includes('facilities') ? FACILITY_GROUPS : []), ...(layers.includes('postings') ? [POSTINGS] : [])];
  const parts = scaffold(body, panel, context, groups);
  const shown = parts.root.dataset.indicator || panel.indicators[0];
  const stamp = String((Number(parts.root.dataset.answer) || 0) + 1);
  parts.root.dataset.answer = stamp;
  Promise.all([
    shanghai(),
    groups.length ? layerPoints(layers, panel.to) : Promise.resolve(new Map()),
    loadMembers(context.members, MAP_MEMBERS),
  ])
    .then(([geo, points]) => {
      // A screen left, or redrawn meanwhile with a newer answer, keeps what it has.
      if (!parts.root.isConnected || parts.root.dataset.answer !== stamp) return;
      const state = { panel, context, geo, points, groups, parts };
      parts.root.drawMap = (indicator) => draw(state, indicator);
      draw(state, shown);
    })
    .catch((e) => {
      parts.holder.innerHTML = `<p class="panel-error">地图加载失败：${esc(e.message)}</p>`;
    });
}

/** The switches, the chart's holder and the district card, made once per panel. */
function scaffold(body, panel, context, groups) {
  let root = body.querySelector('.map-widget');
  if (!root) {
    body.innerHTML = `<div class="map-widget">
      <div class="map-tools"><span class="indicators"></span><span class="layers"></span></div>
      <div class="map-area"><div class="map-holder"></div><aside class="district-card" hidden></aside></div></div>`;
    root = body.querySelector('.map-widget');
    root.querySelector('.layers').innerHTML = groups
      .map((g) => `<label class="layer" style="--dot:${g.color}"><input type="checkbox" data-layer="${esc(g.key)}" checked> ${esc(g.label)}</label>`)
      .join('');
    root.querySelector('.layers').addEventListener('change', () => root.drawMap && root.drawMap(root.dataset.indicator));
    root.querySelector('.indicators').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-indicator]');
      if (button && root.drawMap) root.drawMap(button.dataset.indicator);
    });
  }
  root.querySelector('.indicators').innerHTML = panel.indicators.length > 1
    ? panel.indicators.map((code) => `<button type="button" data-indicator="${esc(code)}">${esc(name(context, code))}</button>`).join('')
    : '';
  return { root, holder: root.querySelector('.map-holder'), card: root.querySelector('.district-card') };
}

function draw(state, indicator) {
  const { panel, context, parts } = state;
  const code = panel.indicators.includes(indicator) ? indicator : panel.indicators[0];
  parts.root.dataset.indicator = code;
  for (const b of parts.root.querySelectorAll('.indicators button')) b.classList.toggle('active', b.dataset.indicator === code);
  const data = panel.rows.map((r) => ({ name: memberName(context, 'district', r.district), value: r[code] ?? null, code: r.district }));
  const values = data.map((d) => d.value).filter((v) => v != null);
  const visible = state.groups.filter((g) => parts.root.querySelector(`input[data-layer="${g.key}"]`).checked);
  const instance = chart(parts.holder, context, panel.code);
  const drilled = parts.root.dataset.drilled;
  instance.setOption(
    {
      tooltip: { trigger: 'item', formatter: (p) => tooltip(p, context, code) },
      visualMap: {
        seriesIndex: 0, min: Math.min(0, ...values), max: Math.max(1, ...values), left: 10, bottom: 10, text: ['高', '低'],
        textStyle: { color: '#cfe3ff' }, inRange: { color: ['#0d3b66', '#1f77b4', '#4fc3f7', '#ffe082'] }, calculable: true,
      },
      geo: {
        map: 'shanghai', roam: true, ...view(state.geo, drilled, memberName(context, 'district', drilled)),
        label: { show: true, color: '#e6f1ff', fontSize: 11 }, itemStyle: { borderColor: '#7fb3ff', areaColor: '#12355b' },
        emphasis: { itemStyle: { areaColor: '#ffb74d' }, label: { color: '#fff' } },
      },
      series: [
        { type: 'map', geoIndex: 0, data },
        ...visible.map((g) => ({
          type: 'scatter', coordinateSystem: 'geo', name: g.label, large: g.key === POSTINGS.key,
          symbolSize: g.key === POSTINGS.key ? 3 : 7, itemStyle: { color: g.color, opacity: 0.9 },
          data: state.points.get(g.key).map((p) => ({ value: [p.longitude, p.latitude], point: p, group: g.label })),
        })),
      ],
    },
    true,
  );
  instance.off('click');
  // A district, or a point in one, drills into that district.
  instance.on('click', (p) => {
    if (p.seriesType === 'scatter') return drill(state, p.data.point.district);
    const district = data.find((d) => d.name === p.name);
    if ((p.componentType === 'geo' || p.seriesType === 'map') && district) drill(state, district.code);
  });
  // For tests and monitors: what the map shows.
  const body = parts.root.parentElement;
  body.dataset.districts = String(data.length);
  body.dataset.points = String(visible.reduce((n, g) => n + state.points.get(g.key).length, 0));
  if (drilled) card(state, drilled);
}

function tooltip(p, context, code) {
  if (p.seriesType === 'scatter') {
    const point = p.data.point;
    const kind = memberName(context, p.data.group === POSTINGS.label ? 'occupation' : 'facility_type', point.type);
    return `${esc(point.name)}<br>${esc(p.data.group)} · ${esc(kind)}<br>${esc(memberName(context, 'district', point.district))}`;
  }
  return `${esc(p.name)}<br>${esc(name(context, code))}：${esc(formatNumber(p.value, unit(context, code)))}<br><small>点击查看本区</small>`;
}

/** The geo view: the whole city, or zoomed on a drilled district (its centre point, or
 * the middle of its outline when the GeoJSON gives none). */
function view(geo, district, districtName) {
  const feature = district && geo.features.find((f) => String(f.id) === district || f.properties.name === districtName);
  if (!feature) return { center: null, zoom: 1.15 };
  if (feature.properties.cp) return { center: feature.properties.cp, zoom: 3.2 };
  const xs = [];
  const ys = [];
  const walk = (c) => (typeof c[0] === 'number' ? (xs.push(c[0]), ys.push(c[1])) : c.forEach(walk));
  walk(feature.geometry.coordinates);
  return { center: [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2], zoom: 3.2 };
}

function drill(state, district) {
  state.parts.root.dataset.drilled = district;
  draw(state, state.parts.root.dataset.indicator);
}

/** The drilled district's figures and the layers' points in it. */
function card(state, district) {
  const { panel, context, parts } = state;
  const row = panel.rows.find((r) => r.district === district) || {};
  const layerLines = state.groups.map((g) => {
    const inDistrict = state.points.get(g.key).filter((p) => p.district === district);
    const names = inDistrict.slice(0, 3).map((p) => p.name).join('、');
    return `<li><i style="background:${g.color}"></i>${esc(g.label)} <b>${inDistrict.length}</b>${names ? `<small>${esc(names)}${inDistrict.length > 3 ? ' 等' : ''}</small>` : ''}</li>`;
  });
  parts.card.hidden = false;
  parts.card.dataset.district = district;
  parts.card.innerHTML = `<h3>${esc(memberName(context, 'district', district))}</h3>
    <dl>${panel.indicators.map((c) => `<dt>${esc(name(context, c))}</dt><dd data-indicator="${esc(c)}" data-raw="${esc(row[c] ?? '')}">${esc(formatNumber(row[c], unit(context, c)))}</dd>`).join('')}</dl>
    ${layerLines.length ? `<ul class="layer-counts">${layerLines.join('')}</ul>` : ''}
    <button type="button" class="back-to-city">返回全市</button>`;
  parts.card.querySelector('.back-to-city').addEventListener('click', () => {
    delete parts.root.dataset.drilled;
    parts.card.hidden = true;
    draw(state, parts.root.dataset.indicator);
  });
}
