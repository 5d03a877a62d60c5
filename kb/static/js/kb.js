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

// An inline edit row (the register's, a zone's or a component's): a field marked
// data-shown-when="name=value" shows only while that choice has that value ("Why it does
// not apply" only when it does not); Escape cancels and Enter on a choice saves (Enter in
// a text field already does); after a save or a cancel, the focus goes back to the row.
function enhanceRowEdit(form) {
  form.querySelectorAll("[data-shown-when]").forEach((input) => {
    const [name, value] = input.dataset.shownWhen.split("=");
    const choice = form.querySelector(`select[name="${name}"]`);
    if (!choice) return;
    const field = input.closest("label");
    const show = () => { field.hidden = choice.value !== value; };
    show();
    choice.addEventListener("change", show);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.row-edit").forEach(enhanceRowEdit);  // an edit page
  if (window.htmx) {
    htmx.onLoad((root) => {  // an edit row swapped in
      if (root.querySelectorAll) root.querySelectorAll("form.row-edit").forEach(enhanceRowEdit);
    });
  }
});

let rowToFocus = null;

document.addEventListener("keydown", (event) => {
  const form = event.target.closest ? event.target.closest("form.row-edit") : null;
  if (!form) return;
  if (event.key === "Escape") {
    event.preventDefault();
    rowToFocus = form.closest("tr").id;
    form.querySelector("a[data-cancel]").click();
  } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
    event.preventDefault();
    form.requestSubmit();
  }
});

document.addEventListener("submit", (event) => {
  if (event.target.matches && event.target.matches("form.row-edit")) {
    rowToFocus = event.target.closest("tr").id;
  }
});

document.addEventListener("htmx:afterSettle", () => {
  const row = rowToFocus && document.getElementById(rowToFocus);
  if (!row || row.classList.contains("editing")) return;
  rowToFocus = null;
  const edit = row.querySelector("a[hx-get$='/edit']");
  if (edit) edit.focus();
});

// A print button prints the page (without JavaScript, the browser's own Print does).
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});

// On a phone the header folds into a menu behind its button.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest ? event.target.closest(".menu-toggle") : null;
  if (!toggle) return;
  const header = toggle.closest("header.site");
  const open = header.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});

// "Collapse all" and "Expand all" close or open every group of the region they control.
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-details]") : null;
  if (!button) return;
  const region = document.getElementById(button.getAttribute("aria-controls"));
  if (!region) return;
  const open = button.dataset.details === "open";
  region.querySelectorAll("details").forEach((details) => { details.open = open; });
});
