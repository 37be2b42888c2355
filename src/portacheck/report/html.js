// The findings table's search and filters: rows stay in the page, non-matching ones are hidden.
// A filter's value is one value of its rows' data attribute, or several separated by spaces.
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var form = document.getElementById("filters");
  if (!table || !form) {
    return;
  }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var search = document.getElementById("filter-search");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var shown = document.getElementById("findings-shown");

  function apply() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row, index) {
      var match = selects.every(function (select) {
        return !select.value || select.value.split(" ").indexOf(row.getAttribute("data-" + select.name)) !== -1;
      }) && words.every(function (word) { return texts[index].indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) {
        count += 1;
      }
    });
    shown.textContent = String(count);
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
}());

// Printing shows everything: the collapsed lists open (the print style sheet shows every row).
window.addEventListener("beforeprint", function () {
  Array.prototype.forEach.call(document.querySelectorAll("details"), function (details) { details.open = true; });
});
