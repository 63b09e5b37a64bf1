// Loads the widget's WebAssembly module and starts the panel, or with `?view=settings` the settings view's own module
// (in `settings/`: the panel's download does not carry it). A separate file, not an inline script, so the relay's
// Content-Security-Policy can forbid inline scripts.
const settings = new URLSearchParams(location.search).get('view') === 'settings';
const { default: init, run } = await import(settings ? './settings/sidechat_widget.js' : './sidechat_widget.js');

// Main-thread tasks over 50 ms during start-up, for the benchmarks (`cargo xtask bench`).
window.__sidechatLongTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) window.__sidechatLongTasks.push(task.duration);
  }).observe({ type: 'longtask', buffered: true });
} catch (_) { /* a browser without long-task timing */ }

await init();
run();
