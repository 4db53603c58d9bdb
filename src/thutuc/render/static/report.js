// thutuc report: sorting and filtering of the services table, zooming of diagrams. The pages read fully without it.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("figure.diagram"), function (figure) {
    var caption = figure.querySelector("figcaption");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "zoom";
    button.textContent = figure.getAttribute(figure.classList.contains("zoomed") ? "data-zoom-out" : "data-zoom-in");
    button.addEventListener("click", function () {
      var zoomed = figure.classList.toggle("zoomed");
      button.textContent = figure.getAttribute(zoomed ? "data-zoom-out" : "data-zoom-in");
    });
    caption.appendChild(button);
  });
}());

(function () {
  "use strict";
  var table = document.getElementById("services-table");
  var controls = document.getElementById("controls");
  if (!table || !controls) {
    return;
  }
  var body = table.tBodies[0];
  var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var text = document.getElementById("filter-text");
  var level = document.getElementById("filter-level");
  var count = document.getElementById("filter-count");

  function sortKey(row, column) {
    var cell = row.cells[column];
    var value = cell.getAttribute("data-sort");
    if (value === null) {
      value = cell.textContent;
    }
    var number = value.trim() === "" ? NaN : Number(value);
    return isNaN(number) ? value.trim().toLocaleLowerCase() : number;
  }

  function compare(a, b) {
    var unknownA = a === "", unknownB = b === "";
    if (unknownA || unknownB) {
      return unknownA - unknownB;
    }
    if (typeof a === "number" && typeof b === "number") {
      return a - b;
    }
    return String(a).localeCompare(String(b), document.documentElement.lang);
  }

  function sortBy(column) {
    var heading = headings[column];
    var ascending = heading.getAttribute("aria-sort") !== "ascending";
    headings.forEach(function (cell) { cell.removeAttribute("aria-sort"); });
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var a = sortKey(x, column), b = sortKey(y, column);
      // Unknown values stay last in both directions.
      if (a === "" || b === "") {
        return compare(a, b);
      }
      return ascending ? compare(a, b) : compare(b, a);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  headings.forEach(function (cell, column) {
    if (!cell.hasAttribute("data-sortable")) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (cell.firstChild) {
      button.appendChild(cell.firstChild);
    }
    cell.appendChild(button);
    button.addEventListener("click", function () { sortBy(column); });
  });

  function applyFilter() {
    var words = text.value.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
    var wanted = level.value;
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var haystack = row.getAttribute("data-search") || "";
      var visible = words.every(function (word) { return haystack.indexOf(word) !== -1; }) &&
        (wanted === "" || row.getAttribute("data-level") === wanted);
      row.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    count.textContent = count.getAttribute("data-template")
      .replace("{shown}", String(shown)).replace("{total}", String(body.rows.length));
  }

  text.addEventListener("input", applyFilter);
  level.addEventListener("change", applyFilter);
  controls.hidden = false;
  applyFilter();
}());
