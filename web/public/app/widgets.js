// The widgets a panel is drawn with, by `view.widget`. Each reads the panel's rows
// (`period`, dimension codes, indicator values and their `_yoy`/`_target` companions)
// and draws into the panel's body; refreshes update in place.

import { animateNumber, esc, formatNumber, formatPercent } from './format.js';

const PALETTE = ['#3ba0ff', '#36cfc9', '#ffc53d', '#ff7a45', '#9254de', '#73d13d', '#f759ab', '#40a9ff'];
const AXIS = { axisLine: { lineStyle: { color: '#3a5a80' } }, axisLabel: { color: '#9fb8d8' }, splitLine: { lineStyle: { color: '#1c3553' } } };

export function drawPanel(box, panel, context) {
  const body = box.querySelector('.body');
  box.querySelector('.popover').innerHTML = panel.indicators
    .map((code) => {
      const ind = context.indicators.get(code);
      return `<p><strong>${esc(ind ? ind.name : code)}</strong>：${esc(ind ? ind.definition : '')}</p>`;
    })
    .join('') + `<p class="range">统计区间：${esc(panel.from)} 至 ${esc(panel.to)}</p>`;
  if (panel.error) {
    body.innerHTML = `<p class="panel-error">${esc(panel.error)}</p>`;
    box.dataset.state = 'error';
    return;
  }
  box.dataset.state = 'ok';
  const draw = { numbers, completion, bars, line, pie, map, table }[panel.view.widget] || table;
  draw(body, panel, context);
}

const name = (context, code) => (context.indicators.get(code) || { name: code }).name;
/** A dimension member's name, or its code when the name is not known. */
const memberName = (context, dimension, code) => (context.members.get(dimension) || new Map()).get(code) || code;
/** A breakdown column's header: the dimension's name from the model. */
const dimensionLabel = (context, code) => (code === 'period' ? '时间' : (context.dimensions && context.dimensions.get(code)) || code);

/** The panel's breakdown columns: neither an indicator nor an indicator's companion. */
function dimensionsOf(panel) {
  return panel.columns.filter((c) => !panel.indicators.some((i) => c === i || c.startsWith(`${i}_`)));
}
const unit = (context, code) => (context.indicators.get(code) || { unit: '' }).unit;

/** The newest row (the latest period), for figures. */
function latest(panel) {
  return panel.rows.length ? panel.rows[panel.rows.length - 1] : {};
}

function numbers(body, panel, context) {
  const row = latest(panel);
  if (!body.querySelector('.figures')) {
    body.innerHTML = `<div class="figures">${panel.indicators
      .map((code) => `<div class="figure" data-indicator="${esc(code)}"><span class="value">—</span>
        <span class="label">${esc(name(context, code))}</span></div>`)
      .join('')}</div>`;
  }
  for (const code of panel.indicators) {
    const value = row[code] ?? (panel.rows.length ? null : 0);
    animateNumber(body.querySelector(`[data-indicator="${CSS.escape(code)}"] .value`), value, unit(context, code));
  }
}

const STATUS = { green: '正常', amber: '预警', red: '滞后' };

/** Year to date against the annual target: a bar of completion with a mark at the time
 * progress, coloured by status (`compare: [TARGET]`), and the change on last year. */
function completion(body, panel, context) {
  const row = latest(panel);
  const pct = (v) => `${Math.max(0, Math.min(100, Number(v) * 100)).toFixed(1)}%`;
  body.innerHTML = `<ul class="completion">${panel.indicators
    .map((code) => {
      const target = row[`${code}_target`];
      const status = row[`${code}_status`];
      const yoy = row[`${code}_yoy`];
      const done = row[`${code}_completion`];
      const progress = row[`${code}_progress`];
      const trend = yoy == null ? '' : yoy >= 0 ? 'up' : 'down';
      const bar = target == null
        ? '<div class="no-target">未设年度目标</div>'
        : `<div class="bar" title="完成 ${esc(formatPercent(done))}，时间进度 ${esc(formatPercent(progress))}">
             <span class="fill" style="width:${pct(done)}"></span><span class="marker" style="left:${pct(progress)}"></span></div>
           <div class="detail">目标 ${esc(formatNumber(target, unit(context, code)))} · 完成 ${esc(formatPercent(done))} · 时间进度 ${esc(formatPercent(progress))}
             <b class="status">${esc(STATUS[status] || '')}</b></div>`;
      return `<li data-indicator="${esc(code)}" data-status="${esc(status || 'none')}">
        <div class="headline"><span class="name">${esc(name(context, code))}</span>
          <span class="value" data-raw="${esc(row[code] ?? '')}">${esc(formatNumber(row[code], unit(context, code)))}</span>
          <span class="yoy ${trend}" title="同比">${yoy == null ? '—' : esc(formatPercent(yoy))}</span></div>${bar}</li>`;
    })
    .join('')}</ul>`;
}

