// The measurement grid: a block pasted from a spreadsheet (rows of tab-separated values) is
// spread across the inputs, starting at the one pasted into, rightwards and downwards, within
// its table. One value pasted is left to the browser. Without this script each cell is typed.
(function () {
  "use strict";

  function cellAt(table, row, col) {
    return table.querySelector('input[data-row="' + row + '"][data-col="' + col + '"]');
  }

  document.addEventListener("paste", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.row || !input.closest("[data-grid]")) {
      return;
    }
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text || (text.indexOf("\t") < 0 && text.replace(/\r?\n$/, "").indexOf("\n") < 0)) {
      return;
    }
    event.preventDefault();
    const table = input.closest("table");
    const row0 = Number(input.dataset.row);
    const col0 = Number(input.dataset.col);
    text.replace(/\r?\n$/, "").split(/\r?\n/).forEach(function (line, r) {
      line.split("\t").forEach(function (value, c) {
        const target = cellAt(table, row0 + r, col0 + c);
        if (target) {
          target.value = value.trim();
        }
      });
    });
  });
})();
