// What every drawn panel shares: its ECharts instance (made once, kept across refreshes,
// sized with its box), the screens' palette, and the names, units and members a panel's
// codes stand for.

export const PALETTE = ['#3ba0ff', '#36cfc9', '#ffc53d', '#ff7a45', '#9254de', '#73d13d', '#f759ab', '#40a9ff'];
export const AXIS = { axisLine: { lineStyle: { color: '#3a5a80' } }, axisLabel: { color: '#9fb8d8' }, splitLine: { lineStyle: { color: '#1c3553' } } };

/** An indicator's name from the dictionary, or its code. */
export const name = (context, code) => (context.indicators.get(code) || { name: code }).name;
/** An indicator's unit (人, 元, % …). */
export const unit = (context, code) => (context.indicators.get(code) || { unit: '' }).unit;
/** A dimension member's name, or its code when the name is not known. */
export const memberName = (context, dimension, code) => (context.members.get(dimension) || new Map()).get(code) || code;
/** A breakdown column's header: the dimension's name from the model. */
export const dimensionLabel = (context, code) => (code === 'period' ? '时间' : (context.dimensions && context.dimensions.get(code)) || code);

/** The panel's breakdown columns: neither an indicator nor an indicator's companion. */
export function dimensionsOf(panel) {
  return panel.columns.filter((c) => !panel.indicators.some((i) => c === i || c.startsWith(`${i}_`)));
}

/** The panel's chart, made in `body` when it has none (or lost it to an error). */
export function chart(body, context, key) {
  let instance = context.charts.get(key);
  if (instance && !instance.isDisposed() && !body.contains(instance.getDom())) instance.dispose();
  if (!instance || instance.isDisposed() || !body.contains(instance.getDom())) {
    body.innerHTML = '<div class="chart"></div>';
    const dom = body.querySelector('.chart');
    instance = echarts.init(dom, null, { renderer: 'canvas' });
    // Panels are laid out as they arrive: a chart follows its box's final size.
    // (A box without size yet, or any more, is left as it is: a map cannot lay out in it.)
    new ResizeObserver(() => {
      if (!instance.isDisposed() && dom.clientWidth > 0 && dom.clientHeight > 0) instance.resize();
    }).observe(dom);
    context.charts.set(key, instance);
  }
  return instance;
}
