// The case list (MoJ "filter a list" and "multi-select"); everything here only enhances.
// - The filter panel is open beside the table on wide screens; on narrow ones it sits above
//   the table, so it starts folded there and the first cases show without scrolling.
//   Without JavaScript it simply stays open.
// - For leads, a "Select all" checkbox in the table's heading ticks every case on the page
//   (without JavaScript, each case is ticked on its own).
(function () {
  "use strict";
  var panel = document.getElementById("inbox-filter-panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 63.99em)").matches) {
    panel.open = false;
  }

  var heading = document.querySelector(".inbox-table--select thead .multi-select");
  var boxes = document.querySelectorAll('.inbox-table--select input[name="cases"]');
  if (!heading || !boxes.length) {
    return;
  }
  var all = document.createElement("input");
  all.type = "checkbox";
  all.id = "select-all-cases";
  var label = document.createElement("label");
  label.htmlFor = all.id;
  label.className = "visually-hidden";
  label.textContent = "Select all cases on this page";
  heading.textContent = "";
  heading.appendChild(all);
  heading.appendChild(label);
  all.addEventListener("change", function () {
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = all.checked;
    }
  });
})();
