/*
 * Quick exit. Without JavaScript the control is an ordinary link. With it:
 * - selecting the link, or pressing Esc twice within a second anywhere on the page,
 *   blanks the page at once and replaces it in the tab's history with a neutral site,
 *   so Back does not return here (pages are also sent with Cache-Control: no-store);
 * - the hint next to the link mentions the Esc shortcut (it is hidden without JavaScript).
 */
(function () {
  "use strict";

  var ESC_WINDOW_MS = 1000;
  var lastEsc = 0;
  var leaving = false;

  function exitLink() {
    return document.querySelector("a[data-quick-exit]");
  }

  function leave(url) {
    if (leaving || !url) {
      return;
    }
    leaving = true;
    document.title = "";
    if (document.body) {
      document.body.replaceChildren();
    }
    window.location.replace(url);
  }

  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-quick-exit]") : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    leave(link.href);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") {
      return;
    }
    if (event.repeat) {
      return;
    }
    var now = Date.now();
    if (now - lastEsc <= ESC_WINDOW_MS) {
      var link = exitLink();
      if (link) {
        leave(link.href);
      }
      lastEsc = 0;
    } else {
      lastEsc = now;
    }
  }, true);
})();
