// Administration by duty (三员分立): 用户管理 for the system administrator (accounts and
// machine tokens), 角色管理 for the security administrator (roles, their permissions,
// who holds which), 审计日志 for the audit administrator. Each page asks only what its
// duty may; the server checks the same permissions.

import { gql } from './api.js';
import { esc } from './format.js';
import { act, failed, frame, roleName, shanghaiTime, table } from './frame.js';

const USERS = `{
  users { username displayName role district disabled locked secondFactor passwordExpired createdAt }
  tokens { id role district holder owner createdAt expiresAt revokedAt }
}`;

export function renderUsers(root) {
  frame(root, '用户管理')
    .then(({ main }) => {
      main.innerHTML = `
        <section class="card"><h2>新建账号</h2>
          <form class="inline-form" id="create-user">
            <label>用户名<input name="username" required maxlength="64"></label>
            <label>姓名<input name="displayName" maxlength="64"></label>
            <label>临时密码<input name="password" type="password" required maxlength="128"></label>
            <button>创建</button><span role="status" class="status"></span>
          </form>
          <p class="hint">新账号没有角色，由安全管理员分配；首次登录须修改临时密码。</p></section>
        <section class="card" id="users"><h2>账号</h2><div class="list"></div></section>
        <section class="card" id="tokens"><h2>接口令牌</h2><div class="list"></div></section>`;
      main.querySelector('#create-user').addEventListener('submit', async (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const created = await act(event.target.querySelector('.status'), () =>
          gql('mutation($u: String!, $d: String, $p: String!) { createUser(username: $u, displayName: $d, temporaryPassword: $p) { username } }', {
            u: data.get('username'), d: data.get('displayName') || null, p: data.get('password'),
          }), '已创建');
        if (created) {
          event.target.reset();
          usersList(main);
        }
      });
      return usersList(main);
    })
    .catch((e) => failed(root, e));
}

async function usersList(main) {
  const { users, tokens } = await gql(USERS);
  const state = (u) => [u.disabled ? '已停用' : '正常', u.locked ? '已锁定' : '', u.passwordExpired ? '密码已过期' : ''].filter(Boolean).join(' · ');
  main.querySelector('#users .list').innerHTML = table(users, [
    ['用户名', (u) => esc(u.username)],
    ['姓名', (u) => esc(u.displayName || '')],
    ['角色', (u) => esc(roleName(u.role))],
    ['区', (u) => esc(u.district || '')],
    ['双因素', (u) => (u.secondFactor ? '已启用' : '未启用')],
    ['状态', (u) => esc(state(u))],
    ['创建', (u) => shanghaiTime(u.createdAt)],
    ['', (u) => `<button class="link" data-act="${u.disabled ? 'enable' : 'disable'}" data-user="${esc(u.username)}">${u.disabled ? '启用' : '停用'}</button>
      ${u.locked ? `<button class="link" data-act="unlock" data-user="${esc(u.username)}">解锁</button>` : ''}
      <button class="link" data-act="reset" data-user="${esc(u.username)}">重置密码</button>`],
  ]);
  main.querySelector('#tokens .list').innerHTML = table(tokens, [
    ['编号', (t) => `<code>${esc(t.id)}</code>`],
    ['持有者', (t) => esc(t.holder || '')],
    ['角色', (t) => esc(roleName(t.role))],
    ['区', (t) => esc(t.district || '')],
    ['到期', (t) => shanghaiTime(t.expiresAt)],
    ['状态', (t) => (t.revokedAt ? '已吊销' : '有效')],
    ['', (t) => (t.revokedAt ? '' : `<button class="link" data-token="${esc(t.id)}">吊销</button>`)],
  ], '没有令牌');
  for (const button of main.querySelectorAll('[data-user]')) {
    button.addEventListener('click', () => userAction(main, button.dataset.act, button.dataset.user));
  }
  for (const button of main.querySelectorAll('[data-token]')) {
    button.addEventListener('click', async () => {
      await gql('mutation($id: String!) { revokeToken(id: $id) { id } }', { id: button.dataset.token }).catch((e) => alert(e.message));
      usersList(main);
    });
  }
}

async function userAction(main, action, username) {
  const run = {
    disable: () => gql('mutation($u: String!) { setUserDisabled(username: $u, disabled: true) }', { u: username }),
    enable: () => gql('mutation($u: String!) { setUserDisabled(username: $u, disabled: false) }', { u: username }),
    unlock: () => gql('mutation($u: String!) { unlockUser(username: $u) }', { u: username }),
    reset: () => {
      const temporary = prompt(`为 ${username} 设置临时密码（首次登录须修改）：`);
      return temporary ? gql('mutation($u: String!, $p: String!) { resetPassword(username: $u, temporaryPassword: $p) }', { u: username, p: temporary }) : null;
    },
  }[action];
  try {
    await run();
  } catch (e) {
    alert(e.message);
  }
  usersList(main);
}

const ROLES = `{
  roles { name title duty scope detailView permissions indicators boards builtin }
  permissions { name duty }
}`;

