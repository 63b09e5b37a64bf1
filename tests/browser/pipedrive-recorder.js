// Plays Pipedrive's side of the custom panel protocol for the browser tests, in the test page itself: both the
// official SDK and the widget's adapter post to `window.parent`, which is this window, so one `message` listener
// hears both. It records each message for one panel id as a canonical text (keys sorted, `undefined` and
// transferred ports named), answers commands on their port and keeps listener ports to send events on.

/** A value's structure as text: objects with sorted keys, `undefined` kept, a MessagePort named as such. */
export function shape(value) {
  if (value === undefined) return 'undefined';
  if (value instanceof MessagePort) return 'MessagePort';
  if (Array.isArray(value)) return `[${value.map(shape).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${key}: ${shape(value[key])}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

export class PipedriveRecorder {
  constructor(id, token) {
    this.id = id;
    this.log = [];
    this.listeners = [];
    this.onMessage = (event) => {
      const message = event.data;
      if (!message || message.id !== id) return;
      const ports = [...event.ports];
      this.log.push(shape({ message, ports }));
      const payload = message.payload || {};
      const port = ports[0];
      if (payload.type === 'command' && port) {
        port.postMessage(payload.command === 'get_signed_token' ? { data: { token } } : {});
      } else if (payload.type === 'listener' && port) {
        this.listeners.push({ event: payload.event, port });
      }
    };
    window.addEventListener('message', this.onMessage);
  }

  /** The messages recorded since the last call, oldest first. */
  take() {
    const log = this.log;
    this.log = [];
    return log;
  }

  /** How many messages wait in the log. */
  pending() {
    return this.log.length;
  }

  /** Sends `{data}` on every port that listens to `event`. */
  emit(event, data) {
    for (const listener of this.listeners) {
      if (listener.event === event) listener.port.postMessage({ data });
    }
  }

  stop() {
    window.removeEventListener('message', this.onMessage);
    for (const listener of this.listeners) listener.port.close();
  }
}

/** Runs the SDK's UMD build (its text) and returns the class it defines as `AppExtensionsSDK`. */
export function loadSdk(source) {
  if (!globalThis.AppExtensionsSDK) new Function(source).call(globalThis);
  return globalThis.AppExtensionsSDK;
}
