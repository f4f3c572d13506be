/* Tables too wide for the screen become cards (one per row, each cell labelled with its column's
   header: base.css, `table.cards`); tables that fit stay tables. Without this script a wide table
   scrolls inside itself. Run on load, after an htmx swap and when the window changes width. */
(function () {
  "use strict";

  function label(table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label") && headers[column]) cell.setAttribute("data-label", headers[column]);
        column += cell.colSpan || 1;
      });
    });
  }

  function fit() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      if (!table.tHead) return;  // a table without headers has no labels for its cards
      table.classList.remove("cards");
      if (table.scrollWidth > table.parentElement.clientWidth + 1) {
        label(table);
        table.classList.add("cards");
      }
    });
  }

  var pending;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(fit, 150);
  }
  document.addEventListener("DOMContentLoaded", fit);
  document.addEventListener("htmx:afterSwap", fit);
  window.addEventListener("resize", later);
})();
