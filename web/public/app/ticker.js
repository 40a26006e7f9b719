// The day's records, scrolling (`view.widget: ticker`): the panel's counts on top, then
// the records behind each indicator (`drillDetail`, DAY = the board's date) as the
// caller's detail view shows them — masked names and IDs for a role that reads them,
// de-identified rows otherwise. A role without detail rows sees the counts only.

import { gql } from './api.js';
import { memberName, name, unit } from './chart.js';
import { esc, formatNumber } from './format.js';
import { loadMembers } from './members.js';

/** Records asked per indicator: enough for a minute of scrolling. */
const PER_INDICATOR = 12;
/** Member names a record's line uses. */
export const TICKER_MEMBERS = ['district', 'gender', 'age_band', 'hukou_type', 'education'];

/** Records asked ahead by `prepareTicker`, by panel code. */
const asked = new Map();

/** Asks the panel's records as soon as the board has answered. */
export function prepareTicker(panel) {
  const records = recordsOf(panel);
  records.catch(() => {}); // the ticker shows the failure when it draws
  asked.set(panel.code, records);
}

export function ticker(body, panel, context) {
  if (!body.querySelector('.ticker')) {
    body.innerHTML = `<div class="ticker"><div class="ticker-counts"></div>
      <div class="ticker-window"><ul class="ticker-list"></ul></div></div>`;
  }
  const row = panel.rows[panel.rows.length - 1] || {};
  // A day without rows had none of these events (0); a suppressed cell shows a dash.
  const count = (code) => row[code] ?? (panel.rows.length ? null : 0);
  body.querySelector('.ticker-counts').innerHTML = panel.indicators
    .map((code) => `<span data-indicator="${esc(code)}">${esc(name(context, code))} <b>${esc(formatNumber(count(code), unit(context, code)))}</b></span>`)
    .join('');
  const list = body.querySelector('.ticker-list');
  const records = asked.get(panel.code) || recordsOf(panel);
  asked.delete(panel.code);
  // Overlapping refreshes: only the newest answer draws.
  const stamp = String((Number(list.dataset.answer) || 0) + 1);
  list.dataset.answer = stamp;
  records
    .then(async (lines) => {
      await loadMembers(context.members, TICKER_MEMBERS);
      if (list.isConnected && list.dataset.answer === stamp) show(list, lines.map((l) => describe(l, context, panel.to)));
    })
    .catch((e) => {
      if (!list.isConnected || list.dataset.answer !== stamp) return;
      const why = e.code === 'FORBIDDEN' ? '当前角色不查看办理明细，仅显示当日数量' : `办理明细暂不可用：${e.message}`;
      list.closest('.ticker').dataset.records = '0';
      list.classList.add('still');
      list.innerHTML = `<li class="ticker-note">${esc(why)}</li>`;
    });
}

/** Every indicator's records of the day (the last loaded of each), newest change first.
 * Asked one indicator at a time: a role refused one source still sees the others'; only
 * when every one is refused (or fails) does the ticker say so. */
async function recordsOf(panel) {
  const query = `query($i: String!, $day: String!) {
    drillDetail(indicator: $i, grain: DAY, period: $day, pageSize: ${PER_INDICATOR}, newestFirst: true) { rows } }`;
  const answers = await Promise.allSettled(panel.indicators.map((i) => gql(query, { i, day: panel.to })));
  if (answers.every((a) => a.status === 'rejected')) throw answers[0].reason;
  return answers
    .flatMap((a, n) => (a.status === 'fulfilled' ? a.value.drillDetail.rows.map((row) => ({ indicator: panel.indicators[n], row })) : []))
    .sort((a, b) => String(b.row.updated_at || '').localeCompare(String(a.row.updated_at || '')));
}

/** One record as a line: what was done, where, for whom (as masked as the role sees it). */
function describe({ indicator, row }, context, day) {
  const coded = (dimension) => (row[dimension] ? memberName(context, dimension, row[dimension]) : '');
  const who = [row.name_masked, row.id_number_masked].filter(Boolean).join(' ');
  const parts = [coded('district'), who, coded('gender'), coded('age_band'), coded('hukou_type'), coded('education'), row.employer_name || ''];
  return { what: name(context, indicator), time: entered(row.updated_at, day), text: parts.filter(Boolean).join(' · ') };
}

/** When the record was entered: 更新时间 as the source system wrote it (Beijing time), the
 * time of day alone when it was entered on the day itself, else with its date (补录). */
function entered(stamp, day) {
  const text = String(stamp || '');
  if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(text)) return '';
  return text.slice(0, 10) === day ? text.slice(11, 16) : text.slice(5, 16).replace('T', ' ');
}

function show(list, lines) {
  const ticker = list.closest('.ticker');
  ticker.dataset.records = String(lines.length);
  list.classList.toggle('still', !lines.length);
  if (!lines.length) {
    list.innerHTML = '<li class="ticker-note">当日暂无办理记录</li>';
    return;
  }
  const item = (l) => `<li><span class="time">${esc(l.time)}</span><span class="what">${esc(l.what)}</span><span class="text">${esc(l.text)}</span></li>`;
  // The list twice, scrolled by half its height: an endless loop without a jump.
  list.innerHTML = lines.map(item).join('') + lines.map(item).join('');
  list.style.animationDuration = `${Math.max(20, lines.length * 2.5)}s`;
}
