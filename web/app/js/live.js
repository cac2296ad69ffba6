// Live updates: one EventSource on /v1/stream for the signed-in user. EventSource cannot send
// the Authorization header, and a token must never travel in a URL (logs, history), so each
// connection first asks for a stream ticket (POST /v1/stream/ticket, with the bearer header):
// it opens the stream once, within 60 s, as this user. A ticket cannot be reused, so the
// browser's own reconnect (which repeats the URL) would be refused: on any error the stream
// is closed here and reopened with a fresh ticket, resuming after the last event seen
// (last_event_id), so nothing between two connections is missed; a `reset` event means the
// server could not replay the gap and the view reloads instead.
import { post } from './api.js';
import { t } from './i18n.js';

let source = null;
let listener = null;
let lastId = '';       // the last event seen, so a reopened stream resumes after it
let wanted = false;    // signed in: the stream should be open while the page is visible
let attempt = 0;       // bumped by open/close: an open still waiting for its ticket is dropped
let retryTimer = null;
let failures = 0;      // consecutive failed connections: the retry waits longer each time

// A hidden tab lets its stream go (each open stream holds a server connection) and resumes
// from the last event when shown again, so nothing is missed.
document.addEventListener('visibilitychange', () => {
  if (!wanted) return;
  if (document.hidden) close();
  else if (!source && !retryTimer) open();
});
window.addEventListener('pagehide', () => close());

export function onChange(fn) {
  listener = fn;
}

export function start() {
  stop();
  wanted = true;
  lastId = '';
  failures = 0;
  open();
}

function indicate(on) {
  const indicator = document.getElementById('live');
  if (!indicator) return;
  indicator.textContent = t(on ? 'live.on' : 'live.off');
  indicator.className = on ? 'live on' : 'live off';
}

function retryLater() {
  if (!wanted || retryTimer) return;
  const delay = Math.min(30000, 3000 * 2 ** Math.min(failures, 4));
  failures += 1;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (wanted && !document.hidden) open();
  }, delay);
}

async function open() {
  close();
  const mine = ++attempt;
  let ticket;
  try {
    ticket = await post('/v1/stream/ticket');
  } catch (e) {
    if (mine !== attempt) return;
    indicate(false);
    // Signed out, expired or a role without a stream: retrying cannot help.
    if (e.status === 401 || e.status === 403) return;
    retryLater();
    return;
  }
  if (mine !== attempt || !wanted) return;
  const resume = lastId ? `&last_event_id=${encodeURIComponent(lastId)}` : '';
  const es = new EventSource(`/v1/stream?stream_ticket=${encodeURIComponent(ticket.stream_ticket)}${resume}`);
  source = es;
  es.addEventListener('open', () => {
    failures = 0;
    indicate(true);
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    indicate(false);
    close();  // the browser would retry with the spent ticket: reopen with a new one instead
    retryLater();
  });
  es.addEventListener('ticket', (e) => {
    if (e.lastEventId) lastId = e.lastEventId;
    let data = null;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (listener) listener(data);
  });
  es.addEventListener('reset', () => {
    if (listener) listener({ reset: true });
  });
}

function close() {
  attempt += 1;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  if (source) source.close();
  source = null;
}

export function stop() {
  wanted = false;
  close();
  const indicator = document.getElementById('live');
  if (indicator) {
    indicator.textContent = '';
    indicator.className = 'live';
  }
}
