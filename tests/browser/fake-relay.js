// Plays the relay for the browser tests, in the test page itself. While installed, a `fetch` to `/api/v1/…` is
// answered from a table the test fills (the first answer whose method matches and whose path starts the
// request's; an answer given `once` is used up first), and each such request is kept as one line of text;
// `EventSource` is a stand-in the test opens, feeds and fails. Other requests go to the browser's own `fetch`.

export class FakeRelay {
  constructor() {
    this.answers = [];
    this.log = [];
    this.streams = [];
    this.realFetch = globalThis.fetch;
    this.RealEventSource = globalThis.EventSource;
    const relay = this;
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (!url.pathname.startsWith('/api/v1/')) return relay.realFetch.call(globalThis, input, init);
      const path = url.pathname + url.search;
      const body = await request.text();
      relay.log.push(`${request.method} ${path} ${request.headers.get('Authorization')} ${body}`.trim());
      const at = relay.answers.findIndex((a) => a.method === request.method && path.startsWith(a.path));
      if (at < 0) return new Response('', { status: 404 });
      const answer = relay.answers[at];
      if (answer.once) relay.answers.splice(at, 1);
      answer.count += 1;
      const text = answer.body.replaceAll('{n}', String(answer.count));
      return new Response(text, { status: answer.status, headers: { 'Content-Type': 'application/json' } });
    };
    globalThis.EventSource = class extends EventTarget {
      constructor(url) {
        super();
        this.url = url;
        this.readyState = 0;
        this.onopen = null;
        this.onerror = null;
        relay.streams.push(this);
      }

      close() {
        this.readyState = 2;
      }
    };
  }

  /** Answers `method` requests to paths starting with `path`; `{n}` in `body` counts the requests answered. */
  answer(method, path, status, body) {
    this.answers.push({ method, path, status, body, once: false, count: 0 });
  }

  /** The same, for the next such request only (before any other answer). */
  answerOnce(method, path, status, body) {
    this.answers.unshift({ method, path, status, body, once: true, count: 0 });
  }

  /** The requests so far, oldest first, each as `METHOD path Authorization body`. */
  requests() {
    return this.log.slice();
  }

  /** How many streams were opened. */
  streamCount() {
    return this.streams.length;
  }

  /** The URL stream `i` (from 0) was opened with. */
  streamUrl(i) {
    return this.streams[i].url;
  }

  /** Whether stream `i` was closed. */
  streamClosed(i) {
    return this.streams[i].readyState === 2;
  }

  /** Stream `i` connects. */
  open(i) {
    const stream = this.streams[i];
    stream.readyState = 1;
    if (stream.onopen) stream.onopen(new Event('open'));
  }

  /** Stream `i` delivers an event of type `type` (`message`, `status`, `expiring`); not if it was closed. */
  emit(i, type, data) {
    const stream = this.streams[i];
    if (stream.readyState === 2) return false;
    stream.dispatchEvent(new MessageEvent(type, { data }));
    return true;
  }

  /** Stream `i` drops, as a network error leaves a browser's: connecting again. */
  fail(i) {
    const stream = this.streams[i];
    stream.readyState = 0;
    if (stream.onerror) stream.onerror(new Event('error'));
  }

  /** Gives the page its own `fetch` and `EventSource` back. */
  restore() {
    globalThis.fetch = this.realFetch;
    globalThis.EventSource = this.RealEventSource;
  }
}
