// Send Django's CSRF token with every htmx request (the token lives in a meta tag, not inline script).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});
// Elements with data-confirm ask before submitting (no inline onclick: CSP forbids it).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
// Auto-submit filter selects marked data-autosubmit.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) { event.target.form.requestSubmit(); }
});
