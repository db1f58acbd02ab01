/* Phone filing (docs/activities.md "Filing on a phone").
   Records started on the phone wait in IndexedDB ("pp-filing" / "outbox"), one entry per record:
     {key: uuid (the Idempotency-Key), user, organization, fields, attendance, photos: [{key, name, type, blob,
      sent}], state: "waiting" | "sent" | "refused", note, error, recordId, createdAt}
   and are sent (POST /api/v1/activities/ with the key, then each photo to …/attachments/ with its own key)
   when the network is there: at once, on the "online" event, on opening any page of the app, every 30 s.
   A resend after a lost answer is harmless: the server answers the record the key already created.
   No inline scripts (CSP script-src 'self'): everything is here, texts come from data-t-* attributes. */
(function () {
  "use strict";

  // --- service worker: installable, opens offline --------------------------------------------------
  var manifest = document.querySelector("link[rel=manifest][data-sw]");
  if (manifest && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(manifest.dataset.sw, { scope: manifest.dataset.swScope }).catch(function () {});
  }

  var root = document.getElementById("quick-filing") || document.querySelector("[data-outbox-summary]");
  if (!root || !window.indexedDB) { return; }
  var T = function (name) { return root.getAttribute("data-t-" + name) || name; };
  var API = root.dataset.api;
  var USER = root.dataset.user;

  // --- IndexedDB ---------------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open("pp-filing", 1);
        open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { keyPath: "key" }); };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function store(mode) {
    return db().then(function (d) { return d.transaction("outbox", mode).objectStore("outbox"); });
  }
  function put(entry) {
    return store("readwrite").then(function (s) {
      return new Promise(function (resolve, reject) {
        var r = s.put(entry); r.onsuccess = function () { resolve(entry); }; r.onerror = function () { reject(r.error); };
      });
    });
  }
  function remove(key) {
    return store("readwrite").then(function (s) {
      return new Promise(function (resolve) { var r = s.delete(key); r.onsuccess = r.onerror = function () { resolve(); }; });
    });
  }
  function all() {
    return store("readonly").then(function (s) {
      return new Promise(function (resolve, reject) {
        var r = s.getAll();
        r.onsuccess = function () {
          // one phone, several logins: each sees and sends only their own records
          resolve(r.result.filter(function (e) { return e.user === USER; })
                  .sort(function (a, b) { return b.createdAt.localeCompare(a.createdAt); }));
        };
        r.onerror = function () { reject(r.error); };
      });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    // the cookie is the fresh one (a kept page's meta tag may predate the last login)
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function messagesOf(body) {
    // DRF errors: {"field": ["message"], "non_field_errors": [...]} or {"detail": "..."}
    if (!body || typeof body !== "object") { return ""; }
    var out = [];
    Object.keys(body).forEach(function (field) {
      var value = body[field];
      if (Array.isArray(value)) {
        value.forEach(function (v) { out.push(typeof v === "object" ? messagesOf(v) : String(v)); });
      } else if (value && typeof value === "object") {
        out.push(messagesOf(value));
      } else {
        out.push(String(value));
      }
    });
    return out.filter(Boolean).join("；");
  }

  function send(url, key, body, isJson) {
    var headers = { "Idempotency-Key": key, "X-CSRFToken": csrfToken(), "Accept": "application/json" };
    if (isJson) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers,
                        body: isJson ? JSON.stringify(body) : body }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  // --- sending -----------------------------------------------------------------------------------
  var syncing = null;
  var again = false;  // asked for while a try was under way (the network came back mid-try): try once more after it
  function sendOne(entry) {
    var step = Promise.resolve({ status: 201, data: { id: entry.recordId } });
    if (!entry.recordId) {
      var payload = Object.assign({ organization: entry.organization, attendance: entry.attendance }, entry.fields);
      step = send(API, entry.key, payload, true);
    }
    return step.then(function (answer) {
      if (answer.status === 201) {
        entry.recordId = answer.data.id;
        entry.note = "";
        return sendPhotos(entry);
      }
      if (answer.status === 400 || answer.status === 409 || answer.status === 404) {
        entry.state = "refused";
        entry.error = messagesOf(answer.data) || String(answer.status);
        entry.note = "";
      } else if (answer.status === 401 || answer.status === 403) {
        entry.note = "login";
      } else {
        entry.note = "server";
      }
    }, function () {
      entry.note = "offline";  // no network (or the answer was lost): the same key is sent again later
    }).then(function () { return put(entry); });
  }

  function sendPhotos(entry) {
    var url = API + entry.recordId + "/attachments/";
    var chain = Promise.resolve();
    var pending = false;
    entry.photos.forEach(function (photo) {
      if (photo.sent) { return; }
      chain = chain.then(function () {
        if (pending) { return; }
        var form = new FormData();
        form.append("file", new File([photo.blob], photo.name, { type: photo.type }));
        return send(url, photo.key, form, false).then(function (answer) {
          if (answer.status === 201) {
            photo.sent = true; photo.blob = null; photo.error = "";
          } else if (answer.status === 400 || answer.status === 409) {
            photo.sent = true; photo.blob = null; photo.error = messagesOf(answer.data);
          } else {
            pending = true; entry.note = answer.status === 403 ? "login" : "server";
          }
        }, function () { pending = true; entry.note = "offline"; });
      });
    });
    return chain.then(function () {
      if (!pending) { entry.state = "sent"; entry.note = ""; }
    });
  }

  function sync() {
    if (syncing) { again = true; return syncing; }
    syncing = all().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting"; });
      return waiting.reduce(function (chain, entry) {
        return chain.then(function () { return sendOne(entry); });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      syncing = null;
      render();
      if (again) { again = false; return sync(); }
    });
    return syncing;
  }

  // --- the page ----------------------------------------------------------------------------------
  var outbox = document.getElementById("outbox");
  var summary = document.querySelector("[data-outbox-summary]");

  function badge(entry) {
    var span = document.createElement("span");
    span.setAttribute("data-testid", "outbox-state");
    span.dataset.state = entry.state;
    if (entry.state === "sent") {
      span.className = "badge text-bg-success"; span.textContent = T("sent");
    } else if (entry.state === "refused") {
      span.className = "badge text-bg-danger"; span.textContent = T("refused-badge");
    } else {
      span.className = "badge text-bg-warning"; span.textContent = T("waiting");
    }
    return span;
  }

  function line(entry) {
    var li = document.createElement("li");
    li.className = "list-group-item";
    li.setAttribute("data-testid", "outbox-entry");
    li.dataset.key = entry.key;
    var head = document.createElement("div");
    head.className = "d-flex justify-content-between align-items-start gap-2";
    var title = document.createElement("div");
    var strong = document.createElement("div");
    strong.className = "fw-semibold"; strong.textContent = entry.fields.topic;
    var sub = document.createElement("div");
    sub.className = "small text-muted";
    sub.textContent = entry.fields.held_on + " · " + entry.kindLabel +
      (entry.photos.length ? " · " + entry.photos.length + " " + T("photos") : "");
    title.appendChild(strong); title.appendChild(sub);
    head.appendChild(title); head.appendChild(badge(entry));
    li.appendChild(head);
    if (entry.state === "refused") {
      var why = document.createElement("div");
      why.className = "small text-danger mt-1"; why.setAttribute("data-testid", "outbox-error");
      why.textContent = T("refused") + "：" + entry.error;
      li.appendChild(why);
    } else if (entry.note) {
      var note = document.createElement("div");
      note.className = "small text-muted mt-1"; note.setAttribute("data-testid", "outbox-note");
      note.textContent = T(entry.note);
      li.appendChild(note);
    }
    entry.photos.forEach(function (photo) {
      if (photo.error) {
        var bad = document.createElement("div");
        bad.className = "small text-danger"; bad.textContent = T("photo-refused") + "（" + photo.name + "）：" + photo.error;
        li.appendChild(bad);
      }
    });
    var actions = document.createElement("div");
    actions.className = "d-flex gap-2 mt-2";
    if (entry.recordId) {
      var open = document.createElement("a");
      open.className = "btn btn-sm btn-outline-primary"; open.setAttribute("data-testid", "outbox-open");
      open.href = root.dataset.recordUrl.replace("/0/", "/" + entry.recordId + "/");
      open.textContent = T("open");
      actions.appendChild(open);
    }
    if (entry.state === "waiting") {
      var retry = document.createElement("button");
      retry.type = "button"; retry.className = "btn btn-sm btn-outline-secondary"; retry.dataset.action = "retry";
      retry.setAttribute("data-testid", "outbox-retry"); retry.textContent = T("retry");
      actions.appendChild(retry);
    }
    if (entry.state !== "waiting" || !entry.recordId) {
      var drop = document.createElement("button");
      drop.type = "button"; drop.className = "btn btn-sm btn-outline-danger"; drop.dataset.action = "discard";
      drop.setAttribute("data-testid", "outbox-discard"); drop.textContent = T("discard");
      actions.appendChild(drop);
    }
    li.appendChild(actions);
    return li;
  }

  function render() {
    var banner = document.getElementById("offline-banner");
    if (banner) { banner.classList.toggle("d-none", navigator.onLine); }
    return all().then(function (entries) {
      if (outbox) {
        outbox.replaceChildren.apply(outbox, entries.map(line));
        if (!entries.length) {
          var empty = document.createElement("li");
          empty.className = "list-group-item text-muted"; empty.textContent = T("empty");
          outbox.appendChild(empty);
        }
      }
      if (summary) {
        var waiting = entries.filter(function (e) { return e.state === "waiting"; }).length;
        summary.classList.toggle("d-none", waiting === 0);
        var count = summary.querySelector("[data-outbox-count]");
        if (count) { count.textContent = String(waiting); }
      }
    }).catch(function () {});
  }

  if (outbox) {
    outbox.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) { return; }
      var key = button.closest("[data-key]").dataset.key;
      if (button.dataset.action === "retry") { sync(); }
      if (button.dataset.action === "discard") {
        all().then(function (entries) {
          var entry = entries.filter(function (e) { return e.key === key; })[0];
          if (entry && entry.state === "waiting" && !window.confirm(T("discard-confirm"))) { return; }
          return remove(key).then(render);
        });
      }
    });
  }

  var form = document.getElementById("quick-form");
  if (form) {
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.dataset && box.dataset.member) {
        var reason = form.querySelector('[data-reason="' + box.dataset.member + '"]');
        if (reason) { reason.classList.toggle("d-none", box.checked); }
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = document.getElementById("quick-error");
      var show = function (text) { error.textContent = text; error.classList.toggle("d-none", !text); };
      var kind = form.elements.kind, heldOn = form.elements.held_on, topic = form.elements.topic;
      if (!kind.value || !heldOn.value || !topic.value.trim()) { show(T("required")); return; }
      var files = Array.prototype.slice.call(document.getElementById("q-photos").files || []);
      if (files.some(function (f) { return f.size > 10 * 1024 * 1024; })) { show(T("too-big")); return; }
      show("");
      var attendance = Array.prototype.map.call(form.querySelectorAll("input[data-member]"), function (box) {
        var reason = form.querySelector('[data-reason="' + box.dataset.member + '"]');
        return { member: Number(box.dataset.member), present: box.checked,
                 absence_reason: box.checked ? "" : (reason ? reason.value.trim() : "") };
      });
      var entry = {
        key: uuid(), user: USER, organization: root.dataset.organization, createdAt: new Date().toISOString(),
        fields: { kind: kind.value, held_on: heldOn.value, topic: topic.value.trim(), place: form.elements.place.value.trim() },
        kindLabel: kind.options[kind.selectedIndex].text, attendance: attendance,
        photos: files.map(function (f) { return { key: uuid(), name: f.name, type: f.type, blob: f, sent: false }; }),
        state: "waiting", note: navigator.onLine ? "" : "offline", error: "", recordId: null,
      };
      put(entry).then(function () {
        form.reset();
        heldOn.value = heldOn.getAttribute("value");
        form.querySelectorAll("[data-reason]").forEach(function (r) { r.classList.add("d-none"); });
        return render();
      }).then(function () { if (navigator.onLine) { return sync(); } }, function () { show(T("no-storage")); });
    });
  }

  window.addEventListener("online", function () { render(); sync(); });
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) { sync(); } }, 30000);
  render().then(function () { if (navigator.onLine) { sync(); } });
})();
