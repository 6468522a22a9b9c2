// Small behaviours that need no framework. Content-Security-Policy forbids
// inline scripts, so everything lives here.
"use strict";

document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.getAttribute("data-copy"));
  if (!source) return;
  source.select();
  const done = function () {
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = "Copy"; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// The menu is a <details> so that it folds on narrow windows without
// JavaScript; on wide ones keep it open.
function syncMenu() {
  const menu = document.querySelector(".nav-toggle");
  if (menu && window.matchMedia("(min-width: 960px)").matches) menu.open = true;
}
window.addEventListener("resize", syncMenu);
document.addEventListener("DOMContentLoaded", function () {
  const menu = document.querySelector(".nav-toggle");
  if (menu && !window.matchMedia("(min-width: 960px)").matches) menu.open = false;
});

// Close the user menu when clicking elsewhere.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
    if (!d.contains(event.target)) d.open = false;
  });
});

// Registry rows fold under their project or model. Without JavaScript every
// row shows and the fold buttons stay hidden.
function showFoldButtons(root) {
  root.querySelectorAll("button[data-fold]").forEach(function (b) { b.hidden = false; });
}
document.addEventListener("DOMContentLoaded", function () { showFoldButtons(document); });
document.addEventListener("htmx:load", function (event) { showFoldButtons(event.target); });
document.addEventListener("click", function (event) {
  const button = event.target.closest("button[data-fold]");
  if (!button) return;
  const table = button.closest("table");
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  button.setAttribute("aria-label", (open ? "Fold " : "Unfold ") + button.closest("tr").querySelector(".item-name").textContent.trim());
  const folded = new Set();
  table.querySelectorAll("button[data-fold][aria-expanded='false']").forEach(function (b) { folded.add(b.getAttribute("data-fold")); });
  table.querySelectorAll("tr[data-within]").forEach(function (row) {
    row.hidden = row.getAttribute("data-within").split(" ").some(function (id) { return folded.has(id); });
  });
});
