// Evidence files in the console: thumbnails (images) and links (PDF) for the references a
// record carries ("sha256:<hex>"), and the upload behind a form's file picker. The console
// signs in with a bearer token, never a cookie, so a bare <img src> could not be authorised:
// each file is fetched with the token and shown through a blob: URL (kept for the page's
// life, so a file is fetched once however often it is drawn).
import { ApiError, token } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

export const ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf';
const REF = /^sha256:([0-9a-f]{64})$/;
const blobs = new Map();  // hex -> Promise<{url, type}>

export const isRef = (v) => typeof v === 'string' && REF.test(v);

async function errorOf(res) {
  let json = null;
  try {
    json = await res.json();
  } catch (e) {
    json = null;
  }
  return new ApiError(res.status, json);
}

// GET /v1/attachments/{hex} with the token: a blob: URL of the bytes and their type.
function fetchFile(hex) {
  if (!blobs.has(hex)) {
    const p = (async () => {
      let res;
      try {
        res = await fetch(`/v1/attachments/${hex}`, { headers: { Authorization: `Bearer ${token()}` } });
      } catch (e) {
        throw new ApiError(0, null, true);
      }
      if (!res.ok) throw await errorOf(res);
      const blob = await res.blob();
      return { url: URL.createObjectURL(blob), type: blob.type };
    })();
    p.catch(() => blobs.delete(hex));  // a failure may be retried on the next draw
    blobs.set(hex, p);
  }
  return blobs.get(hex);
}

// The server's limit and accepted types (GET /v1/attachments/limits), fetched once.
let limits = null;
export function uploadLimits() {
  if (!limits) {
    limits = fetch('/v1/attachments/limits', { headers: { Authorization: `Bearer ${token()}` } })
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
  }
  return limits;
}

// POST /v1/attachments with the file's bytes; the server's answer ({ref, sha256, size, type}).
export async function upload(file) {
  const lim = await uploadLimits();
  if (lim && file.size > lim.max_bytes) {
    throw new ApiError(413, { error: { code: 'too_large', message: t('att.toolarge', { name: file.name, max: Math.floor(lim.max_bytes / 1048576) }) } });
  }
  let res;
  try {
    res = await fetch('/v1/attachments', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token()}`, 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' },
      body: file,
    });
  } catch (e) {
    throw new ApiError(0, null, true);
  }
  if (!res.ok) throw await errorOf(res);
  return res.json();
}

// One file of a record: a thumbnail that opens the photo, or a link that opens the PDF.
function item(ref, n) {
  const hex = REF.exec(ref)[1];
  const label = t('att.item', { n, id: hex.slice(0, 10) });
  const li = h('li.attachment', { 'data-ref': ref }, h('span.muted', t('att.loading')));
  fetchFile(hex).then(
    ({ url, type }) => {
      const link = h('a', { href: url, target: '_blank', rel: 'noopener', title: ref });
      if (type.startsWith('image/')) link.append(h('img.thumb', { src: url, alt: t('att.photo', { label }) }));
      else link.append(h('span.doc', t('att.pdf', { label })));
      li.replaceChildren(link);
    },
    (e) => li.replaceChildren(h('span.muted', t('att.unavailable', { label, why: e.status === 404 ? t('att.notfound') : e.message }))),
  );
  return li;
}

// The files `refs` name, as a list of thumbnails and links; values that are not file
// references (older records' URIs) are shown as plain text.
export function gallery(refs) {
  const files = (refs || []).filter(isRef);
  const other = (refs || []).filter((r) => !isRef(r));
  return h(
    'div.attachments',
    files.length ? h('ul.thumbs', { 'aria-label': t('att.list') }, files.map((r, i) => item(r, i + 1))) : null,
    other.length ? h('p', other.join(', ')) : null,
  );
}

// The file picker of an `attachments` field: files (images, PDF) from the device, or a photo
// from the camera on a phone (`capture`). Each chosen file is uploaded at once and listed
// with what happened to it; `entries` (the form's draft, kept across redraws) holds them:
// {name, pending, ref?, error?}. `required` holds only while nothing is chosen.
export function picker(id, name, required, entries) {
  const list = h('ul.chosen', { id: `${id}-chosen`, 'aria-live': 'polite' });
  const show = () => {
    const current = document.getElementById(`${id}-chosen`) || list;
    current.replaceChildren(
      ...entries.map((e, i) =>
        h(
          'li',
          e.error ? { class: 'error' } : null,
          `${e.name} — `,
          e.error ? e.error : e.ref ? t('att.uploaded', { id: e.ref.slice(7, 17) }) : e.file ? t('att.offline') : t('att.uploading'),
          ' ',
          h('button.link', { type: 'button', 'aria-label': t('att.remove', { name: e.name }), on: { click: () => { entries.splice(i, 1); files.required = required && !entries.length; show(); } } }, '×'),
        ),
      ),
    );
  };
  const choose = (ev) => {
    for (const file of ev.target.files) {
      const e = { name: file.name || t('att.camera'), ref: '', error: '' };
      e.pending = upload(file).then(
        (r) => {
          e.ref = r.ref;
          show();
        },
        (err) => {
          // No network: the photo stays with the form, and goes with the action (outbox.js).
          if (err.network) e.file = file;
          else e.error = err.message;
          show();
        },
      );
      entries.push(e);
    }
    // The list below holds the chosen files; the control is ready for more.
    ev.target.value = '';
    files.required = required && !entries.length;
    show();
  };
  const files = h(`input#${id}`, { type: 'file', name, multiple: true, accept: ACCEPT, required: required && !entries.length, 'data-kind': 'attachments', on: { change: choose } });
  const camera = h(`input#${id}-camera`, { type: 'file', accept: 'image/*', capture: 'environment', on: { change: choose } });
  show();
  return [files, h('label.camera', { for: `${id}-camera` }, t('att.camera')), camera, list];
}

// The chosen files once their uploads are done: {refs} of those uploaded and {offline} the
// File objects that could not be for want of a network (each tried once more first); throws
// the first refusal.
export async function refsOf(entries) {
  await Promise.all(entries.map((e) => e.pending));
  const bad = entries.find((e) => e.error);
  if (bad) throw new Error(`${bad.name}: ${bad.error}`);
  const offline = [];
  for (const e of entries.filter((x) => !x.ref && x.file)) {
    try {
      e.ref = (await upload(e.file)).ref;
      delete e.file;
    } catch (err) {
      if (!err.network) throw new Error(`${e.name}: ${err.message}`);
      offline.push(e.file);
    }
  }
  return { refs: entries.filter((e) => e.ref).map((e) => e.ref), offline };
}
