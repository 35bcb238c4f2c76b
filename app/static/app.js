// Behaviours htmx lacks; no inline script anywhere (CSP).
(function () {
  "use strict";
  // Confirm buttons carrying data-confirm before their form is submitted.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // The page a check-in QR code opens sends its form at once: scanning is the intent, the POST
  // still carries the CSRF token.
  function autosubmit(root) {
    var form = root.querySelector && root.querySelector("form[data-autosubmit]");
    if (form && !form.dataset.sent) { form.dataset.sent = "1"; form.requestSubmit(); }
  }
  document.addEventListener("DOMContentLoaded", function () { autosubmit(document); });
  document.addEventListener("htmx:load", function (event) { autosubmit(event.detail.elt); });
  // A form that adds something starts empty again once the addition succeeded.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[data-reset-on-success]")) {
      form.reset();
    }
  });
  // A "tick all" checkbox ticks every checkbox of the form it names (inputs tied by form="…").
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("input[data-check-all]")) { return; }
    var name = window.CSS && CSS.escape ? CSS.escape(all.getAttribute("data-check-all")) : all.getAttribute("data-check-all");
    document.querySelectorAll('input[type="checkbox"][form="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
  // After an htmx swap, move keyboard focus to a freshly rendered error so it is announced.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.detail.target && event.detail.target.querySelector(".is-invalid");
    if (invalid) { invalid.focus(); }
  });
})();
