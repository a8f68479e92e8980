// Compare two to four models side by side; the choice lives in the URL (?cards=a,b) to share.
// Card text only ever reaches the page through textContent: nothing from a card runs here.
(() => {
  const root = document.querySelector(".ec-compare");
  if (!root) return;
  const selects = [...root.querySelectorAll("select")];
  const result = root.querySelector(".ec-compare__result");
  const siteRoot = root.dataset.siteRoot;
  // Numbers as card pages write them: 4 significant digits, large counts in words
  // ("70 billion"), and a no-break space between a number and its unit.
  const NBSP = "\u00a0";
  const plain = (x) => x.toLocaleString("en-US", { maximumSignificantDigits: 4 });
  const number = (x, unit = "") =>
    x === null || x === undefined ? "" : `${plain(x)}${unit.replace(/^ /, NBSP)}`;
  const words = (x, unit = "") => {
    if (x === null || x === undefined) return "";
    for (const [size, word] of [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"]]) {
      if (Math.abs(x) >= size) {
        const scaled = (x / size).toLocaleString("en-US", { maximumSignificantDigits: 3 });
        return `${scaled}${NBSP}${word}${unit}`;
      }
    }
    return number(x, unit);
  };
  const stars = (n) => `${"★".repeat(n)}${"☆".repeat(5 - n)}`;
  const rows = [
    ["Organization", (c) => c.organization],
    ["Task", (c) => c.task_label],
    ["Parameters", (c) => words(c.parameter_count)],
    ["Energy per 1,000 queries", (c) => c.energy_kwh_per_1000_queries === null ? "" : `${number(c.energy_kwh_per_1000_queries, " kWh")} (${c.energy_provenance})`],
    ["Stars", (c) => {
      if (!c.stars) return c.rating_reason ? `not rated: ${c.rating_reason}` : "not rated";
      // The group is named wherever stars are: task, size class, energy scope, cards, date.
      const group = [c.task_label.toLowerCase(), c.size_class ? `class ${c.size_class}` : null, c.rating_scope ? `${c.rating_scope} energy` : null, `${c.rating_group_cards} cards`, `reference ${c.rating_reference}`];
      return `${stars(c.stars)} ${c.stars} of 5 among ${group.filter(Boolean).join(", ")}`;
    }],
    ["AI Energy Score's own stars", (c) => (c.ai_energy_score_stars ? `${stars(c.ai_energy_score_stars)} ${c.ai_energy_score_stars} of 5 (${c.task_label.toLowerCase()}${c.size_class ? `, class ${c.size_class}` : ""}, its leaderboard, linear bands)` : "")],
    ["CO₂e per 1,000 queries", (c) => number(c.co2e_g_per_1000_queries, " g")],
    ["Hardware", (c) => c.hardware || ""],
    ["Energy covers", (c) => (c.scope ? `${c.scope}, PUE ${c.includes_pue === null ? "not stated" : c.includes_pue ? "included" : "not included"}` : "")],
    ["Batch size", (c) => number(c.batch_size)],
    ["Precision", (c) => c.precision || ""],
    ["Queries", (c) => c.dataset || ""],
    ["Training emissions", (c) => c.training_emissions_tco2e === null ? "" : `${number(c.training_emissions_tco2e, " t CO₂e")} (${c.training_emissions_provenance})`],
    ["Training energy", (c) => c.training_energy_kwh === null ? "" : `${words(c.training_energy_kwh, " kWh")} (${c.training_energy_provenance})`],
    ["Break-even", (c) => words(c.break_even_queries, " queries")],
    ["Break-even as published", (c) => words(c.break_even_published_queries, " queries")],
  ];
  const element = (tag, text) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  // Which conditions make figures comparable is decided by the build (each shard's
  // comparison_conditions, the rule task pages use); this only reports where they differ.
  const conditionsById = {};
  const render = (chosen) => {
    result.replaceChildren();
    if (chosen.length < 2) {
      result.append(element("p", "Choose at least two models."));
      return;
    }
    const table = element("table");
    const head = table.createTHead().insertRow();
    const corner = element("th");  // names the row labels for screen readers, shows nothing
    corner.append(element("span", "Figure"));
    corner.firstChild.className = "ec-visually-hidden";
    head.append(corner);
    for (const card of chosen) {
      const th = element("th");
      const link = element("a", card.name);
      link.href = siteRoot + card.url;
      th.append(link);
      head.append(th);
    }
    const body = table.createTBody();
    for (const [label, value] of rows) {
      // A row only for what some chosen card has (no empty Precision row).
      if (chosen.every((card) => !value(card))) continue;
      const row = body.insertRow();
      row.append(element("th", label));
      for (const card of chosen) row.append(element("td", value(card)));
    }
    const warnings = element("ul");
    const compared = chosen.filter((c) => conditionsById[c.id]);
    const labels = [...new Set(compared.flatMap((c) => Object.keys(conditionsById[c.id])))];
    for (const label of labels) {
      const value = (c) => conditionsById[c.id][label] ?? "not given";
      if (new Set(compared.map(value)).size > 1) {
        warnings.append(element("li", `${label} differs: ${compared.map((c) => `${c.name}: ${value(c)}`).join("; ")}`));
      }
    }
    result.append(table);
    if (warnings.children.length) {
      const note = element("div");
      note.className = "admonition warning ec-compare__warnings";
      note.append(element("p", "Not measured under the same conditions"), warnings);
      note.firstChild.className = "admonition-title";
      result.append(note);
    }
  };
  const say = (text) => {
    const note = element("p", text);
    note.className = "ec-compare__notice";
    return note;
  };
  if (location.protocol === "file:") {
    result.replaceChildren(say("Comparing loads data/compare/, which browsers refuse to pages opened from a file. Serve the site instead: run `energy-cards serve`, or `python3 -m http.server` in the site folder, and open the address it prints."));
    selects.forEach((s) => { s.disabled = true; });
    return;
  }
  const getJson = (url) => fetch(url).then((response) => {
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return response.json();
  });
  // The picker comes from a small index (id, name, organization, shard); a chosen card's
  // figures from its shard of 100 cards, fetched once: the page stays light at any size.
  const indexUrl = root.dataset.indexUrl;
  const shardBase = indexUrl.slice(0, indexUrl.lastIndexOf("/") + 1);
  const shards = new Map();
  const cards = new Map();
  const loadShard = (number) => {
    if (!shards.has(number)) {
      shards.set(number, getJson(`${shardBase}${number}.json`).then((data) => {
        for (const card of data.cards) cards.set(card.id, card);
        Object.assign(conditionsById, data.comparison_conditions || {});
      }));
    }
    return shards.get(number);
  };
  const failed = (error) => {
    result.replaceChildren(say(`The comparison data (data/compare/) could not be loaded (${error.message}); every figure is also on the card pages.`));
  };
  getJson(indexUrl)
    .then((data) => {
      const shardOf = new Map(data.cards.map(([id, , , shard]) => [id, shard]));
      const byName = [...data.cards].sort((a, b) => a[1].localeCompare(b[1]));
      for (const select of selects) {
        for (const [id, name, organization] of byName) {
          const option = element("option", `${name} (${organization})`);
          option.value = id;
          select.append(option);
        }
      }
      const wanted = (new URLSearchParams(location.search).get("cards") || "").split(",").filter(Boolean);
      // An id that names no card is said, not dropped silently (a typo, or a card renamed).
      const unknown = wanted.filter((id) => !shardOf.has(id));
      wanted.filter((id) => shardOf.has(id)).slice(0, selects.length).forEach((id, i) => {
        selects[i].value = id;
      });
      const update = () => {
        const chosen = selects.map((s) => s.value).filter(Boolean);
        const query = chosen.length ? `?cards=${chosen.map(encodeURIComponent).join(",")}` : "";
        history.replaceState(null, "", location.pathname + query);
        Promise.all([...new Set(chosen.map((id) => shardOf.get(id)))].map(loadShard))
          .then(() => {
            render(chosen.map((id) => cards.get(id)));
            if (unknown.length) {
              result.prepend(say(`No card has the id ${unknown.map((id) => `“${id}”`).join(", ")}: ${unknown.length === 1 ? "it was" : "they were"} left out. Check the address, or pick a model above.`));
              unknown.length = 0;
            }
          })
          .catch(failed);
      };
      selects.forEach((s) => s.addEventListener("change", update));
      update();
    })
    .catch(failed);
})();
