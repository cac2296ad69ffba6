// Installs the service worker (web/app/sw.js) that makes the console installable to a
// phone's home screen; scope "/" (the server allows it with Service-Worker-Allowed).
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/console/sw.js', { scope: '/' }).catch(() => {
    // Without it the console works the same, only not installable.
  });
}
