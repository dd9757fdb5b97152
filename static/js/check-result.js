/*
 * The self-check's result is the answer to a POST, so the answers sit in this history
 * entry: Reload, or Back to here then Reload, would send them again and show the result
 * to whoever holds the phone. Replacing the entry with itself (same address, /check/)
 * drops the form data: from now on this entry loads as a plain GET, the empty questions.
 * Without JavaScript the browser asks before sending the form again (see ADR 0012).
 */
(function () {
  "use strict";

  if (window.history && typeof window.history.replaceState === "function") {
    window.history.replaceState(null, "", window.location.href);
  }
})();
