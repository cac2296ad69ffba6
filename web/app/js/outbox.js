// Actions made without a network (issue 24, item 5): when a staff action's POST cannot reach
// the server, the action is kept on this device (localStorage) and shown on its ticket as
// waiting to send; when the browser is online again it is sent as it was made, with the
// ticket version it was made against, so the engine checks it as any other action. An action
// the server refuses then (someone acted on the ticket meanwhile, a rule no longer allows it)
// stays listed on the ticket with the refusal until the user dismisses it. Nothing is
// retried after a refusal. Photos are uploaded when chosen; a photo chosen (or taken with the
// camera) without a network is kept with the action on this device (IndexedDB, which holds
// the bytes themselves) and uploaded first when the action is sent, its reference then added
// to the action's evidence. A photo the server refuses then (too large, a type it does not
// take) refuses the action with that reason, as the engine's refusals are shown.
import { ApiError, post } from './api.js';
import { upload } from './attachments.js';
import { h } from './dom.js';
import { errorText, t } from './i18n.js';
import { time } from './format.js';
import * as ref from './reference.js';

const KEY = 'closeloop.outbox';
export const EVENT = 'closeloop-outbox';  // on window; detail: {ticket, outcome, verb?}

function read() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch (e) {
    return [];
  }
}

function write(list) {
  localStorage.setItem(KEY, JSON.stringify(list));
}

// The kept photos' bytes, by "<action key>/<n>", in IndexedDB (localStorage holds text only).
function files(mode, fn) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('closeloop-outbox', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('files');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('files', mode);
      const result = fn(tx.objectStore('files'));
      tx.oncomplete = () => {
        db.close();
        resolve(result && 'result' in result ? result.result : undefined);
      };
      tx.onerror = () => {
        db.close();
        reject(tx.error);
      };
    };
  });
}

const dropFiles = (e) => Promise.all((e.files || []).map((f) => files('readwrite', (st) => st.delete(f.id))));

// Keeps `body` (a POST /v1/tickets/{id}/actions body) for ticket `tk`, made by the user
// signed in now, with `photos` (File objects not yet uploaded) to upload before it is sent.
export async function keep(tk, body, photos = []) {
  const key = `${Date.now()}-${read().length}`;
  const kept = photos.map((file, i) => ({ id: `${key}/${i}`, name: file.name || '', type: file.type || '' }));
  for (let i = 0; i < photos.length; i++) {
    const file = photos[i];
    await files('readwrite', (st) => st.put(file, kept[i].id));
  }
  const list = read();
  list.push({ key, user: ref.me().name, ticket: tk.id, workflow: tk.workflow, body, files: kept, at: Date.now(), refused: null });
  write(list);
  window.dispatchEvent(new CustomEvent(EVENT, { detail: { ticket: tk.id, outcome: 'kept' } }));
}

// This user's kept actions on ticket `id`.
export function keptFor(id) {
  const me = ref.me().name;
  return read().filter((e) => e.ticket === id && e.user === me);
}

let sending = false;

// Sends this user's waiting actions, oldest first; stops at the first that cannot reach the
// server (still offline). Each sent one leaves the list; a refused one stays, marked.
export async function sendKept() {
  if (sending || !navigator.onLine) return;
  sending = true;
  try {
    const me = ref.me() && ref.me().name;
    for (const e of read().filter((x) => x.user === me && !x.refused)) {
      let outcome = 'sent';
      let refused = null;
      try {
        // The kept photos first, each uploaded once: its reference joins the evidence, and the
        // list kept on the device says so before the next, so a cut mid-way resumes there.
        for (const f of e.files || []) {
          if (f.ref) continue;
          const blob = await files('readonly', (st) => st.get(f.id));
          if (!blob) throw new ApiError(410, { error: { code: 'photo_lost', message: t('outbox.photo.lost', { name: f.name }) } });
          const up = await upload(new File([blob], f.name || 'photo', { type: f.type || blob.type }));
          f.ref = up.ref;
          const list = read();
          const i = list.findIndex((x) => x.key === e.key);
          if (i >= 0) {
            list[i].files = e.files;
            write(list);
          }
        }
        const body = { ...e.body };
        const refs = (e.files || []).map((f) => f.ref);
        if (refs.length) body.evidence = [...(body.evidence || []), ...refs];
        await post(`/v1/tickets/${encodeURIComponent(e.ticket)}/actions`, body);
      } catch (err) {
        if (err instanceof ApiError && err.network) return;  // still offline: try again later
        outcome = 'refused';
        refused = { status: err.status, code: err.code, message: err.message, field: err.field || '', current_version: err.currentVersion };
      }
      const list = read();
      const i = list.findIndex((x) => x.key === e.key);
      if (i >= 0) {
        if (refused) list[i].refused = refused;
        else list.splice(i, 1);
        write(list);
      }
      if (!refused) await dropFiles(e).catch(() => {});
      window.dispatchEvent(new CustomEvent(EVENT, { detail: { ticket: e.ticket, outcome, verb: ref.verbTitle(e.body.verb, e.workflow) } }));
    }
  } finally {
    sending = false;
  }
}

function dismiss(key, ticket) {
  const e = read().find((x) => x.key === key);
  if (e) dropFiles(e).catch(() => {});
  write(read().filter((x) => x.key !== key));
  window.dispatchEvent(new CustomEvent(EVENT, { detail: { ticket, outcome: 'dismissed' } }));
}

// The kept actions of ticket `id` as a list for its page (null when there are none).
export function keptSection(id) {
  const kept = keptFor(id);
  if (!kept.length) return null;
  return h(
    'section.card.outbox',
    { 'aria-labelledby': 'outbox-h' },
    h('h2#outbox-h', t('outbox.title')),
    h(
      'ul',
      kept.map((e) => {
        const verb = ref.verbTitle(e.body.verb, e.workflow);
        const photos = (e.files || []).length;
        const withPhotos = photos ? ` ${t('outbox.photos', { n: photos })}` : '';
        if (!e.refused) return h('li.waiting', h('span.badge.waiting', t('outbox.waiting')), ' ', t('outbox.item', { verb, time: time(e.at) }) + withPhotos);
        const why =
          e.refused.status === 409 && e.refused.current_version !== undefined
            ? t('error.stale.sent', { v: e.refused.current_version })
            : errorText({ code: e.refused.code, message: e.refused.message, field: e.refused.field });
        return h(
          'li.refused',
          h('span', { role: 'alert' }, h('span.badge.refused', t('outbox.refused.badge')), ' ', t('outbox.refused', { verb, time: time(e.at), why })),
          ' ',
          h('button', { type: 'button', on: { click: () => dismiss(e.key, id) } }, t('outbox.dismiss')),
        );
      }),
    ),
  );
}

window.addEventListener('online', () => sendKept());
