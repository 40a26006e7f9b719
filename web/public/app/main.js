// The app's router: `#/login`, `#/` (the 工作台 portal), `#/screen/<board>` (a big
// screen), the desk pages (`#/personal`, `#/messages`, `#/admin/…`). Every page is a
// module exporting a render function `(root, params)`, which may return a function that
// stops its timers.

import { token } from './api.js';
import { renderAudit, renderRoles, renderUsers } from './admin.js';
import { renderBoard } from './board.js';
import { renderCrypto } from './crypto.js';
import { renderCodeTable, renderIndicator, renderKb, renderTerm } from './kb.js';
import { renderLogin } from './login.js';
import { renderMessages } from './messages.js';
import { renderPersonal } from './personal.js';
import { renderPortal } from './portal.js';
import { renderScreen } from './screen.js';

const routes = [
  [/^#\/login$/, renderLogin, false],
  [/^#\/screen\/([a-z_]+)$/, renderScreen, true],
  [/^#\/board\/([a-z_]+)$/, renderBoard, true],
  [/^#\/kb$/, renderKb, true],
  [/^#\/kb\/term\/([^/]+)$/, renderTerm, true],
  [/^#\/kb\/indicator\/([^/]+)$/, renderIndicator, true],
  [/^#\/kb\/table\/([^/]+)$/, renderCodeTable, true],
  [/^#\/personal$/, renderPersonal, true],
  [/^#\/messages$/, renderMessages, true],
  [/^#\/admin\/users$/, renderUsers, true],
  [/^#\/admin\/roles$/, renderRoles, true],
  [/^#\/admin\/crypto$/, renderCrypto, true],
  [/^#\/admin\/audit$/, renderAudit, true],
  [/^#\/?$/, renderPortal, true],
];

let stop = null;

function route() {
  const hash = location.hash || '#/';
  const root = document.getElementById('app');
  if (stop) {
    stop();
    stop = null;
  }
  for (const [pattern, render, needsSession] of routes) {
    const match = hash.match(pattern);
    if (!match) continue;
    if (needsSession && !token()) {
      location.hash = '#/login';
      return;
    }
    root.replaceChildren();
    stop = render(root, match.slice(1)) || null;
    return;
  }
  root.innerHTML = '<p class="page-error">没有这个页面。<a href="#/">返回工作台</a></p>';
}

window.addEventListener('hashchange', route);
route();
