// 密码应用: for the security administrator and the 密码应用 assessor — which algorithm
// protects what, under which key, and the data keys' versions (rotation is done at the
// console: `jiuye key rotate`, `jiuye key reseal`, `jiuye key retire`).

import { gql } from './api.js';
import { esc } from './format.js';
import { failed, frame, table } from './frame.js';

const STATES = { sealing: '加密中（最新）', opening: '仅解密', retired: '已退役' };

export function renderCrypto(root) {
  frame(root, '密码应用')
    .then(async ({ main }) => {
      const { cryptography: c } = await gql(`{ cryptography {
        fingerprint sealingVersion dataKeys { version state }
        algorithms { protects algorithm standard key }
      } }`);
      main.innerHTML = `
        <section class="card" id="keys"><h2>数据密钥</h2>
          <p>主密钥指纹 <code>${esc(c.fingerprint)}</code>；当前用于加密的数据密钥版本：<b class="sealing-version">v${Number(c.sealingVersion)}</b></p>
          ${table(c.dataKeys, [['版本', (k) => `v${Number(k.version)}`], ['状态', (k) => esc(STATES[k.state] || k.state)]])}
          <p class="hint">密钥更新在服务器控制台进行：<code>jiuye key rotate</code> 新增数据密钥，<code>jiuye key reseal</code> 将存量密文迁移到新密钥，
            <code>jiuye key status</code> 按版本统计密文，<code>jiuye key retire 版本</code> 退役旧密钥。服务无需停机，每分钟读取密钥文件。</p></section>
        <section class="card" id="algorithms"><h2>密码算法使用情况</h2>
          ${table(c.algorithms, [['保护对象', (a) => esc(a.protects)], ['算法', (a) => esc(a.algorithm)], ['标准', (a) => esc(a.standard)], ['密钥', (a) => esc(a.key)]])}
        </section>`;
    })
    .catch((e) => failed(root, e));
}
