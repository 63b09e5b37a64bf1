// Starts the panel inside Zoho CRM. Zoho refuses `.wasm` uploads, so the WebAssembly module ships as
// `sidechat_widget_bg.txt` (the same bytes) and Zoho serves it as text. WebAssembly's streaming compiler only
// takes a response typed `application/wasm`, so the download is handed on in one that is: the module still
// compiles while it arrives, with no copy, no base64 and no "wrong MIME type" fallback. widget.html preloads the
// file, so its download starts beside the JavaScript's. A file, not an inline script, like the relay's boot.js.
// With `?view=settings` (an admin's link from the panel) the settings view's own module starts instead, from
// `settings/`.
const folder = new URLSearchParams(location.search).get('view') === 'settings' ? './settings/' : './';
const { default: init, run } = await import(`${folder}sidechat_widget.js`);

const url = new URL(`${folder}sidechat_widget_bg.txt`, import.meta.url);
const response = await fetch(url);
if (!response.ok) {
  throw new Error(`Sidechat could not load ${url}: ${response.status} ${response.statusText}`);
}
await init({ module_or_path: new Response(response.body, { headers: { 'Content-Type': 'application/wasm' } }) });
run();
