// The widgets a panel is drawn with, by `view.widget`. Each reads the panel's rows
// (`period`, dimension codes, indicator values and their `_yoy`/`_target` companions)
// and draws into the panel's body; refreshes update in place.

import { userMessage } from './api.js';
import { AXIS, PALETTE, chart, dimensionLabel, dimensionsOf, memberName, name, unit } from './chart.js';
import { animateNumber, esc, formatNumber, formatPercent } from './format.js';
import { MAP_MEMBERS, map, prepareMap } from './map.js';
import { TICKER_MEMBERS, prepareTicker, ticker } from './ticker.js';

/** Starts the requests some widgets make beyond the board (a map's points, a ticker's
 * records) as soon as the board has answered; returns the dimensions whose member names
 * they will need, to be asked with the page's others. */
export function preparePanels(panels) {
  const members = new Set();
  for (const panel of panels.filter((p) => !p.error)) {
    if (panel.view.widget === 'map') {
      prepareMap(panel);
      if ((panel.view.layers || []).length) MAP_MEMBERS.forEach((d) => members.add(d));
    } else if (panel.view.widget === 'ticker') {
      prepareTicker(panel);
      TICKER_MEMBERS.forEach((d) => members.add(d));
    }
  }
  return members;
}

export function drawPanel(box, panel, context) {
  const body = box.querySelector('.body');
  box.querySelector('.popover').innerHTML = panel.indicators
    .map((code) => {
      const ind = context.indicators.get(code);
      return `<p><strong>${esc(ind ? ind.name : code)}</strong>：${esc(ind ? ind.definition : '')}</p>`;
    })
    .join('') + `<p class="range">统计区间：${esc(panel.from)} 至 ${esc(panel.to)}</p>`;
  if (panel.error) {
    body.innerHTML = `<p class="panel-error">${esc(userMessage(panel.error, null, '本面板暂无法显示'))}</p>`;
    box.dataset.state = 'error';
    return;
  }
  box.dataset.state = 'ok';
  const draw = { numbers, completion, bars, line, pie, map, table, ticker }[panel.view.widget] || table;
  draw(body, panel, context);
}

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

