// 知识库: search terms, indicators, dimensions and code values (by name, pinyin, initials,
// 并称 such as 招退工), term pages with their links, the indicator dictionary (each
// indicator's 口径 in Chinese and English) and the code tables.

import { gql } from './api.js';
import { esc } from './format.js';
import { failed, frame, table } from './frame.js';

const KINDS = { TERM: '术语', INDICATOR: '指标', DIMENSION: '维度', CODE_VALUE: '代码' };

export function renderKb(root) {
  frame(root, '知识库')
    .then(async ({ main }) => {
      main.innerHTML = `
        <section class="card"><form class="kb-search" autocomplete="off">
          <input name="q" maxlength="64" placeholder="输入术语、指标或代码：支持拼音、首字母与并称（如 招退工、sydj）" autofocus>
        </form><ul class="kb-hits"></ul></section>
        <section class="card" id="dictionary"><h2>指标字典</h2><div class="list"></div></section>`;
      const input = main.querySelector('input[name=q]');
      let timer = null;
      input.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => search(main, input.value.trim()), 250);
      });
      main.querySelector('form').addEventListener('submit', (e) => {
        e.preventDefault();
        search(main, input.value.trim());
      });
      const { indicators } = await gql('{ indicators { code name unit definition } }');
      main.querySelector('#dictionary .list').innerHTML = table(indicators, [
        ['指标', (i) => `<a href="#/kb/indicator/${esc(encodeURIComponent(i.code))}">${esc(i.name)}</a>`],
        ['代码', (i) => `<code>${esc(i.code)}</code>`],
        ['单位', (i) => esc(i.unit)],
        ['口径', (i) => esc(i.definition)],
      ]);
    })
    .catch((e) => failed(root, e));
}

async function search(main, query) {
  const list = main.querySelector('.kb-hits');
  if (!query) {
    list.innerHTML = '';
    return;
  }
  try {
    const { kbSearch } = await gql('query($q: String!) { kbSearch(query: $q, limit: 30) { kind key title matched } }', { q: query });
    list.innerHTML = kbSearch.length
      ? kbSearch.map((h) => `<li><span class="badge">${esc(KINDS[h.kind] || h.kind)}</span> ${link(h)} <small class="hint">${esc(h.matched)}</small></li>`).join('')
      : '<li class="empty">没有找到</li>';
  } catch (e) {
    list.innerHTML = `<li class="page-error">${esc(e.message)}</li>`;
  }
}

function link(hit) {
  switch (hit.kind) {
    case 'TERM': return `<a href="#/kb/term/${encodeURIComponent(hit.key)}">${esc(hit.title)}</a>`;
    case 'INDICATOR': return `<a href="#/kb/indicator/${encodeURIComponent(hit.key)}">${esc(hit.title)}</a>`;
    case 'CODE_VALUE': return `<a href="#/kb/table/${encodeURIComponent(hit.key.split(':')[0])}">${esc(hit.title)}</a> <code>${esc(hit.key)}</code>`;
    default: return `${esc(hit.title)} <code>${esc(hit.key)}</code>`;
  }
}

const links = (items, kind) => items.map((l) => (l.available === false ? `${esc(l.name || l.code)}（规划中）` : `<a href="#/kb/${kind}/${encodeURIComponent(l.code)}">${esc(l.name || l.code)}</a>`)).join('、') || '—';

export function renderTerm(root, [code]) {
  frame(root, '知识库 · 术语')
    .then(async ({ main }) => {
      const { term: t } = await gql(`query($c: String!) { term(code: $c) { code name english definition source { document article }
        synonyms abbreviations jointAbbreviations related { code name available } indicators { code name available } dimensions { code name } } }`, { c: decodeURIComponent(code) });
      if (!t) {
        main.innerHTML = '<p class="empty">没有这个术语。<a href="#/kb">返回知识库</a></p>';
        return;
      }
      main.innerHTML = `<section class="card term" data-term="${esc(t.code)}">
        <h2>${esc(t.name)} <small class="hint">${esc(t.english)} · <code>${esc(t.code)}</code></small></h2>
        <p class="definition">${esc(t.definition)}</p>
        <dl class="facts">
          <dt>来源</dt><dd>${esc(t.source.document)}${t.source.article ? ` ${esc(t.source.article)}` : ''}</dd>
          <dt>同义词</dt><dd>${esc(t.synonyms.join('、') || '—')}</dd>
          <dt>简称</dt><dd>${esc([...t.abbreviations, ...t.jointAbbreviations.map((j) => `${j}（并称）`)].join('、') || '—')}</dd>
          <dt>相关术语</dt><dd>${links(t.related, 'term')}</dd>
          <dt>相关指标</dt><dd class="indicator-links">${links(t.indicators, 'indicator')}</dd>
          <dt>相关维度</dt><dd>${esc(t.dimensions.map((d) => d.name || d.code).join('、') || '—')}</dd>
        </dl><p><a href="#/kb">返回知识库</a></p></section>`;
    })
    .catch((e) => failed(root, e));
}

export function renderIndicator(root, [code]) {
  frame(root, '知识库 · 指标')
    .then(async ({ main }) => {
      const { indicator: i } = await gql(`query($c: String!) { indicator(code: $c) { code name definition definitionEn unit formula additive
        dimensions source sourceTable feeds refresh terms { code name available } } }`, { c: decodeURIComponent(code) });
      if (!i) {
        main.innerHTML = '<p class="empty">没有这个指标。<a href="#/kb">返回知识库</a></p>';
        return;
      }
      main.innerHTML = `<section class="card indicator" data-indicator="${esc(i.code)}">
        <h2>${esc(i.name)} <small class="hint"><code>${esc(i.code)}</code></small></h2>
        <p class="definition">${esc(i.definition)}</p>
        ${i.definitionEn ? `<p class="hint definition-en">${esc(i.definitionEn)}</p>` : ''}
        <dl class="facts">
          <dt>单位</dt><dd>${esc(i.unit)}</dd>
          <dt>公式</dt><dd><code>${esc(i.formula)}</code></dd>
          <dt>可加</dt><dd>${i.additive ? '可跨维度相加' : '不可相加（去重计数或比率）'}</dd>
          <dt>维度</dt><dd>${esc(i.dimensions.join('、'))}</dd>
          <dt>来源</dt><dd>${esc(i.source)}（<code>${esc(i.sourceTable)}</code>，数据源 ${esc(i.feeds.join('、'))}，${esc(i.refresh)}）</dd>
          <dt>相关术语</dt><dd>${links(i.terms, 'term')}</dd>
        </dl><p><a href="#/kb">返回知识库</a></p></section>`;
    })
    .catch((e) => failed(root, e));
}

export function renderCodeTable(root, [name]) {
  frame(root, '知识库 · 代码表')
    .then(async ({ main }) => {
      const { codeTable: t } = await gql('query($n: String!) { codeTable(name: $n) { name title standard codes { code name parent successor } } }', { n: decodeURIComponent(name) });
      if (!t) {
        main.innerHTML = '<p class="empty">没有这个代码表。<a href="#/kb">返回知识库</a></p>';
        return;
      }
      main.innerHTML = `<section class="card"><h2>${esc(t.title)} <small class="hint">${esc(t.standard)}</small></h2>
        ${table(t.codes, [['代码', (c) => `<code>${esc(c.code)}</code>`], ['名称', (c) => esc(c.name)], ['上级', (c) => esc(c.parent || '')], ['新代码', (c) => esc(c.successor || '')]])}
        <p><a href="#/kb">返回知识库</a></p></section>`;
    })
    .catch((e) => failed(root, e));
}
