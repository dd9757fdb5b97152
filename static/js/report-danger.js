/*
 * The danger question: choosing "Yes" shows the emergency numbers at once, before the
 * answer is even sent (without JavaScript they show on the next page load). The person
 * can still carry on with the report.
 */
(function () {
  "use strict";

  var template = document.getElementById("emergency-template");
  if (!template) {
    return;
  }
  var fieldset = document.querySelector("input[name='immediate_danger']");
  fieldset = fieldset && fieldset.closest("fieldset");
  if (!fieldset) {
    return;
  }
  // The numbers go into a polite live region that is on the page from the start, so that
  // a screen reader says them as they appear (a region added with its content is not read).
  var region = document.createElement("div");
  region.setAttribute("aria-live", "polite");
  fieldset.parentNode.insertBefore(region, fieldset.nextSibling);
  var shown = null;

  function update(event) {
    var target = event.target;
    if (!target || target.name !== "immediate_danger") {
      return;
    }
    if (target.value === "yes" && !shown) {
      shown = template.content.firstElementChild.cloneNode(true);
      region.appendChild(shown);
    } else if (target.value !== "yes" && shown) {
      shown.remove();
      shown = null;
    }
  }

  fieldset.addEventListener("change", update);
})();
