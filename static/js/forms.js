/* Error summary (templates/forms/error_summary.html): after a failed submission, move focus to
   the summary so it is what is read and seen first, and mark the page title; a link in it
   moves focus to its field, with the field's label or question scrolled into view above it.
   Without this file the summary is still there and its links still jump to the fields.
   No inline script anywhere: the site's CSP allows scripts from 'self' only. */
(function () {
  "use strict";

  function labelFor(input) {
    var group = input.closest("fieldset");
    if (group && group.querySelector("legend")) return group.querySelector("legend");
    if (input.id) {
      var label = document.querySelector('label[for="' + input.id + '"]');
      if (label) return label;
    }
    return input;
  }

  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    var prefix = summary.getAttribute("data-title-prefix");
    // "Error: " in English; Chinese "错误：" already ends in a full-width colon, no space.
    if (prefix && document.title.indexOf(prefix) !== 0) {
      document.title = prefix + (/:$/.test(prefix) ? " " : "") + document.title;
    }
    summary.focus();
    document.querySelectorAll("[data-error-summary]").forEach(function (each) {
      each.addEventListener("click", function (event) {
        var link = event.target.closest('a[href^="#"]');
        if (!link) return;
        var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
        if (!input) return;
        event.preventDefault();
        // The question above the field, unless a long hint would push the field off screen.
        labelFor(input).scrollIntoView();
        var box = input.getBoundingClientRect();
        if (box.bottom > window.innerHeight) input.scrollIntoView({ block: "center" });
        input.focus({ preventScroll: true });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
