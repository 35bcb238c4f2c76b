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
  // After an htmx swap, move keyboard focus to a freshly rendered error so it is announced.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.detail.target && event.detail.target.querySelector(".is-invalid");
    if (invalid) { invalid.focus(); }
  });
})();
