// Numbers as staff read them: thousands separators, 万 and 亿 for large values, ratios
// as percentages; a missing value is a dash, never a zero.

export function formatNumber(value, unit = '') {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const n = Number(value);
  if (unit === '%' || unit === 'ratio') return `${(n * (unit === 'ratio' ? 100 : 1)).toFixed(1)}%`;
  const abs = Math.abs(n);
  if (abs >= 1e8) return `${(n / 1e8).toFixed(2)}亿`;
  if (abs >= 1e5) return `${(n / 1e4).toFixed(1)}万`;
  const digits = Number.isInteger(n) ? 0 : 2;
  return n.toLocaleString('zh-CN', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatPercent(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return `${(Number(value) * 100).toFixed(1)}%`;
}

/** Escapes text for HTML built from strings (every value from the API goes through it). */
export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Counts a number up from its previous value (no flicker on refresh). */
export function animateNumber(element, value, unit) {
  const target = Number(value);
  const from = Number(element.dataset.value ?? 0);
  element.dataset.value = String(target);
  element.dataset.raw = value === null || value === undefined ? '' : String(value);
  if (value === null || value === undefined || Number.isNaN(target)) {
    element.textContent = '—';
    return;
  }
  const started = performance.now();
  const duration = 800;
  const step = (now) => {
    const t = Math.min(1, (now - started) / duration);
    const eased = 1 - Math.pow(1 - t, 3);
    const shown = t >= 1 ? target : from + (target - from) * eased;
    element.textContent = formatNumber(Number.isInteger(target) && t < 1 ? Math.round(shown) : shown, unit);
    if (t < 1) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}
