/* edureg: what scripts add to the staff layout. Every page works without them: the menu is
   then simply open, the filters open from their own <details> toggle, wide tables scroll.

   Loaded in <head> without `defer`, so the "js" class is on <html> before the header is drawn
   and a phone never shows the menu open and then closes it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // The width from which the menu and the filters are shown open (edureg.css uses the same).
  var wide = window.matchMedia("(min-width: 48rem)");

  function menu() {
    var button = document.querySelector(".site-header .menu-toggle");
    var panel = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    var header = button.closest(".site-header");
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.setAttribute("data-menu", open ? "open" : "closed");
    }
    show(false);
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !wide.matches && button.getAttribute("aria-expanded") === "true") {
        show(false);
        button.focus();
      }
    });
  }

  function filters() {
    // Collapsed on a phone (unless a filter is in use: the server opens those), open on a desktop.
    if (!wide.matches) return;
    document.querySelectorAll("details.filter-panel").forEach(function (panel) {
      panel.open = true;
    });
  }

  function tables() {
    // A table wider than its box scrolls inside it: let the keyboard reach and scroll it too,
    // and name the region after the table's caption.
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) return;
      box.setAttribute("tabindex", "0");
      var caption = box.querySelector("caption");
      if (caption && caption.textContent.trim()) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption.textContent.trim());
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    menu();
    filters();
    tables();
  });
})();
