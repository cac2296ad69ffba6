// Apache ECharts for the console's pictures (charts, the chain graph, the maps): loads the
// copy embedded in the binary (console/vendor/echarts.js, web/CMakeLists.txt) once, and draws
// an option into an element as soon as the element is on the page and has a size, redrawing
// when it resizes and letting go of the chart when it leaves the page.
const cache = { promise: null };

// The library's module, or null when this build has none (no npm at build time).
export function loadECharts() {
  if (!cache.promise) cache.promise = import('../vendor/echarts.js').catch(() => null);
  return cache.promise;
}

// Draws `option` (or option(echarts) when a function) into `el` on a canvas, at twice the
// screen's resolution at least so that it prints sharp. (Not ECharts' SVG renderer: it writes
// style attributes, which the console's Content-Security-Policy, style-src 'self', refuses.)
// `setup(chart)` adds event handlers; `missing()` runs when the library is absent. Resolves
// with the chart (or null).
export function mount(el, option, { setup, missing } = {}) {
  return new Promise((resolve) => {
    let chart = null;
    const observer = new ResizeObserver(async () => {
      if (!el.isConnected || !el.clientWidth) {
        if (chart && !el.isConnected) {
          chart.dispose();
          chart = null;
          observer.disconnect();
        }
        return;
      }
      if (chart) return chart.resize();
      const echarts = await loadECharts();
      if (!echarts) {
        observer.disconnect();
        if (missing) missing();
        return resolve(null);
      }
      if (chart || !el.isConnected) return;
      chart = echarts.init(el, null, { renderer: 'canvas', devicePixelRatio: Math.max(2, window.devicePixelRatio || 1) });
      chart.setOption(typeof option === 'function' ? option(echarts) : option);
      if (setup) setup(chart);
      resolve(chart);
    });
    observer.observe(el);
  });
}
