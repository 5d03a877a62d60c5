// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

// "/" focuses the search box; arrow keys walk the as-you-type results; Escape closes them.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("site-q");
  const results = document.getElementById("quick-results");
  if (!box || !results) return;
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
  if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    box.focus();
    box.select();
    return;
  }
  const links = Array.from(results.querySelectorAll("a"));
  const at = links.indexOf(document.activeElement);
  if (event.key === "ArrowDown" && (document.activeElement === box || at >= 0) && links.length) {
    event.preventDefault();
    links[Math.min(at + 1, links.length - 1)].focus();
  } else if (event.key === "ArrowUp" && at >= 0) {
    event.preventDefault();
    (at === 0 ? box : links[at - 1]).focus();
  } else if (event.key === "Escape" && (document.activeElement === box || at >= 0)) {
    results.innerHTML = "";
    box.focus();
  }
});

// A form that takes a while says so while it works (its data-busy holds the words),
// and cannot be sent twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.busy) return;
  const status = form.querySelector(".busy");
  if (status) status.textContent = form.dataset.busy;
  form.querySelectorAll("button[type=submit]").forEach((button) => {
    button.disabled = true;
  });
});
