// A topic board (业务专题分析): every panel of the board as a chart and a table, and the
// 宏观 → 中观 → 微观 path by drilling — the city's figure, then by district, then by
// employer, then (for roles that may read them) the masked detail rows it counts.

import { gql } from './api.js';
import { esc, formatNumber } from './format.js';
import { failed, frame, table } from './frame.js';
import { dimensionsOf, loadMembers, namesOf } from './members.js';
import { drawPanel, preparePanels } from './widgets.js';

const BOARD = `query($code: String!, $asOf: String) {
  board(code: $code, asOf: $asOf) { code name description asOf
    panels { code title indicators grain from to columns rows error view { column span widget layers } } }
  indicators { code name unit definition }
  dimensions { code name }
}`;

/** The levels of the drill path below the city. */
const LEVELS = [
  { by: 'district', label: '按区（中观）' },
  { by: 'employer', label: '按单位（微观）' },
];
const DETAIL_PAGE = 20;

export function renderBoard(root, [code]) {
  const charts = new Map();
  frame(root, '业务专题分析')
    .then(({ main, me }) => draw(main, me, code, null, charts))
    .catch((e) => failed(root, e));
  return () => {
    for (const chart of charts.values()) chart.dispose();
  };
}

async function draw(main, me, code, asOf, charts) {
  const data = await gql(BOARD, { code, asOf });
  // A new date redraws every panel: the old charts go with their boxes.
  for (const chart of charts.values()) chart.dispose();
  charts.clear();
  const { board } = data;
  const codes = data.indicators.map((i) => i.code);
  const wanted = dimensionsOf(board.panels, codes);
  preparePanels(board.panels).forEach((d) => wanted.add(d));
  const members = await loadMembers(new Map(), wanted);
  const ranked = board.panels.flatMap((p) => (p.columns.includes('employer') ? p.rows.map((r) => r.employer) : []));
  if (ranked.length) await namesOf(members, 'employer', ranked);
  const context = {
    indicators: new Map(data.indicators.map((i) => [i.code, i])),
    dimensions: new Map(data.dimensions.map((d) => [d.code, d.name])),
    members,
    charts,
  };
  main.innerHTML = `
    <div class="board-head"><h2>${esc(board.name)}</h2><p class="hint">${esc(board.description)}</p>
      <label>数据日期 <input type="date" class="as-of" value="${esc(board.asOf)}"></label></div>
    <div class="board-panels" data-loaded="${esc(board.asOf)}"></div>`;
  main.querySelector('.as-of').addEventListener('change', (e) => draw(main, me, code, e.target.value || null, charts));
  const grid = main.querySelector('.board-panels');
  for (const panel of board.panels) {
    const box = document.createElement('section');
    box.className = `card board-panel panel widget-${panel.view.widget}`;
    box.dataset.panel = panel.code;
    box.innerHTML = `<h2><span class="title">${esc(panel.title)}</span><button class="info" title="口径">ⓘ</button></h2>
      <div class="popover" hidden></div><div class="body"></div>
      <div class="drill-bar"></div><div class="drill"></div>`;
    box.querySelector('.info').addEventListener('click', () => {
      const pop = box.querySelector('.popover');
      pop.hidden = !pop.hidden;
    });
    grid.append(box);
    drawPanel(box, panel, context);
    if (!panel.error) drillBar(box, panel, context, me);
  }
}

/** The drill controls: which indicator, and the first step of the path. */
function drillBar(box, panel, context, me) {
  const last = panel.rows[panel.rows.length - 1];
  if (!last || !last.period) return;
  const bar = box.querySelector('.drill-bar');
  bar.innerHTML = `<label>下钻指标 <select>${panel.indicators
    .map((c) => `<option value="${esc(c)}">${esc((context.indicators.get(c) || { name: c }).name)}</option>`)
    .join('')}</select></label> <button class="link start-drill">${esc(last.period)} · 全市（宏观）→ 按区下钻</button>`;
  bar.querySelector('.start-drill').addEventListener('click', () => {
    const path = { indicator: bar.querySelector('select').value, grain: panel.grain, period: last.period, cell: [] };
    step(box, path, 0, context, me);
  });
}