export function renderRoles(root) {
  frame(root, '角色管理')
    .then(async ({ main }) => {
      main.innerHTML = `
        <section class="card"><h2>分配角色</h2>
          <form class="inline-form" id="assign">
            <label>用户名<input name="username" required maxlength="64"></label>
            <label>角色<select name="role"></select></label>
            <label>区（区级角色）<input name="district" maxlength="6" placeholder="如 310115"></label>
            <button>分配</button><span role="status" class="status"></span>
          </form>
          <p class="hint">只能分配业务角色；管理员角色只能在服务器控制台分配；不能给自己分配角色。</p></section>
        <section class="card" id="roles"><h2>角色与权限</h2><div class="list"></div></section>
        <section class="card"><h2>新建或修改业务角色</h2>
          <form class="stack-form" id="save-role">
            <label>名称<input name="name" required maxlength="64" pattern="[a-z][a-z0-9_]*"></label>
            <label>中文名<input name="title" required maxlength="64"></label>
            <label>范围<select name="scope"><option value="city">全市</option><option value="district">区</option></select></label>
            <label>明细视图<select name="detailView"><option value="">无</option><option value="deidentified">去标识</option><option value="masked_identity">掩码身份</option></select></label>
            <fieldset class="permissions"><legend>权限</legend></fieldset>
            <button>保存</button><span role="status" class="status"></span>
          </form></section>`;
      await rolesList(main);
      main.querySelector('#assign').addEventListener('submit', async (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        await act(event.target.querySelector('.status'), () =>
          gql('mutation($u: String!, $r: String!, $d: String) { assignRole(username: $u, role: $r, district: $d) }', {
            u: data.get('username'), r: data.get('role'), d: data.get('district') || null,
          }), '已分配');
      });
      main.querySelector('#save-role').addEventListener('submit', async (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const role = {
          name: data.get('name'), title: data.get('title'), scope: data.get('scope'),
          detailView: data.get('detailView') || null, permissions: data.getAll('permission'),
        };
        const saved = await act(event.target.querySelector('.status'), () => gql('mutation($r: RoleInput!) { saveRole(role: $r) { name } }', { r: role }), '已保存');
        if (saved) rolesList(main);
      });
    })
    .catch((e) => failed(root, e));
}

async function rolesList(main) {
  const { roles, permissions } = await gql(ROLES);
  main.querySelector('#roles .list').innerHTML = table(roles, [
    ['名称', (r) => `<code>${esc(r.name)}</code>`],
    ['中文名', (r) => esc(r.title)],
    ['职责', (r) => esc(r.duty)],
    ['范围', (r) => esc(r.scope === 'district' ? '区' : r.scope === 'city' ? '全市' : '—')],
    ['明细视图', (r) => esc(r.detailView || '—')],
    ['权限', (r) => esc(r.permissions.join('、'))],
    ['指标 / 看板', (r) => (r.duty === 'business' ? esc(`${r.indicators ? r.indicators.length : '全部'} / ${r.boards ? r.boards.length : '全部'}`) : '—')],
    ['', (r) => (r.builtin ? '内置' : `<button class="link" data-delete="${esc(r.name)}">删除</button>`)],
  ]);
  const business = roles.filter((r) => r.duty === 'business');
  main.querySelector('#assign select').innerHTML = business.map((r) => `<option value="${esc(r.name)}">${esc(r.title)}（${esc(r.name)}）</option>`).join('');
  main.querySelector('.permissions').innerHTML = '<legend>权限</legend>' + permissions
    .filter((p) => p.duty === 'business')
    .map((p) => `<label class="check"><input type="checkbox" name="permission" value="${esc(p.name)}"> ${esc(p.name)}</label>`)
    .join('');
  for (const button of main.querySelectorAll('[data-delete]')) {
    button.addEventListener('click', async () => {
      if (!confirm(`删除角色 ${button.dataset.delete}？`)) return;
      await gql('mutation($n: String!) { deleteRole(name: $n) }', { n: button.dataset.delete }).catch((e) => alert(e.message));
      rolesList(main);
    });
  }
}

/** A Shanghai calendar day as the instant it starts (the audit log keeps UTC). */
function dayStart(day, plusDays = 0) {
  const d = new Date(`${day}T00:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString();
}

const AUDIT = `query($f: String, $t: String, $a: String, $c: String, $after: Int) {
  auditLog(from: $f, to: $t, actor: $a, action: $c, first: 200, after: $after) {
    entries { seq at actor role district source action outcome rowCount } next } }`;

export function renderAudit(root) {
  frame(root, '审计日志')
    .then(({ main }) => {
      main.innerHTML = `
        <form class="inline-form" id="audit-filter">
          <label>操作者<input name="actor" maxlength="64"></label>
          <label>操作<input name="action" maxlength="64" placeholder="如 login.failed"></label>
          <label>自（含）<input name="from" type="date"></label>
          <label>至（含）<input name="to" type="date"></label>
          <button>查询</button><span role="status" class="status"></span>
        </form>
        <p class="hint">按北京时间的日期查询，从最早的记录起每页 200 条。</p>
        <div class="list"></div><p><button class="link" id="audit-next" hidden>下一页</button></p>`;
      const form = main.querySelector('#audit-filter');
      const next = main.querySelector('#audit-next');
      let after = null;
      const load = async (page) => {
        const data = new FormData(form);
        const v = (k) => data.get(k) || null;
        const vars = { f: v('from') && dayStart(v('from')), t: v('to') && dayStart(v('to'), 1), a: v('actor'), c: v('action'), after: page };
        const answer = await act(form.querySelector('.status'), () => gql(AUDIT, vars), '');
        if (!answer) return;
        after = answer.auditLog.next;
        next.hidden = after === null;
        main.querySelector('.list').innerHTML = table(answer.auditLog.entries, [
          ['序号', (e) => esc(e.seq)],
          ['时间', (e) => shanghaiTime(e.at)],
          ['操作者', (e) => esc(e.actor)],
          ['角色', (e) => esc(roleName(e.role))],
          ['来源', (e) => esc(e.source || '')],
          ['操作', (e) => esc(e.action)],
          ['结果', (e) => esc(e.outcome)],
          ['行数', (e) => esc(e.rowCount ?? '')],
        ], '没有记录');
      };
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        load(null);
      });
      next.addEventListener('click', () => load(after));
      return load(null);
    })
    .catch((e) => failed(root, e));
}
