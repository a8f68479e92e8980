// Sortable tables without a framework: click (or press Enter on) a column header.
// Numbers sort as numbers (commas, units and stars understood); other cells as text.
(() => {
  const scale = { million: 1e6, billion: 1e9, trillion: 1e12 };
  const key = (cell) => {
    const text = cell.textContent.trim();
    const stars = (text.match(/★/g) || []).length;
    if (stars) return stars;
    // A cell that starts with a number ("1,900 t CO₂e", "70 billion") sorts as that number.
    const match = text.replace(/,/g, "").match(/^(-?\d+(\.\d+)?(e-?\d+)?)\s*(million|billion|trillion)?/i);
    if (match) return Number(match[1]) * (scale[(match[4] || "").toLowerCase()] || 1);
    return text.toLowerCase();
  };
  const compare = (a, b) => {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  };
  document.querySelectorAll(".ec-sortable table").forEach((table) => {
    const headers = [...table.querySelectorAll("thead th")];
    headers.forEach((th, column) => {
      th.tabIndex = 0;
      th.setAttribute("role", "button");
      th.title = "Sort by this column";
      const sort = () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = [...body.rows].map((row) => [key(row.cells[column]), row]);
        // Empty cells (unknown figures) stay last in either direction.
        rows.sort((x, y) => {
          if (x[0] === "" || y[0] === "") return (x[0] === "") - (y[0] === "");
          return compare(x[0], y[0]) * (ascending ? 1 : -1);
        });
        rows.forEach(([, row]) => body.append(row));
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sort();
        }
      });
    });
  });
})();

// Tables and charts wider than a phone scroll sideways inside their box: make each box
// reachable by keyboard (axe-core's scrollable-region-focusable). Material wraps tables in
// .md-typeset__scrollwrap when it mounts a page, so this runs after it, on each page it shows.
(() => {
  const focusable = () => {
    document.querySelectorAll(".md-typeset__scrollwrap, .ec-chart-box").forEach((box) => {
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    });
  };
  if (window.document$) window.document$.subscribe(focusable);
  else document.addEventListener("DOMContentLoaded", focusable);
})();
