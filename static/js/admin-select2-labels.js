/* The admin's autocomplete fields (select2) draw a combobox and a textbox of their own beside
   the hidden <select>; select2 names them only by the chosen value, so an empty one has no
   accessible name (axe: aria-input-field-name, issue 12). Name them by the field's <label>,
   for the widgets on the page and for those a formset adds later. */
(function () {
  "use strict";

  function labelIdFor(select) {
    if (!select || !select.id) return null;
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = select.id + "_label";
    return label.id;
  }

  function name(container) {
    var select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") return;
    var labelId = labelIdFor(select);
    if (!labelId) return;
    container.querySelectorAll('[role="combobox"]').forEach(function (box) {
      var by = (box.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      if (by.indexOf(labelId) === -1) box.setAttribute("aria-labelledby", [labelId].concat(by).join(" "));
    });
    container.querySelectorAll('[role="textbox"]').forEach(function (box) {
      box.setAttribute("aria-labelledby", labelId);
    });
  }

  function nameAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".select2-container").forEach(name);
  }

  function start() {
    nameAll(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return;
          if (node.classList.contains("select2-container")) name(node);
          else nameAll(node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
