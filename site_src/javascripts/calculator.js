// Energy at scale, on card pages: queries per day -> a year's energy, households and CO2.
// Plain JavaScript, no framework; numbers come from the page's data attributes.
document.querySelectorAll(".ec-calculator").forEach((box) => {
  const kwhPerQuery = Number(box.dataset.kwhPerQuery);
  const gPerKwh = box.dataset.gPerKwh ? Number(box.dataset.gPerKwh) : null;
  const householdKwhPerYear = Number(box.dataset.householdKwhPerYear);
  const input = box.querySelector("input");
  const result = box.querySelector(".ec-calculator__result");
  const format = (x) => x.toLocaleString("en-US", { maximumSignificantDigits: 3 });
  const update = () => {
    const perDay = Math.max(0, Number(input.value) || 0);
    const kwh = perDay * 365 * kwhPerQuery;
    let text = `${format(kwh)} kWh a year: the electricity of ${format(kwh / householdKwhPerYear)} average US households for a year`;
    if (gPerKwh !== null) {
      text += `; ${format((kwh * gPerKwh) / 1e6)} t CO₂e at ${format(gPerKwh)} g CO₂e/kWh`;
    }
    result.textContent = `${text}.`;
  };
  input.addEventListener("input", update);
  update();
});
