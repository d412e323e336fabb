// Flywheel social pages: small progressive enhancements on top of htmx.
// Everything here is optional: every form also works as a plain POST without JavaScript.
(function () {
  "use strict";

  // htmx does not swap 4xx answers by default. Ours carry something to show: a form with its
  // errors (400) or a notice for the message area (403, 404, 429; the server retargets it).
  var SHOWN_ERRORS = [400, 403, 404, 409, 422, 429];

  // With DEBUG on, django-htmx's debug script replaces the whole document with any 400, 403
  // or 404 answer (meant for Django's error pages). Our fragments are not error pages: keep
  // that script from seeing them (a capturing listener on window runs before it), and let it
  // still show real error pages, which are whole documents.
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    var isDocument = /^\s*<!doctype/i.test(xhr.responseText || "");
    if (SHOWN_ERRORS.indexOf(xhr.status) !== -1 && !isDocument) event.stopPropagation();
  }, true);
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (SHOWN_ERRORS.indexOf(event.detail.xhr.status) !== -1 && event.detail.serverResponse) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Characters left in a post or reply box.
  function updateCounter(textarea) {
    var counter = document.querySelector('[data-counter-for="' + textarea.id + '"]');
    var limit = parseInt(textarea.getAttribute("data-counter") || textarea.maxLength, 10);
    if (!counter || !limit) return;
    var left = limit - textarea.value.length;
    counter.textContent = textarea.value.length ? String(left) : "";
    counter.classList.toggle("is-low", left < 40);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-counter]")) {
      updateCounter(event.target);
    }
  });

  // Show the chosen picture's name next to the picture button.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(".compose__file")) return;
    var label = input.closest("form").querySelector("[data-file-name]");
    if (label) label.textContent = input.files.length ? input.files[0].name : "";
  });

  // Menus built on <details>: close when clicking elsewhere, on Escape, and after an action.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var menu = event.target.closest && event.target.closest("details.menu");
    if (menu) menu.removeAttribute("open");
  });

  // htmx keeps a copy of the page's markup for the back button, saved just before the address
  // moves on. Markup holds an input's first value, and the box already holds the next query,
  // so going back showed the earlier results under the wrong words. A live search box whose
  // value drives the address is saved with the query of the address being left.
  document.addEventListener("htmx:beforeHistorySave", function () {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll('input[type="search"][hx-push-url]').forEach(function (input) {
      input.setAttribute("value", params.get(input.name) || "");
    });
  });

  // After a post, counters of the person's own posts (home's sidebar) show the new total.
  document.body.addEventListener("my-post-count", function (event) {
    document.querySelectorAll("[data-my-post-count]").forEach(function (el) {
      el.textContent = String(event.detail.value);
    });
  });

  // Notices dropped into the message area fade away after a while.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-autodismiss]:not([data-timer])").forEach(function (el) {
      el.setAttribute("data-timer", "1");
      setTimeout(function () { el.remove(); }, 8000);
    });
  });
})();
