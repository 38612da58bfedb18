// The plan builder's outline (/plans/{slug}/build): keep the keyboard where it was when htmx
// replaces the outline after a move, an archive or a restore; and let a mouse drag a part among
// its siblings (each list marked data-reorder), posting the new order of them all. Without
// this script (or without htmx) every button is a plain form post, the page comes back at the
// moved item's anchor, and Move up / Move down put parts in order.
(() => {
  let focusKey = null;

  document.addEventListener("click", (event) => {
    const button = event.target.closest("#builder-outline button[data-focus]");
    focusKey = button ? button.dataset.focus : null;
  });

  const find = (outline, key) => {
    const button = key && outline.querySelector(`button[data-focus="${CSS.escape(key)}"]`);
    return button && !button.disabled ? button : null;
  };

  document.addEventListener("htmx:afterSwap", () => {
    const outline = document.getElementById("builder-outline");
    if (!outline || !focusKey) return;
    const key = focusKey;
    focusKey = null;
    // The same button; moved to the end: the other move button; archived or restored: the
    // notice that says what happened.
    const other = key.replace(/-(up|down)$/, (_, d) => (d === "up" ? "-down" : "-up"));
    const target = find(outline, key) || find(outline, other) || outline.querySelector(".notice");
    if (target) {
      if (!target.matches("button")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });

  // --- drag to reorder (an addition for the mouse; the buttons stay) ---
  const enableDrag = () => {
    if (!window.htmx) return;
    document.querySelectorAll("#builder-outline ol[data-reorder]").forEach((list) => {
      const items = [...list.children];
      list.dataset.order = items.map((li) => li.dataset.id).join(",");
      items.forEach((li) => {
        li.draggable = true;
        li.classList.add("build-draggable");
      });
    });
  };
  let dragged = null;

  document.addEventListener("dragstart", (event) => {
    const li = event.target.closest ? event.target.closest("ol[data-reorder] > li") : null;
    if (!li || li !== event.target) return;
    dragged = li;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.id);
    li.classList.add("build-dragging");
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged || !event.target.closest) return;
    let li = event.target.closest("li");
    while (li && li.parentElement !== dragged.parentElement) {
      li = li.parentElement.closest("li");
    }
    if (!li) return;
    event.preventDefault();
    if (li === dragged) return;
    const box = li.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    li.parentElement.insertBefore(dragged, after ? li.nextSibling : li);
  });

  document.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", () => {
    if (!dragged) return;
    const li = dragged;
    dragged = null;
    li.classList.remove("build-dragging");
    const list = li.parentElement;
    const ids = [...list.children].map((x) => x.dataset.id).join(",");
    if (ids === list.dataset.order) return;
    htmx.ajax("POST", li.dataset.orderUrl, {
      target: "#builder-outline",
      swap: "outerHTML",
      values: { ids },
    });
  });

  document.addEventListener("DOMContentLoaded", enableDrag);
  document.addEventListener("htmx:afterSettle", enableDrag);
})();
