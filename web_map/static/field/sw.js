/* The field page's service worker: keeps the page, its script and style and today's route, so
   /field opens and shows the route without network. Network first (always the newest when
   online), the kept copy when offline. Visits are not sent from here: the page keeps them in
   IndexedDB and sends them itself when the network returns. */
"use strict";
const CACHE = "qzf-field-v1";
const SHELL = ["/field", "/static/field/field.js", "/static/field/field.css"];
const KEPT = new Set([...SHELL, "/routes/field/today"]);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || !KEPT.has(url.pathname)) return;
  const key = url.pathname; // one copy per path: /field?x is /field
  event.respondWith(
    fetch(req)
      .then((res) => {
        // A redirect (to the login page) or an error is never kept in place of the page.
        if (!res.ok || res.redirected) return res;
        const copy = res.clone();
        return caches.open(CACHE).then((c) => c.put(key, copy)).then(() => res);
      })
      .catch(() => caches.match(key).then((hit) => hit || Response.error())),
  );
});
