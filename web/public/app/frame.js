// The workbench frame every desk page shares: the top bar (who is signed in, unread
// messages, sign-out) and a titled content area. Pages fill `main`.

import { gql, setToken } from './api.js';
import { esc } from './format.js';

const ROLE_NAMES = {
  system_admin: '系统管理员', security_admin: '安全管理员', audit_admin: '审计管理员', monitor: '监控',
  city_analyst: '市级分析员', district_analyst: '区级分析员', viewer: '浏览者', data_engineer: '数据工程师',
};

export function roleName(role) {
  return ROLE_NAMES[role] || role || '未分配角色';
}

/** Thrown when the user left a page before it finished loading: nothing to show. */
export class Stale extends Error {}

/** Draws the frame for the signed-in caller; resolves to { main, me }. Rejects with
 * `Stale` if the user moved to another page meanwhile (the new page owns `root`). */
export async function frame(root, title) {
  const page = location.hash;
  root.innerHTML = '<p class="loading">正在加载…</p>';
  const { me, unreadCount } = await gql('{ me { holder role district permissions } unreadCount }');
  if (location.hash !== page) throw new Stale(page);
  root.innerHTML = `
    <header class="topbar">
      <a class="brand" href="#/">就业大数据平台 · 工作台</a>
      <span class="who">${esc(me.holder)} · ${esc(roleName(me.role))}${me.district ? ` · ${esc(me.district)}` : ''}
        <a class="unread" href="#/messages" title="消息中心">消息 <b>${Number(unreadCount)}</b></a>
        <a class="link" href="#/personal">个人中心</a>
        <button class="link" id="logout">退出</button></span>
    </header>
    <main class="desk">${title ? `<h1 class="page-title">${esc(title)}</h1>` : ''}<div class="page"></div></main>`;
  root.querySelector('#logout').addEventListener('click', async () => {
    try {
      await gql('mutation { logout }');
    } catch (e) {
      // The server may still hold the session: say so rather than pretend.
      if (e.code !== 'UNAUTHENTICATED') alert(`退出未完成：${e.message}`);
    }
    setToken(null);
    location.hash = '#/login';
  });
  return { main: root.querySelector('.page'), me };
}

/** Shows a failure where the page would be (nothing for a page already left). */
export function failed(root, error) {
  if (error instanceof Stale) return;
  root.innerHTML = `<p class="page-error">${esc(error.message)} <a href="#/">返回工作台</a></p>`;
}

/** A table of `rows` with `columns` = [[header, row => html]] (cells escape their text). */
export function table(rows, columns, empty = '暂无数据') {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  return `<table class="grid"><thead><tr>${columns.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
    <tbody>${rows.map((r) => `<tr>${columns.map(([, cell]) => `<td>${cell(r)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Shanghai time of a UTC timestamp, as staff read it. */
export function shanghaiTime(utc) {
  if (!utc) return '—';
  const date = new Date(utc);
  if (Number.isNaN(date.getTime())) return esc(utc);
  return esc(date.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }));
}

/** Runs `action`, then shows its outcome in `status` (an element with role=status). */
export async function act(status, action, done) {
  status.className = 'status';
  status.textContent = '处理中…';
  try {
    const result = await action();
    status.textContent = done || '已完成';
    return result;
  } catch (e) {
    status.className = 'status error';
    status.textContent = e.message;
    return undefined;
  }
}
