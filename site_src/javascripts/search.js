// The search page: Pagefind's own UI over the chunked index in /pagefind/ (built by
// `energy-cards build`). Loaded only by this page; a query in the address (?q=..., from the
// search box in the header) is searched at once. Where there is no index (the live preview of
// `energy-cards serve`), the page says so instead.
(function () {
  "use strict";
  var root = document.getElementById("ec-search");
  if (!root) return;
  if (window.location.protocol === "file:") {  // Pagefind fetches its index: not from a file
    var note = document.createElement("p");
    note.className = "ec-search__file";
    note.textContent = "Search cannot work on pages opened from a file: browsers refuse it the " +
      "index files it loads. Serve the site instead (energy-cards serve, or python3 -m " +
      "http.server in the site folder) and open the address it prints.";
    root.appendChild(note);
    return;
  }
  var base = new URL("../pagefind/", document.baseURI);
  var script = document.createElement("script");
  script.src = new URL("pagefind-ui.js", base).href;
  // A large site is indexed in several bundles (pagefind/parts.json lists the others):
  // Pagefind's UI merges them, so they search as one.
  var start = function (parts) {
    var ui = new PagefindUI({
      element: "#ec-search",
      bundlePath: base.pathname,
      mergeIndex: parts.map(function (part) {
        return { bundlePath: new URL(part, base).pathname };
      }),
      showSubResults: false,
      showImages: false,
      resetStyles: false,
      autofocus: true,
    });
    var input = root.querySelector(".pagefind-ui__search-input");  // labelled by a title only
    if (input) input.setAttribute("aria-label", "Search the cards");
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
  };
  script.onload = function () {
    fetch(new URL("parts.json", base).href)
      .then(function (response) { return response.ok ? response.json() : { parts: [] }; })
      .then(function (data) { start(data.parts || []); })
      .catch(function () { start([]); });
  };
  script.onerror = function () {
    document.querySelector(".ec-search__missing").hidden = false;
  };
  document.head.appendChild(script);
})();
