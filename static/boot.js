// Loads the widget's WebAssembly module and starts the panel. A separate file, not an inline script, so the
// relay's Content-Security-Policy can forbid inline scripts.
import init, { run } from './sidechat_widget.js';

// Main-thread tasks over 50 ms during start-up, for the benchmarks (`cargo xtask bench`).
window.__sidechatLongTasks = [];
try {
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) window.__sidechatLongTasks.push(task.duration);
  }).observe({ type: 'longtask', buffered: true });
} catch (_) { /* a browser without long-task timing */ }

await init();
run();
