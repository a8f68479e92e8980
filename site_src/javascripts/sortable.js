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
  // A long table shows its first rows; its link `a.ec-table-data` names the JSON of all rows
  // (generator/render/table_data.py), loaded on "Show all", "Next" or a sort.
  const PAGE = 100;
  const cellFrom = (data, template, column) => {
    const td = document.createElement("td");
    const align = template.cells[column].getAttribute("style");
    if (align) td.setAttribute("style", align);
    if (Array.isArray(data)) {
      // A link: the address of the first shown row's link, its key replaced by this row's.
      const [key, text] = data;
      const link = template.cells[column].querySelector("a");
      const a = document.createElement("a");
      const href = link.getAttribute("href");
      const at = href.lastIndexOf(template.keys[column]);
      a.href = href.slice(0, at) + key + href.slice(at + template.keys[column].length);
      a.innerHTML = text;
      td.append(a);
    } else {
      td.innerHTML = data;
    }
    return td;
  };
  document.querySelectorAll(".ec-sortable").forEach((box) => {
    const table = box.querySelector("table");
    if (!table) return;
    const body = table.tBodies[0];
    const state = { rows: [...body.rows], page: 0, size: Infinity };
    const link = box.querySelector("a.ec-table-data");
    let loading = null;
    const pager = document.createElement("p");
    const show = () => {
      const start = state.size === Infinity ? 0 : state.page * state.size;
      body.replaceChildren(...state.rows.slice(start, start + state.size));
      if (link) render();
    };
    const load = () => {
      if (!link) return Promise.resolve();
      loading = loading || fetch(link.href).then((response) => response.json()).then((json) => {
        const first = state.rows[0];
        const template = { cells: first.cells, keys: json.rows[0].map((c) => (Array.isArray(c) ? c[0] : "")) };
        state.rows = json.rows.map((row) => {
          const tr = document.createElement("tr");
          row.forEach((cell, column) => tr.append(cellFrom(cell, template, column)));
          return tr;
        });
        state.loaded = true;
      });
      return loading;
    };
    const button = (text, action) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "md-button ec-table-button";
      b.textContent = text;
      b.addEventListener("click", () => load().then(() => { action(); show(); }));
      return b;
    };
    const total = link ? Number(link.dataset.rows) : state.rows.length;
    const render = () => {
      const start = state.size === Infinity ? 0 : state.page * state.size;
      const end = state.loaded ? Math.min(total, start + state.size) : state.rows.length;
      const previous = button("Previous", () => { state.page -= 1; });
      const next = button("Next", () => { state.page += 1; });
      previous.disabled = state.page === 0 || state.size === Infinity;
      next.disabled = end >= total;
      const status = document.createElement("span");
      status.className = "ec-table-status";
      status.setAttribute("aria-live", "polite");
      status.textContent = ` Rows ${start + 1}–${end} of ${total} `;
      const all = button(`Show all ${total}`, () => { state.size = Infinity; state.page = 0; });
      all.disabled = state.loaded && state.size === Infinity;
      pager.replaceChildren(previous, status, next, " ", all);
    };
    if (link) {
      // Until loaded, the page holds the first rows: paging through the loaded ones, by 100.
      state.size = PAGE;
      pager.className = "ec-table-pager";
      link.parentElement.after(pager);
      render();
    }
    const headers = [...table.querySelectorAll("thead th")];
    headers.forEach((th, column) => {
      th.tabIndex = 0;
      th.setAttribute("role", "button");
      th.title = "Sort by this column";
      const sort = () => load().then(() => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const rows = state.rows.map((row) => [key(row.cells[column]), row]);
        // Empty cells (unknown figures) stay last in either direction.
        rows.sort((x, y) => {
          if (x[0] === "" || y[0] === "") return (x[0] === "") - (y[0] === "");
          return compare(x[0], y[0]) * (ascending ? 1 : -1);
        });
        state.rows = rows.map(([, row]) => row);
        state.page = 0;
        show();
      });
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
