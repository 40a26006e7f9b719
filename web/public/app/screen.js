// A big screen (大屏): one `board` request draws every panel where the board's
// definition puts it (`view`: column, span, widget) on a 1920×1080 stage scaled to the
// window. Refreshed every minute and whenever an ETL run finishes (`live.js`); a failed
// panel shows its error in place.

import { gql } from './api.js';
import { watchDataVersion } from './live.js';
import { forgetLayerPoints } from './map.js';
import { esc } from './format.js';
import { dimensionsOf, loadMembers, namesOf } from './members.js';
import { drawPanel, preparePanels } from './widgets.js';

const BOARD = `query($code: String!, $asOf: String) {
  board(code: $code, asOf: $asOf) {
    code name description asOf
    panels { code title indicators from to columns rows error view { column span widget layers } }
  }
  indicators { code name unit definition }
  dimensions { code name }
}`;


const REFRESH_MS = 60_000;

export function renderScreen(root, [code]) {
  const state = { code, asOf: null, charts: new Map(), members: new Map(), timer: null, clock: null, stopped: false, unwatch: null };
  root.innerHTML = `
    <div class="screen-viewport"><div class="stage" data-board="${esc(code)}">
      <header class="screen-header">
        <a class="back" href="#/" title="返回工作台">◀ 工作台</a>
        <h1>加载中…</h1>
        <div class="screen-meta">
          <label>数据日期 <input type="date" class="as-of"></label>
          <span class="clock"></span>
        </div>
      </header>
      <div class="screen-grid"></div>
    </div></div>`;
  const stage = root.querySelector('.stage');
  const fit = () => {
    const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.transform = `scale(${scale})`;
  };
  fit();
  window.addEventListener('resize', fit);
  root.querySelector('.as-of').addEventListener('change', (e) => {
    state.asOf = e.target.value || null;
    load(root, state);
  });
  const stop = () => {
    state.stopped = true;
    clearInterval(state.timer);
    clearInterval(state.clock);
    if (state.unwatch) state.unwatch();
    window.removeEventListener('resize', fit);
    for (const chart of state.charts.values()) chart.dispose();
  };
  const tick = () => {
    // A screen whose page was left stops itself, whatever the router did.
    if (!stage.isConnected) return stop();
    root.querySelector('.clock').textContent = new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  };
  tick();
  state.clock = setInterval(tick, 1000);
  load(root, state);
  state.timer = setInterval(() => load(root, state), REFRESH_MS);
  // New data: redraw now (the screen's date, when it follows the latest day, moves on).
  state.unwatch = watchDataVersion((version) => {
    forgetLayerPoints();
    root.querySelector('.stage').dataset.dataVersion = version ?? '';
    load(root, state);
  });
  return stop;
}

async function load(root, state) {
  // Refreshes may overlap (timer, new data, a new date): only the newest one draws.
  const mine = (state.loads = (state.loads || 0) + 1);
  const outdated = () => state.stopped || !root.querySelector('.stage') || mine !== state.loads;
  let data;
  try {
    data = await gql(BOARD, { code: state.code, asOf: state.asOf });
  } catch (e) {
    if (outdated()) return;
    root.querySelector('.screen-header h1').textContent = '无法加载';
    root.querySelector('.screen-grid').innerHTML = `<p class="screen-error">${esc(e.message)}</p>`;
    return;
  }
  if (outdated()) return;
  const { board } = data;
  const wanted = dimensionsOf(board.panels, data.indicators.map((i) => i.code));
  preparePanels(board.panels).forEach((d) => wanted.add(d));
  const context = {
    indicators: new Map(data.indicators.map((i) => [i.code, i])),
    dimensions: new Map(data.dimensions.map((d) => [d.code, d.name])),
    members: await employerNames(await loadMembers(state.members, wanted), board.panels),
    charts: state.charts,
  };
  if (outdated()) return;
  root.querySelector('.screen-header h1').textContent = `${board.name}大屏`;
  root.querySelector('.as-of').value = board.asOf;
  const grid = root.querySelector('.screen-grid');
  for (const panel of board.panels) {
    drawPanel(panelSlot(grid, panel), panel, context);
  }
  grid.dataset.loaded = board.asOf;
}

/** The names of the employers the panels' rows show (rankings). */
function employerNames(cache, panels) {
  const codes = panels.flatMap((p) => (p.columns.includes('employer') ? p.rows.map((r) => r.employer) : []));
  return codes.length ? namesOf(cache, 'employer', codes) : cache;
}

/** The panel's box, made once in its column and kept across refreshes. */
function panelSlot(grid, panel) {
  const existing = grid.querySelector(`[data-panel="${CSS.escape(panel.code)}"]`);
  if (existing) return existing;
  const { column, span } = panel.view;
  let col = grid.querySelector(`.screen-column[data-column="${CSS.escape(String(column))}"]`);
  if (!col) {
    col = document.createElement('div');
    col.className = 'screen-column';
    col.dataset.column = String(column);
    // Row 1 always: placed by column, whatever order the panels come in.
    col.style.gridRow = '1';
    grid.append(col);
  }
  col.style.gridColumn = `${column} / span ${Math.max(span, Number(col.dataset.span || 1))}`;
  col.dataset.span = String(Math.max(span, Number(col.dataset.span || 1)));
  const box = document.createElement('section');
  box.className = `panel widget-${panel.view.widget}`;
  box.dataset.panel = panel.code;
  box.innerHTML = `<h2><span class="title"></span><button class="info" title="口径">ⓘ</button></h2><div class="body"></div><div class="popover" hidden></div>`;
  box.querySelector('.title').textContent = panel.title;
  box.querySelector('.info').addEventListener('click', () => {
    const pop = box.querySelector('.popover');
    pop.hidden = !pop.hidden;
  });
  col.append(box);
  return box;
}
