// Behaviours htmx lacks; no inline script anywhere (CSP).
(function () {
  "use strict";
  // A file over the limit is refused at its input before anything is sent: the server can only
  // answer such a request with 413, without the fields typed so far.
  function oversized(input) {
    var limit = Number(input.getAttribute("data-max-bytes"));
    return Array.prototype.filter.call(input.files || [], function (file) { return file.size > limit; })
      .map(function (file) { return file.name; });
  }
  function showSizeError(input, names) {
    var id = input.id + "-size-error";
    var error = document.getElementById(id);
    var anchor = input.parentElement.classList.contains("input-group") ? input.parentElement : input;
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    input.classList.toggle("is-invalid", names.length > 0);
    if (!names.length) {
      if (error) { error.remove(); }
      input.setAttribute("aria-describedby", described.join(" "));
      return;
    }
    if (!error) {
      error = document.createElement("div");
      error.id = id;
      error.className = "invalid-feedback d-block";
      error.setAttribute("role", "alert");
      anchor.insertAdjacentElement("afterend", error);
    }
    error.textContent = input.getAttribute("data-too-large").replace("{files}", names.join(", "));
    input.setAttribute("aria-describedby", described.concat(id).join(" "));
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-bytes]")) { showSizeError(input, oversized(input)); }
  });
  document.addEventListener("submit", function (event) {
    var refused = null;
    event.target.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var names = oversized(input);
      showSizeError(input, names);
      if (names.length && !refused) { refused = input; }
    });
    if (refused) {
      event.preventDefault();
      event.stopImmediatePropagation();
      refused.focus();
    }
  }, true);
  // Long fields show how many characters are left: the browser cuts what goes past maxlength
  // (a pasted text too) without a word.
  var charsLeft = document.querySelector('meta[name="chars-left"]');
  function countDown(field) {
    var left = Number(field.getAttribute("maxlength")) - field.value.length;
    field.charCounter.textContent = charsLeft.content.replace("{n}", String(Math.max(left, 0)));
    field.charCounter.classList.toggle("text-danger", left <= 0);
  }
  function addCounters(root) {
    if (!charsLeft || !root.querySelectorAll) { return; }
    root.querySelectorAll("input[maxlength], textarea[maxlength]").forEach(function (field) {
      if (field.charCounter || Number(field.getAttribute("maxlength")) < 200 || !field.id) { return; }
      var counter = document.createElement("div");
      counter.id = field.id + "-chars-left";
      counter.className = "form-text text-end chars-left";
      // Inside an input group the counter goes below the group, not between field and button.
      var group = field.parentElement.matches(".input-group") ? field.parentElement : field;
      group.insertAdjacentElement("afterend", counter);
      field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
      field.charCounter = counter;
      countDown(field);
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.charCounter) { countDown(event.target); }
  });
  document.addEventListener("reset", function (event) {
    var form = event.target;
    window.setTimeout(function () {
      form.querySelectorAll("input[maxlength], textarea[maxlength]").forEach(function (field) {
        if (field.charCounter) { countDown(field); }
      });
    });
  });
  document.addEventListener("DOMContentLoaded", function () { addCounters(document); });
  document.addEventListener("htmx:load", function (event) { addCounters(event.detail.elt); });
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

// Person and unit pickers (the person_field and unit_search macros): typing asks people.pick
// (people.pick_unit) for live results under the input; choosing one fills the input with the
// name and the hidden input with the person's opaque id (the unit's id); typing again forgets
// the choice. Arrow keys move through the results, Escape closes them; in a unit search, Enter
// chooses the first result. A unit filter applies itself once chosen or cleared.
(function () {
  "use strict";
  var PICKER = "[data-person-picker], [data-unit-picker]";
  var SEARCH = "input[data-person-search], input[data-unit-search]";
  var CHOICE = "input[data-person-choice], input[data-unit-choice]";
  var OPTION = "[data-person-option], [data-unit-option]";
  function pickerOf(element) { return element && element.closest ? element.closest(PICKER) : null; }
  function close(picker) {
    var results = picker.querySelector(".person-results");
    if (results) { results.innerHTML = ""; }
  }
  function options(picker) { return Array.prototype.slice.call(picker.querySelectorAll(OPTION)); }
  function applyFilter(picker) {
    var form = picker.closest("form");
    if (picker.hasAttribute("data-unit-filter") && form) { form.requestSubmit(); }
  }
  // A field of several units gets the chosen one as a ticked box of the field's name.
  function addUnit(picker, option) {
    var chosen = picker.parentElement.querySelector("[data-unit-chosen]");
    var name = chosen.getAttribute("data-unit-chosen");
    var value = option.getAttribute("data-unit-option");
    var existing = chosen.querySelector('input[value="' + value + '"]');
    if (existing) { existing.checked = true; return; }
    var row = document.createElement("div");
    var box = document.createElement("input");
    var label = document.createElement("label");
    row.className = "form-check";
    box.className = "form-check-input";
    box.type = "checkbox";
    box.name = name;
    box.value = value;
    box.id = name + "-" + value;
    box.checked = true;
    label.className = "form-check-label";
    label.htmlFor = box.id;
    label.textContent = option.getAttribute("data-name");
    row.appendChild(box);
    row.appendChild(label);
    chosen.appendChild(row);
  }
  function choose(picker, option) {
    var input = picker.querySelector(SEARCH);
    if (picker.hasAttribute("data-unit-multiple")) {
      addUnit(picker, option);
      input.value = "";
      close(picker);
      input.focus();
      return;
    }
    input.value = option.getAttribute("data-name");
    picker.querySelector(CHOICE).value = option.getAttribute("data-person-option") || option.getAttribute("data-unit-option");
    close(picker);
    input.focus();
    applyFilter(picker);
  }
  // Only what was typed is sent, whatever form the input sits in.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (input.matches && input.matches(SEARCH)) {
      event.detail.parameters = { q: input.value };
    }
  });
  document.addEventListener("input", function (event) {
    var picker = pickerOf(event.target);
    if (picker && event.target.matches(SEARCH)) {
      var choice = picker.querySelector(CHOICE);
      var had = choice ? choice.value : "";
      if (choice) { choice.value = ""; }
      if (!event.target.value.trim()) {
        close(picker);
        if (had) { applyFilter(picker); }
      }
    }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(OPTION);
    var picker = pickerOf(event.target);
    if (option && picker) {
      choose(picker, option);
      return;
    }
    document.querySelectorAll(PICKER).forEach(function (other) {
      if (other !== picker) { close(other); }
    });
  });
  document.addEventListener("keydown", function (event) {
    var picker = pickerOf(event.target);
    if (!picker) { return; }
    var list = options(picker);
    var input = picker.querySelector(SEARCH);
    var at = list.indexOf(event.target);
    if (event.key === "Escape") {
      close(picker);
      input.focus();
    } else if (event.key === "Enter" && event.target === input && picker.hasAttribute("data-unit-picker")) {
      // Enter in a unit search never submits a half-typed unit.
      event.preventDefault();
      if (list.length) { choose(picker, list[0]); }
    } else if (event.key === "ArrowDown" && list.length) {
      event.preventDefault();
      list[Math.min(at + 1, list.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) { input.focus(); } else { list[at - 1].focus(); }
    }
  });
  // A form reset (after a successful addition) forgets the person chosen too: a hidden input
  // keeps its value through reset().
  document.addEventListener("reset", function (event) {
    event.target.querySelectorAll("[data-person-picker]").forEach(function (picker) {
      picker.querySelector("input[data-person-choice]").value = "";
      close(picker);
    });
  });
})();
