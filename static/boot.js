// Loads the widget's WebAssembly module and starts the panel. A separate file, not an inline script, so the
// relay's Content-Security-Policy can forbid inline scripts.
import init, { run } from './sidechat_widget.js';

await init();
run();
