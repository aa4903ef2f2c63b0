// The join form's topic filter: typing narrows the list of topics (the list works without it too).
(function () {
  "use strict";
  const box = document.querySelector(".topic-filter");
  const input = document.getElementById("topic-filter");
  if (!box || !input) return;
  box.hidden = false;
  const items = Array.from(document.querySelectorAll("ul.topic-picker li"));
  input.addEventListener("input", function () {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const li of items) {
      const name = li.dataset.name || "";
      const checked = li.querySelector("input[type=checkbox]").checked;
      li.hidden = !(checked || words.every(function (w) { return name.includes(w); }));
    }
  });
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
})();