/** Shows level `depth` of the path: a breakdown by LEVELS[depth], or the detail rows. */
async function step(box, path, depth, context, me) {
  const out = box.querySelector('.drill');
  out.innerHTML = '<p class="loading">正在下钻…</p>';
  const crumbs = ['全市', ...path.cell.map((c) => c.label)].map(esc).join(' › ');
  if (depth >= LEVELS.length) return detail(box, path, crumbs, 0, me);
  const level = LEVELS[depth];
  try {
    const { drill } = await gql(
      'query($i: String!, $g: Grain!, $p: String!, $c: [Filter!]!, $b: String) { drill(indicator: $i, grain: $g, period: $p, cell: $c, by: $b) { columns rows } }',
      { i: path.indicator, g: path.grain, p: path.period, c: path.cell.map(({ dimension, values }) => ({ dimension, values })), b: level.by },
    );
    const cache = level.by === 'employer'
      ? await namesOf(context.members, 'employer', drill.rows.map((r) => r.employer))
      : await loadMembers(context.members, [level.by]);
    const names = cache.get(level.by) || new Map();
    const unit = (context.indicators.get(path.indicator) || { unit: '' }).unit;
    const rows = [...drill.rows].sort((a, b) => (b[path.indicator] ?? -1) - (a[path.indicator] ?? -1));
    out.innerHTML = `<p class="crumbs">${crumbs} › ${esc(level.label)}</p>` + table(rows, [
      [context.dimensions.get(level.by) || level.by, (r) => `<button class="link drill-into" data-code="${esc(r[level.by])}">${esc(names.get(r[level.by]) || r[level.by])}</button>`],
      [(context.indicators.get(path.indicator) || { name: path.indicator }).name, (r) => `<span data-raw="${esc(r[path.indicator] ?? '')}">${esc(formatNumber(r[path.indicator], unit))}</span>`],
    ], '没有数据');
    for (const button of out.querySelectorAll('.drill-into')) {
      button.addEventListener('click', () => {
        const code = button.dataset.code;
        const cell = [...path.cell, { dimension: level.by, values: [code], label: names.get(code) || code }];
        step(box, { ...path, cell }, depth + 1, context, me);
      });
    }
  } catch (e) {
    out.innerHTML = `<p class="crumbs">${crumbs}</p><p class="panel-error">${esc(e.message)}</p>`;
  }
}

/** The masked detail rows behind a cell (roles with detail.read), a page at a time. */
async function detail(box, path, crumbs, page, me) {
  const out = box.querySelector('.drill');
  if (!me.permissions.includes('detail.read')) {
    out.innerHTML = `<p class="crumbs">${crumbs}</p><p class="hint">当前角色无权查看明细数据。</p>`;
    return;
  }
  try {
    const { drillDetail } = await gql(
      'query($i: String!, $g: Grain!, $p: String!, $c: [Filter!]!, $n: Int!, $s: Int!) { drillDetail(indicator: $i, grain: $g, period: $p, cell: $c, page: $n, pageSize: $s) { columns rows } }',
      { i: path.indicator, g: path.grain, p: path.period, c: path.cell.map(({ dimension, values }) => ({ dimension, values })), n: page, s: DETAIL_PAGE },
    );
    out.innerHTML = `<p class="crumbs">${crumbs} › 明细（第 ${page + 1} 页）</p>
      <div class="detail-rows">${table(drillDetail.rows, drillDetail.columns.map((c) => [c, (r) => esc(r[c] ?? '')]), '没有明细')}</div>
      <p>${page > 0 ? '<button class="link prev">上一页</button>' : ''}
         ${drillDetail.rows.length === DETAIL_PAGE ? '<button class="link next">下一页</button>' : ''}</p>`;
    out.querySelector('.prev')?.addEventListener('click', () => detail(box, path, crumbs, page - 1, me));
    out.querySelector('.next')?.addEventListener('click', () => detail(box, path, crumbs, page + 1, me));
  } catch (e) {
    out.innerHTML = `<p class="crumbs">${crumbs}</p><p class="panel-error">${esc(e.message)}</p>`;
  }
}
