// Sorting, filtering and pages of rows for the report's tables. Without this script every
// row is shown; with it, long tables show a page at a time. Nothing is fetched.
(function () {
  "use strict";
  var PAGE = 50;
  var header = document.querySelector("header.top");
  function setNav() { document.documentElement.style.setProperty("--nav", header.offsetHeight + "px"); }
  setNav();
  window.addEventListener("resize", setNav);

  // `report.html#only-access-keys` shows that one view alone (to share, print or capture it).
  function only() {
    var m = /^#only-(.+)$/.exec(location.hash);
    document.querySelectorAll("main > section").forEach(function (s) { s.hidden = !!m && s.id !== m[1]; });
  }
  only();
  window.addEventListener("hashchange", only);

  document.querySelectorAll("div.table").forEach(function (box) {
    var table = box.querySelector("table");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var filter = box.querySelector("input.filter");
    var count = box.querySelector(".count");
    var pager = box.querySelector(".pager");
    var page = 0;
    var shown = rows;

    function key(row, i) {
      var cell = row.cells[i];
      return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    }

    function draw() {
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      if (page >= pages) { page = pages - 1; }
      rows.forEach(function (r) { r.classList.add("paged-out"); });
      shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (r) { r.classList.remove("paged-out"); });
      count.textContent = shown.length === rows.length ? rows.length + " rows" : shown.length + " of " + rows.length + " rows";
      pager.hidden = pages < 2;
      pager.textContent = "";
      if (pages < 2) { return; }
      var prev = document.createElement("button");
      prev.type = "button"; prev.textContent = "‹ Previous"; prev.disabled = page === 0;
      prev.addEventListener("click", function () { page -= 1; draw(); });
      var next = document.createElement("button");
      next.type = "button"; next.textContent = "Next ›"; next.disabled = page >= pages - 1;
      next.addEventListener("click", function () { page += 1; draw(); });
      var where = document.createElement("span");
      where.textContent = "Page " + (page + 1) + " of " + pages;
      pager.append(prev, where, next);
    }

    filter.hidden = false;
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      shown = rows.filter(function (r) {
        var text = r.textContent.toLowerCase();
        var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
        r.classList.toggle("filtered-out", !keep);
        return keep;
      });
      page = 0;
      draw();
    });

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      function sort() {
        var descending = th.getAttribute("aria-sort") === "ascending";
        var numeric = th.getAttribute("data-type") === "num";
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var order = rows.map(function (r, n) { return [key(r, i), n, r]; });
        order.sort(function (a, b) {
          var x = a[0], y = b[0], c;
          if (numeric) { c = (parseFloat(x) || 0) - (parseFloat(y) || 0); }
          else { c = x < y ? -1 : x > y ? 1 : 0; }
          if (descending) { c = -c; }
          return c || a[1] - b[1];
        });
        rows = order.map(function (o) { return o[2]; });
        rows.forEach(function (r) { body.appendChild(r); });
        shown = rows.filter(function (r) { return !r.classList.contains("filtered-out"); });
        draw();
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
    });
    draw();
  });
})();
