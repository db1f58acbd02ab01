/* Service worker of the phone filing app (scope /activities/). Served by activities.views.ServiceWorkerView.
   - The filing page and its files are kept in a cache, so the page opens without a network.
   - Pages: network first; without a network, the kept copy of the same page, else the filing page.
   - Static files: from the cache, else the network (and kept).
   - Anything else (the API, POSTs) goes to the network untouched: records wait in the page's IndexedDB
     outbox (static/js/filing.js), never in here. */
var VERSION = "{{ version }}";
var CACHE = "pp-filing-" + VERSION;
var SHELL = {{ shell|safe }};
var OFFLINE_PAGE = {{ offline_page|safe }};
var STATIC_PREFIX = {{ static_prefix|safe }};

function keep(cache, url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    // never keep the login page in place of the filing page
    if (response.ok && !response.redirected) { return cache.put(url, response); }
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) { return keep(cache, url); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("pp-filing-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (url.pathname === OFFLINE_PAGE && response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(OFFLINE_PAGE, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (kept) {
        return kept || caches.match(OFFLINE_PAGE);
      });
    }));
    return;
  }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then(function (kept) {
      return kept || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  }
});
