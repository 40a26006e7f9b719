// The 工作台 portal: the subsystems the signed-in role may open. Which tiles show
// follows the role's permissions from `me`, the same list the server checks; the
// personal centre and the message centre are everyone's.

import { gql } from './api.js';
import { esc } from './format.js';
import { failed, frame } from './frame.js';

/** The subsystems, in the order the portal lists them; `needs` is a permission. */
export const APPS = [
  { href: '#/screen/decision_support', title: '决策支持大屏', note: '领导驾驶舱：当日数据、综合指标完成、失业保险基金、政策帮扶、分区地图', needs: 'board.read', icon: '◆' },
  { href: '#/screen/business_handling', title: '业务经办管理大屏', note: '招退工、就失业登记、招聘与培训经办的时间、区域、结构分布', needs: 'board.read', icon: '▣' },
  { href: '#/screen/situation_analysis', title: '形势分析研判大屏', note: '就业形势趋势、同比环比、分区与行业结构', needs: 'board.read', icon: '▲' },
  { href: '#/kb', title: '知识库', note: '术语、指标字典与代码表：支持拼音、首字母与并称检索', needs: 'glossary.read', icon: '❖' },
  { href: '#/admin/users', title: '用户管理', note: '账号的创建、停用、解锁与密码重置；接口令牌', needs: 'user.manage', icon: '☰' },
  { href: '#/admin/roles', title: '角色管理', note: '业务角色及其权限，为用户分配角色', needs: 'role.manage', icon: '⚑' },
  { href: '#/admin/crypto', title: '密码应用', note: '密码算法使用情况与数据密钥版本', needs: 'key.manage', icon: '⚿' },
  { href: '#/admin/audit', title: '审计日志', note: '按操作者、操作与时间查询审计记录', needs: 'audit.read', icon: '✎' },
  { href: '#/messages', title: '消息中心', note: 'ETL 完成与失败、隔离率、目标预警、密码到期提醒', needs: null, icon: '✉' },
  { href: '#/personal', title: '个人中心', note: '修改密码、动态口令、我的会话与令牌、最近活动', needs: null, icon: '☺' },
  { href: '/graphiql', title: '接口调试', note: 'GraphiQL：前端团队查询指标与看板的参考', needs: 'indicator.read', icon: '⌘' },
];

/** The boards that are not big screens: one 业务专题分析 tile each. */
async function topicBoards(me) {
  if (!me.permissions.includes('board.read')) return [];
  const { boards } = await gql('{ boards { code name description } }');
  const screens = new Set(APPS.map((a) => a.href.replace('#/screen/', '')));
  return boards
    .filter((b) => !screens.has(b.code))
    .map((b) => ({ href: `#/board/${encodeURIComponent(b.code)}`, title: `业务专题分析 · ${b.name.replace(/^专题·/, '')}`, note: b.description, needs: null, icon: '▤' }));
}

export function renderPortal(root) {
  frame(root, null)
    .then(async ({ main, me }) => {
      const allowed = APPS.filter((a) => a.needs === null || me.permissions.includes(a.needs));
      const apps = [...allowed.slice(0, 3), ...(await topicBoards(me)), ...allowed.slice(3)];
      main.innerHTML = `
        <h2 class="section-title">应用</h2>
        <ul class="apps">${apps
          .map((a) => `<li><a class="app-tile" href="${esc(a.href)}"><span class="icon">${a.icon}</span>
            <strong>${esc(a.title)}</strong><small>${esc(a.note)}</small></a></li>`)
          .join('')}</ul>
        ${me.role ? '' : '<p class="empty">当前账号还没有角色；请联系安全管理员分配角色。</p>'}`;
    })
    .catch((e) => failed(root, e));
}
