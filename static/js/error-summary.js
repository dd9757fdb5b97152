/*
 * After a form comes back with problems, move focus to the error summary, so keyboard and
 * screen reader users start from the list of what to fix (GOV.UK's error summary pattern).
 * The summary is announced without JavaScript too (role="alert").
 */
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  if (!summary.hasAttribute("tabindex")) {
    summary.setAttribute("tabindex", "-1");
  }
  summary.focus();
})();
