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
  var shown = null;

  function update(event) {
    var target = event.target;
    if (!target || target.name !== "immediate_danger") {
      return;
    }
    if (target.value === "yes" && !shown) {
      shown = template.content.firstElementChild.cloneNode(true);
      fieldset.parentNode.insertBefore(shown, fieldset.nextSibling);
    } else if (target.value !== "yes" && shown) {
      shown.remove();
      shown = null;
    }
  }

  fieldset.addEventListener("change", update);
})();
