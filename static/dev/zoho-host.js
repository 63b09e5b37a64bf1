// Plays Zoho CRM around a widget, speaking the embedded-app protocol of ZohoDevelopers/embeddedApp-js-sdk
// (lib/ZSDK.js, lib/ZohoCrmHelper.js): the widget's URL carries `serviceOrigin`; the widget posts
// {type: 'SDK.EVENT', eventName: 'REGISTER'} to its parent; the CRM answers
// {type: 'FRAMEWORK.EVENT', eventName: 'SET_CONTEXT', data: {uniqueID, model, locale, localeResource, connectors}}
// and then the `PageLoad` event {Entity, EntityId}; calls come as `CRM_EVENT` with a `promiseid` and are answered
// with `EVENT_RESPONSE` (or `EVENT_RESPONSE_FAILURE`) carrying the same `promiseid`.
// Like the CRM, this page listens only to its widget's frame, from the widget's origin.

import { ATTACHMENTS, FIELDS, FILES, RECORDS, USER } from './zoho-data.js';

const relay = new URLSearchParams(location.search).get('relay')
  || `${location.protocol}//${location.hostname}:${Number(location.port) - 1}`;
const relayOrigin = new URL(relay).origin;

const frame = document.getElementById('frame');
const panel = document.getElementById('panel');
const recordSelect = document.getElementById('record');
const localeSelect = document.getElementById('locale');
const log = document.getElementById('log');

let uniqueID = null; // the id SET_CONTEXT gave the current widget
let page = null;     // {Entity, EntityId} of the current widget

/** Every message the widget posted, for tests that compare the wire protocol. */
window.__sidechatHostLog = [];

function note(text) {
  const item = document.createElement('li');
  item.textContent = text;
  log.append(item);
}

function post(message) {
  frame.contentWindow.postMessage(message, relayOrigin);
}

function frameworkEvent(eventName, data, promiseid) {
  post({ type: 'FRAMEWORK.EVENT', eventName, data, promiseid });
}

class Refusal extends Error {
  constructor(body) { super(body.message); this.body = body; }
}
const refuse = (code, message) => { throw new Refusal({ code, message, status: 'error' }); };

function record(entity, id) {
  const found = (RECORDS[entity] || []).find((r) => r.id === String(id));
  return found || refuse('INVALID_DATA', `the ${entity} record ${id} does not exist`);
}

/** The answers to `CRM_EVENT` calls, by the call's `category`. */
const categories = {
  READ({ APIData }) {
    const { Entity, RecordID, RelatedList } = APIData || {};
    if (!RelatedList) return { data: [record(Entity, RecordID)] };
    record(Entity, RecordID);
    if (RelatedList !== 'Attachments') return refuse('INVALID_DATA', `no related list ${RelatedList} here`);
    const items = ATTACHMENTS[String(RecordID)] || [];
    const perPage = Number(APIData.per_page) || 200, pageNo = Number(APIData.page) || 1;
    const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    // Zoho's API answers an empty related list with no content.
    if (slice.length === 0) return '';
    return { data: slice, info: { per_page: perPage, count: slice.length, page: pageNo, more_records: items.length > pageNo * perPage } };
  },
  META(data) {
    if (data.type !== 'FIELD_LIST') return refuse('INVALID_DATA', `no metadata ${data.type} here`);
    return FIELDS[data.Entity] ? { fields: FIELDS[data.Entity] } : refuse('INVALID_MODULE', `no module ${data.Entity}`);
  },
  CONFIG(data) {
    if (data.type === 'CURRENT_USER') return { users: [USER] };
    return refuse('INVALID_DATA', `no config ${data.type} here`);
  },
  FILES(data) {
    if (data.type !== 'DOWNLOAD_FILE') return refuse('INVALID_DATA', `no file call ${data.type} here`);
    const make = FILES[data.id];
    // The SDK's own test expects a Blob typed application/x-download.
    return make ? new Blob([make()], { type: 'application/x-download' }) : refuse('INVALID_DATA', `no file ${data.id}`);
  },
  UI(data) {
    if (data.action !== 'RESIZE') return refuse('INVALID_DATA', `no UI action ${JSON.stringify(data.action)} here`);
    const height = Math.round(Number(data.data && data.data.height));
    if (!(height > 0)) return false;
    note(`resized to ${height}px`);
    frame.style.height = `${height}px`;
    panel.dataset.height = String(height);
    panel.dataset.resized = 'true';
    return true;
  },
};

function register() {
  uniqueID = crypto.randomUUID();
  frameworkEvent('SET_CONTEXT', {
    uniqueID, model: {}, locale: localeSelect.value, localeResource: {}, connectors: {},
  });
  panel.dataset.connected = 'true';
  frameworkEvent('PageLoad', page);
}

async function answer(message) {
  const data = message.data || {};
  note(`call ${data.category}${data.type ? ` ${data.type}` : ''}${data.action ? ` ${data.action}` : ''}`);
  try {
    const handler = categories[data.category];
    const result = handler ? await handler(data) : refuse('INVALID_DATA', `no category ${data.category} here`);
    frameworkEvent('EVENT_RESPONSE', result, message.promiseid);
  } catch (error) {
    const body = error instanceof Refusal ? error.body : { code: 'INTERNAL_ERROR', message: String(error) };
    frameworkEvent('EVENT_RESPONSE_FAILURE', body, message.promiseid);
  }
}

window.addEventListener('message', (event) => {
  // Only the widget's own frame, from the relay's origin, speaks to this page.
  if (event.source !== frame.contentWindow || event.origin !== relayOrigin) return;
  const message = typeof event.data === 'string' ? JSON.parse(event.data) : (event.data || {});
  window.__sidechatHostLog.push(message);
  if (message.type !== 'SDK.EVENT') return;
  if (message.eventName === 'REGISTER') { note('REGISTER'); register(); return; }
  if (message.uniqueID !== uniqueID) { note(`ignored a message for another widget: ${message.uniqueID}`); return; }
  if (message.eventName === 'CRM_EVENT') answer(message);
  else note(`event ${message.eventName}`);
});

function open() {
  const [Entity, EntityId] = recordSelect.value.split(':');
  page = { Entity, EntityId };
  uniqueID = null;
  panel.dataset.connected = 'false';
  delete panel.dataset.resized;
  const params = new URLSearchParams({ serviceOrigin: location.origin, frameorigin: location.origin });
  frame.src = `${relay}/widget/?${params}`;
  const shown = record(Entity, EntityId);
  document.getElementById('record-view').textContent = `${Entity}: ${shown.Full_Name || shown.Deal_Name}`;
}

function start() {
  for (const [module, records] of Object.entries(RECORDS)) {
    for (const r of records) {
      const option = document.createElement('option');
      option.value = `${module}:${r.id}`;
      option.textContent = `${module.replace(/s$/, '')}: ${r.Full_Name || r.Deal_Name}`;
      recordSelect.append(option);
    }
  }
  const query = new URLSearchParams(location.search);
  const wanted = query.get('record');
  if (wanted) recordSelect.value = wanted;
  if (query.get('locale')) localeSelect.value = query.get('locale');
  recordSelect.addEventListener('change', open);
  localeSelect.addEventListener('change', open);
  open();
}

start();