function table(body, panel, context) {
  // The period is the same on every row of a one-period panel: the range says it.
  const dims = dimensionsOf(panel).filter((c) => c !== 'period' || new Set(panel.rows.map((r) => r.period)).size > 1);
  const label = (c) => (dims.includes(c) ? dimensionLabel(context, c) : name(context, c));
  const cell = (row, c) => (dims.includes(c) ? (c === 'period' ? row[c] : memberName(context, c, row[c])) : formatNumber(row[c], unit(context, c)));
  const columns = [...dims, ...panel.indicators];
  body.innerHTML = `<div class="table-scroll"><table><thead><tr>${columns.map((c) => `<th>${esc(label(c))}</th>`).join('')}</tr></thead>
    <tbody>${panel.rows.map((row) => `<tr>${columns.map((c) => `<td>${esc(cell(row, c))}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

function chart(body, context, key) {
  let instance = context.charts.get(key);
  if (instance && !instance.isDisposed() && !body.contains(instance.getDom())) instance.dispose();
  if (!instance || instance.isDisposed() || !body.contains(instance.getDom())) {
    body.innerHTML = '<div class="chart"></div>';
    const dom = body.querySelector('.chart');
    instance = echarts.init(dom, null, { renderer: 'canvas' });
    // Panels are laid out as they arrive: a chart follows its box's final size.
    // (A box without size yet, or any more, is left as it is: a map cannot lay out in it.)
    new ResizeObserver(() => {
      if (!instance.isDisposed() && dom.clientWidth > 0 && dom.clientHeight > 0) instance.resize();
    }).observe(dom);
    context.charts.set(key, instance);
  }
  return instance;
}

/** The x axis of a panel: its breakdown's member names, else its periods. */
function categories(panel, context) {
  const dimension = dimensionsOf(panel).find((c) => c !== 'period');
  if (dimension) return panel.rows.map((r) => memberName(context, dimension, r[dimension]));
  return panel.rows.map((r) => r.period);
}

/** The panel's units in order of first use: the first on the left axis, the rest on
 * the right, so 元 and 人 never share a scale. */
function units(panel, context) {
  return [...new Set(panel.indicators.map((code) => unit(context, code)))];
}

function series(panel, context, type) {
  const axes = units(panel, context);
  return panel.indicators.map((code, i) => ({
    name: `${name(context, code)}（${unit(context, code)}）`,
    type,
    yAxisIndex: axes.indexOf(unit(context, code)) === 0 ? 0 : 1,
    itemStyle: { color: PALETTE[i % PALETTE.length] },
    data: panel.rows.map((r) => r[code] ?? null),
  }));
}

function base(panel, context) {
  const axes = units(panel, context);
  const axis = (title, position) => ({
    type: 'value', name: title, position, min: 0, nameTextStyle: { color: '#9fb8d8' },
    axisLabel: { color: '#9fb8d8', formatter: (v) => formatNumber(v) },
    axisLine: AXIS.axisLine, splitLine: position === 'left' ? AXIS.splitLine : { show: false },
  });
  return {
    animationDuration: 600,
    grid: { left: 58, right: axes.length > 1 ? 58 : 16, top: 52, bottom: 28 },
    legend: { top: 0, textStyle: { color: '#cfe3ff' }, type: 'scroll', pageTextStyle: { color: '#cfe3ff' } },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: categories(panel, context), ...AXIS },
    yAxis: axes.length > 1 ? [axis(axes[0], 'left'), axis(axes.slice(1).join('/'), 'right')] : [axis(axes[0], 'left')],
  };
}

function bars(body, panel, context) {
  chart(body, context, panel.code).setOption({ ...base(panel, context), series: series(panel, context, 'bar') }, true);
}

function line(body, panel, context) {
  chart(body, context, panel.code).setOption({ ...base(panel, context), series: series(panel, context, 'line') }, true);
}

function pie(body, panel, context) {
  const code = panel.indicators[0];
  const data = panel.rows.map((r, i) => ({ name: categories(panel, context)[i], value: r[code] ?? 0 }));
  chart(body, context, panel.code).setOption(
    { tooltip: { trigger: 'item' }, series: [{ type: 'pie', radius: ['40%', '70%'], data, label: { color: '#cfe3ff' } }], color: PALETTE },
    true,
  );
}

let mapReady = null;

/** Registers Shanghai's districts once (the packaged GeoJSON, no network). */
function shanghai() {
  mapReady ||= fetch('/vendor/shanghai.json')
    .then((r) => r.json())
    .then((geo) => echarts.registerMap('shanghai', geo))
    .catch((e) => {
      mapReady = null; // the next refresh tries again
      throw e;
    });
  return mapReady;
}

function map(body, panel, context) {
  const code = panel.indicators[0];
  shanghai().then(() => {
    const data = panel.rows.map((r) => ({ name: memberName(context, 'district', r.district), value: r[code] ?? null, code: r.district }));
    const values = data.map((d) => d.value).filter((v) => v != null);
    const instance = chart(body, context, panel.code);
    instance.setOption(
      {
        tooltip: { trigger: 'item', formatter: (p) => `${esc(p.name)}<br>${esc(name(context, code))}：${esc(formatNumber(p.value, unit(context, code)))}` },
        visualMap: { min: Math.min(0, ...values), max: Math.max(1, ...values), left: 10, bottom: 10, text: ['高', '低'], textStyle: { color: '#cfe3ff' }, inRange: { color: ['#0d3b66', '#1f77b4', '#4fc3f7', '#ffe082'] }, calculable: true },
        series: [{ type: 'map', map: 'shanghai', roam: true, data, label: { show: true, color: '#e6f1ff', fontSize: 11 }, itemStyle: { borderColor: '#7fb3ff', areaColor: '#12355b' }, emphasis: { itemStyle: { areaColor: '#ffb74d' } } }],
      },
      true,
    );
    body.dataset.districts = String(data.length);
  }).catch((e) => {
    body.innerHTML = `<p class="panel-error">地图加载失败：${esc(e.message)}</p>`;
  });
}
