// Pickers (edureg/core/pickers.py): a text box becomes a combobox that searches the server as
// the person types. Without this script the text box still works: the name typed is resolved
// on the server, with a field error when nothing or several match.
//
// With it, the text box is renamed `<name>_text` and a hidden input `<name>` carries the key
// of the option chosen, which is what the form stores. Keys: ArrowDown/ArrowUp move through the
// options, Enter chooses, Escape closes the list.
(function () {
  "use strict";

  function init(root) {
    (root || document).querySelectorAll("[data-picker]").forEach(setUp);
  }

  function setUp(box) {
    if (box.dataset.pickerReady) return;
    box.dataset.pickerReady = "1";
    var input = box.querySelector("input");
    var list = box.querySelector("[role=listbox]");
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = box.dataset.name;
    hidden.value = box.dataset.key || "";
    input.name = box.dataset.name + "_text";
    box.appendChild(hidden);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var timer = null;
    var active = -1;
    var chosenLabel = input.value;
    var seq = 0;

    function options() {
      return Array.prototype.filter.call(list.querySelectorAll("[role=option]"), function (o) {
        return o.getAttribute("aria-disabled") !== "true";
      });
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      items.forEach(function (o, i) {
        o.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(option) {
      hidden.value = option.dataset.value;
      input.value = option.textContent;
      chosenLabel = input.value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var query = input.value.trim();
      if (!query) {
        list.innerHTML = "";
        close();
        return;
      }
      var mine = ++seq;
      var url = box.dataset.url + (box.dataset.url.indexOf("?") < 0 ? "?" : "&") +
        "q=" + encodeURIComponent(query);
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (mine !== seq) return; // a later search answered first
          list.innerHTML = html;
          list.querySelectorAll("[role=option]").forEach(function (o, i) {
            o.id = list.id + "_" + i;
          });
          active = -1;
          if (list.children.length) open(); else close();
        });
    }

    input.addEventListener("input", function () {
      if (input.value !== chosenLabel) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });

    input.addEventListener("keydown", function (event) {
      var items = options();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && items[active]) {
          event.preventDefault();
          choose(items[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option && option.getAttribute("aria-disabled") !== "true") {
        event.preventDefault();
        choose(option);
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
