// The console's service worker: it makes the console installable to a phone's home screen
// and lets its shell (HTML, CSS, scripts) open when the network is gone. The console's own
// files are fetched from the network first (the server answers 304 while they are
// unchanged) and the copy kept here is used only when that fails. The API (/v1/...) is
// never cached or answered from here: tickets and actions always go to the server.
const CACHE = 'closeloop-console-v1';
const SHELL = [
  '/',
  '/console/app.css',
  '/console/icon.svg',
  '/console/manifest.webmanifest',
  '/console/js/main.js',
  '/console/js/api.js',
  '/console/js/dom.js',
  '/console/js/format.js',
  '/console/js/i18n.js',
  '/console/js/names.js',
  '/console/js/words_pictures.js',
  '/console/js/live.js',
  '/console/js/reference.js',
  '/console/js/timeline.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname !== '/' && !url.pathname.startsWith('/console/')) return;  // the API: network only
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(event.request, copy));
        }
        return res;
      })
      .catch(() => caches.match(event.request).then((hit) => hit || Response.error())),
  );
});
