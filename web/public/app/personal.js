// 个人中心: change one's password, enrol a TOTP authenticator, see and end one's own
// sessions and tokens, and read one's own recent activity (from the audit log).

import { gql, setToken } from './api.js';
import { esc } from './format.js';
import { act, failed, frame, shanghaiTime, table } from './frame.js';

const DATA = `{
  mySessions { id createdAt lastSeenAt expiresAt source live current }
  myTokens { id holder role district createdAt expiresAt revokedAt }
  myActivity(first: 30) { at action outcome source rowCount }
}`;

export function renderPersonal(root) {
  frame(root, '个人中心')
    .then(({ main, me }) => draw(main, me))
    .catch((e) => failed(root, e));
}

async function draw(main, me) {
  main.innerHTML = `
    <section class="card" id="password">
      <h2>修改密码</h2>
      <form class="inline-form">
        <label>当前密码<input name="old" type="password" required maxlength="128"></label>
        <label>新密码<input name="next" type="password" required maxlength="128"></label>
        <button>修改</button><span role="status" class="status"></span>
      </form>
      <p class="hint">至少 12 位，包含大写、小写、数字、符号中的三类，不得包含用户名、不得与近 5 次相同；修改后需重新登录。</p>
    </section>
    <section class="card" id="totp">
      <h2>动态口令（双因素认证）</h2>
      <p class="hint">管理员必须使用；其他角色可自愿启用。启用后登录需输入认证器 App 显示的六位数字。</p>
      <button id="begin-totp">生成新的密钥</button><span role="status" class="status"></span>
      <div class="enrolment" hidden></div>
    </section>
    <section class="card" id="sessions"><h2>我的会话</h2><div class="list"></div></section>
    <section class="card" id="tokens">
      <h2>我的接口令牌</h2>
      ${me.role ? `<form class="inline-form" id="new-token">
        <label>用途<input name="label" required maxlength="64" placeholder="如：报表脚本"></label>
        <label>有效天数<input name="days" type="number" min="1" max="90" value="30"></label>
        <button>创建令牌</button><span role="status" class="status"></span></form>
        <p class="new-token" hidden></p>` : ''}
      <div class="list"></div>
    </section>
    <section class="card" id="activity"><h2>最近活动</h2><div class="list"></div></section>`;
  main.querySelector('#password form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const done = await act(event.target.querySelector('.status'), () =>
      gql('mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }', { o: data.get('old'), n: data.get('next') }),
    '密码已修改，请重新登录');
    if (done) {
      // The server ended every session of this account with the change.
      setToken(null);
      location.hash = '#/login';
    }
  });
  main.querySelector('#begin-totp').addEventListener('click', async (event) => {
    const box = main.querySelector('.enrolment');
    const answer = await act(event.target.nextElementSibling, () => gql('mutation { beginTotpEnrolment { secret uri } }'), '请在认证器 App 中添加以下密钥');
    if (!answer) return;
    const { secret, uri } = answer.beginTotpEnrolment;
    box.hidden = false;
    box.innerHTML = `<p>密钥（手动输入）：<code class="secret">${esc(secret)}</code></p><p class="hint">或导入：<code>${esc(uri)}</code></p>
      <form class="inline-form"><label>认证器显示的六位数字<input name="code" inputmode="numeric" maxlength="6" required></label>
      <button>确认启用</button><span role="status" class="status"></span></form>`;
    box.querySelector('form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const code = new FormData(e.target).get('code');
      await act(e.target.querySelector('.status'), () => gql('mutation($c: String!) { confirmTotpEnrolment(code: $c) }', { c: code }), '动态口令已启用');
    });
  });
  const tokenForm = main.querySelector('#new-token');
  if (tokenForm) {
    tokenForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(tokenForm);
      const answer = await act(tokenForm.querySelector('.status'), () =>
        gql('mutation($l: String!, $d: Int!) { createMyToken(label: $l, days: $d) { token } }', { l: data.get('label'), d: Number(data.get('days')) }),
      '已创建');
      if (!answer) return;
      const shown = main.querySelector('.new-token');
      shown.hidden = false;
      shown.innerHTML = `新令牌（只显示这一次，请立即保存）：<code class="token">${esc(answer.createMyToken.token)}</code>`;
      refresh(main);
    });
  }
  await refresh(main);
}

async function refresh(main) {
  const data = await gql(DATA);
  main.querySelector('#sessions .list').innerHTML = table(data.mySessions, [
    ['开始', (s) => shanghaiTime(s.createdAt)],
    ['最近活动', (s) => shanghaiTime(s.lastSeenAt)],
    ['到期', (s) => shanghaiTime(s.expiresAt)],
    ['来源', (s) => esc(s.source || '—')],
    ['状态', (s) => (s.current ? '当前会话' : s.live ? '有效' : '已结束')],
    ['', (s) => (s.live && !s.current ? `<button class="link" data-session="${esc(s.id)}">结束</button>` : '')],
  ]);
  main.querySelector('#tokens .list').innerHTML = table(data.myTokens, [
    ['编号', (t) => `<code>${esc(t.id)}</code>`],
    ['用途', (t) => esc(t.holder || '')],
    ['创建', (t) => shanghaiTime(t.createdAt)],
    ['到期', (t) => shanghaiTime(t.expiresAt)],
    ['状态', (t) => (t.revokedAt ? `已吊销 ${shanghaiTime(t.revokedAt)}` : '有效')],
    ['', (t) => (t.revokedAt ? '' : `<button class="link" data-token="${esc(t.id)}">吊销</button>`)],
  ], '没有令牌');
  main.querySelector('#activity .list').innerHTML = table(data.myActivity, [
    ['时间', (a) => shanghaiTime(a.at)],
    ['操作', (a) => esc(a.action)],
    ['结果', (a) => esc(a.outcome)],
    ['来源', (a) => esc(a.source || '—')],
    ['行数', (a) => esc(a.rowCount ?? '')],
  ]);
  for (const button of main.querySelectorAll('[data-session]')) {
    button.addEventListener('click', async () => {
      await gql('mutation($id: String!) { revokeMySession(id: $id) }', { id: button.dataset.session }).catch((e) => alert(e.message));
      refresh(main);
    });
  }
  for (const button of main.querySelectorAll('[data-token]')) {
    button.addEventListener('click', async () => {
      await gql('mutation($id: String!) { revokeMyToken(id: $id) }', { id: button.dataset.token }).catch((e) => alert(e.message));
      refresh(main);
    });
  }
}
