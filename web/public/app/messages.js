// 消息中心: the caller's messages (to them, or to everyone of their role), newest first;
// read marks; the list follows new messages while the page is open.

import { gql } from './api.js';
import { esc } from './format.js';
import { act, failed, frame, shanghaiTime } from './frame.js';

const SEVERITY = { info: '通知', warning: '预警', critical: '严重' };
const POLL_MS = 15_000;

export function renderMessages(root) {
  let timer = null;
  let stopped = false;
  frame(root, '消息中心')
    .then(({ main }) => {
      main.innerHTML = `
        <div class="toolbar">
          <label><input type="checkbox" id="unread-only"> 只看未读</label>
          <button id="read-all">全部标为已读</button><span role="status" class="status"></span>
        </div>
        <ul class="messages"></ul>`;
      const status = main.querySelector('.toolbar .status');
      const load = () =>
        list(main).catch((e) => {
          status.className = 'status error';
          status.textContent = e.message;
        });
      main.querySelector('#unread-only').addEventListener('change', load);
      main.querySelector('#read-all').addEventListener('click', async (event) => {
        const ids = [...main.querySelectorAll('.message[data-read="false"]')].map((m) => Number(m.dataset.id));
        if (!ids.length) return;
        await act(event.target.nextElementSibling, () => gql('mutation($ids: [Int!]!) { markMessagesRead(ids: $ids) }', { ids }), '已标为已读');
        load();
      });
      if (!stopped) timer = setInterval(load, POLL_MS);
      return load();
    })
    .catch((e) => failed(root, e));
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

async function list(main) {
  const unreadOnly = main.querySelector('#unread-only').checked;
  const { messages, unreadCount } = await gql('query($u: Boolean!) { messages(unreadOnly: $u, first: 100) { id createdAt kind severity title body to read } unreadCount }', { u: unreadOnly });
  const badge = document.querySelector('.topbar .unread b');
  if (badge) badge.textContent = String(unreadCount);
  const box = main.querySelector('.messages');
  box.innerHTML = messages.length
    ? messages
        .map((m) => `<li class="message severity-${esc(m.severity)}" data-id="${Number(m.id)}" data-read="${m.read}">
          <div class="message-head"><span class="badge">${esc(SEVERITY[m.severity] || m.severity)}</span>
            <strong>${esc(m.title)}</strong><time>${shanghaiTime(m.createdAt)}</time>
            ${m.read ? '<span class="read">已读</span>' : '<button class="link mark-read">标为已读</button>'}</div>
          <p>${esc(m.body)}</p></li>`)
        .join('')
    : '<li class="empty">没有消息</li>';
  for (const button of box.querySelectorAll('.mark-read')) {
    button.addEventListener('click', async () => {
      const id = Number(button.closest('.message').dataset.id);
      await gql('mutation($ids: [Int!]!) { markMessagesRead(ids: $ids) }', { ids: [id] }).catch(() => null);
      list(main);
    });
  }
}
