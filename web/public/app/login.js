// Sign-in: a username and password, and the six-digit code for administrators (machine
// tokens are for scripts, not for people). An expired password can only be changed.

import { gql, setToken } from './api.js';
import { esc } from './format.js';

const LOGIN = `mutation($u: String!, $p: String!, $c: String) {
  login(username: $u, password: $p, code: $c) { token passwordExpired }
}`;
const CHANGE = `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) }`;

export function renderLogin(root) {
  root.innerHTML = `
    <main class="login">
      <form class="login-card" id="login-form" autocomplete="off">
        <h1>就业大数据平台</h1>
        <p class="subtitle">公共就业服务数据工作台</p>
        <label>用户名<input name="username" required maxlength="64" autofocus></label>
        <label>密码<input name="password" type="password" required maxlength="128"></label>
        <label>动态口令<input name="code" inputmode="numeric" maxlength="6" placeholder="管理员必填，六位数字"></label>
        <p class="form-error" role="alert"></p>
        <button type="submit">登录</button>
      </form>
    </main>`;
  const form = root.querySelector('#login-form');
  const error = root.querySelector('.form-error');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const data = new FormData(form);
    try {
      const answer = await gql(LOGIN, { u: data.get('username'), p: data.get('password'), c: data.get('code') || null });
      setToken(answer.login.token);
      if (answer.login.passwordExpired) renderChangePassword(root, data.get('password'));
      else location.hash = '#/';
    } catch (e) {
      error.textContent = e.code === 'UNAUTHENTICATED'
        ? '用户名、密码或动态口令错误，或账户因连续失败已暂时锁定（5 次失败锁定 15 分钟）'
        : e.message;
    }
  });
}

function renderChangePassword(root, oldPassword) {
  root.innerHTML = `
    <main class="login">
      <form class="login-card" id="change-form">
        <h1>请修改密码</h1>
        <p class="subtitle">密码已过期或为临时密码：至少 12 位，包含大写、小写、数字、符号中的三类，不得包含用户名，不得与近 5 次相同。</p>
        <label>新密码<input name="next" type="password" required maxlength="128"></label>
        <label>再次输入<input name="again" type="password" required maxlength="128"></label>
        <p class="form-error" role="alert"></p>
        <button type="submit">修改并进入</button>
      </form>
    </main>`;
  const form = root.querySelector('#change-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const error = root.querySelector('.form-error');
    if (data.get('next') !== data.get('again')) {
      error.textContent = '两次输入的密码不一致';
      return;
    }
    try {
      // The server ends the session with the change; the user signs in again.
      await gql(CHANGE, { old: oldPassword, new: data.get('next') });
      setToken(null);
      renderLogin(root);
      root.insertAdjacentHTML('afterbegin', `<p class="notice">${esc('密码已修改，请用新密码登录')}</p>`);
    } catch (e) {
      error.textContent = e.message;
    }
  });
}
