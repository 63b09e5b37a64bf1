// Plays Pipedrive around a custom panel, speaking the protocol of @pipedrive/app-extensions-sdk:
// the iframe posts {payload: {type: 'command'|'listener'|'track', ...}, id} to its parent, with a MessageChannel
// port for commands and listeners; replies and events come back on that port as {data} or {error}.
// The panel must send `initialize` within 10 seconds, or it is hidden. Panel height is clamped to 100–750 px.

const relay = new URLSearchParams(location.search).get('relay')
  || `${location.protocol}//${location.hostname}:${Number(location.port) - 1}`;
const frame = document.getElementById('frame');
const panel = document.getElementById('panel');
const recordSelect = document.getElementById('record');
const pageSelect = document.getElementById('page');
const themeSelect = document.getElementById('theme');
const log = document.getElementById('log');
const snackbar = document.getElementById('snackbar');
const PANEL_MIN = 100, PANEL_MAX = 750, INIT_LIMIT_MS = 10000;
// The demo's admin by default; `?user=2` plays a user of the same company who has not connected Pipedrive yet.
const USER_ID = Number(new URLSearchParams(location.search).get('user')) || 1, COMPANY_ID = 1;

let listeners = [];      // {event, port}
let frameId = null;      // the `id` URL parameter of the current iframe
let initTimer = null;

/** Every message the panel posted, for tests that compare the wire protocol. */
window.__sidechatHostLog = [];

/** `?expired=1` opens the panel with an expired URL token, as a panel left open for a long time has. */
const urlExpired = new URLSearchParams(location.search).get('expired') === '1';

async function signedToken(expired = false) {
  const answer = await fetch(`${relay}/demo/token?userId=${USER_ID}&companyId=${COMPANY_ID}&expired=${expired}`);
  if (!answer.ok) throw new Error(`token endpoint answered ${answer.status}`);
  return (await answer.json()).token;
}

function note(text) {
  const item = document.createElement('li');
  item.textContent = text;
  log.append(item);
}

function showSnackbar(message, link) {
  snackbar.textContent = message;
  if (link && link.url) {
    const a = document.createElement('a');
    a.href = link.url; a.textContent = ` ${link.label || link.url}`; a.target = '_blank'; a.rel = 'noopener';
    snackbar.append(a);
  }
  snackbar.hidden = false;
  clearTimeout(showSnackbar.timer);
  showSnackbar.timer = setTimeout(() => { snackbar.hidden = true; }, 5000);
}

function resize(size) {
  if (size && typeof size.height === 'number') {
    const height = Math.max(PANEL_MIN, Math.min(PANEL_MAX, Math.round(size.height)));
    frame.style.height = `${height}px`;
    panel.dataset.height = String(height);
  }
}

const commands = {
  async initialize(args) {
    clearTimeout(initTimer);
    panel.dataset.initialized = 'true';
    frame.hidden = false;
    resize(args && args.size);
  },
  async resize(args) { resize(args); },
  async show_snackbar(args) { showSnackbar(String(args && args.message || ''), args && args.link); },
  async get_signed_token() { return { token: await signedToken() }; },
  async get_metadata() { return { windowHeight: innerHeight, windowWidth: innerWidth }; },
};

function emit(event, data) {
  for (const listener of listeners) {
    if (listener.event === event) listener.port.postMessage({ data });
  }
}

window.addEventListener('message', async (event) => {
  // Only the panel's own frame, from the relay's origin, speaks to this host.
  if (event.source !== frame.contentWindow || event.origin !== new URL(relay).origin) return;
  const message = event.data || {};
  const payload = message.payload || {};
  window.__sidechatHostLog.push(message);
  if (message.id !== frameId) { note(`ignored a message for another panel id: ${message.id}`); return; }
  const port = event.ports && event.ports[0];
  if (payload.type === 'command') {
    note(`command ${payload.command}`);
    if (payload.command !== 'initialize' && panel.dataset.initialized !== 'true') {
      port && port.postMessage({ error: 'SDK is not initialized' });
      return;
    }
    const handler = commands[payload.command];
    if (!handler) { port && port.postMessage({ error: `Command ${payload.command} is not supported here` }); return; }
    try {
      const data = await handler(payload.args);
      port && port.postMessage(data === undefined ? {} : { data });
    } catch (error) {
      port && port.postMessage({ error: String(error.message || error) });
    }
  } else if (payload.type === 'listener' && port) {
    note(`listener ${payload.event}`);
    listeners.push({ event: payload.event, port });
  } else if (payload.type === 'track') {
    note(`track ${payload.event}`);
  }
});

async function open() {
  const [resource, selected] = recordSelect.value.split(':');
  listeners = [];
  frameId = crypto.randomUUID();
  panel.dataset.initialized = 'false';
  frame.hidden = true;
  document.getElementById('timeout').hidden = true;
  clearTimeout(initTimer);
  initTimer = setTimeout(() => {
    frame.hidden = true;
    document.getElementById('timeout').hidden = false;
    panel.dataset.initialized = 'timeout';
  }, INIT_LIMIT_MS);
  const token = await signedToken(urlExpired);
  // The app settings page (custom UI for app settings, iframe URL `{relay}/widget/?view=settings`) or the panel.
  const params = pageSelect.value === 'settings'
    ? new URLSearchParams({ view: 'settings', id: frameId, userId: String(USER_ID), companyId: String(COMPANY_ID),
      token, theme: themeSelect.value })
    : new URLSearchParams({ id: frameId, userId: String(USER_ID), companyId: String(COMPANY_ID), token,
      resource, view: 'details', selectedIds: selected, theme: themeSelect.value });
  frame.src = `${relay}/widget/?${params}`;
  document.getElementById('record-view').textContent =
    `${recordSelect.selectedOptions[0].textContent} (${resource} ${selected})`;
}

async function start() {
  const answer = await fetch(`${relay}/demo/records`);
  const { records } = await answer.json();
  for (const record of records) {
    const option = document.createElement('option');
    option.value = `${record.resource}:${record.id}`;
    option.textContent = `${record.resource === 'person' ? 'Person' : 'Deal'}: ${record.name}`;
    recordSelect.append(option);
  }
  const wanted = new URLSearchParams(location.search).get('record');
  if (wanted) recordSelect.value = wanted;
  const theme = new URLSearchParams(location.search).get('theme');
  if (theme) themeSelect.value = theme;
  document.body.dataset.theme = themeSelect.value;
  if (new URLSearchParams(location.search).get('page') === 'settings') pageSelect.value = 'settings';
  recordSelect.addEventListener('change', open);
  pageSelect.addEventListener('change', open);
  themeSelect.addEventListener('change', () => {
    document.body.dataset.theme = themeSelect.value;
    emit('user_settings_change', { theme: themeSelect.value });
  });
  let visible = true;
  document.getElementById('collapse').addEventListener('click', (event) => {
    visible = !visible;
    frame.style.display = visible ? '' : 'none';
    event.target.textContent = visible ? 'Collapse panel' : 'Expand panel';
    emit('visibility', { is_visible: visible });
  });
  await open();
}

start();
