/*
 * Quick exit. Without JavaScript the control is an ordinary link to our own /exit/, which
 * forgets the visit on the server and redirects to a neutral site. With JavaScript:
 * - selecting the link, or pressing Esc twice within a second anywhere on the page,
 *   blanks the page at once, tells /exit/ by a beacon (so the unsent report and any
 *   sign-in end on the server), and replaces the page in the tab's history with the
 *   neutral site, so Back does not return here (pages are also sent with no-store);
 * - if the beacon cannot be sent, the page goes through /exit/ itself instead;
 * - the hint next to the link mentions the Esc shortcut on devices with a keyboard.
 */
(function () {
  "use strict";

  var ESC_WINDOW_MS = 1000;
  var lastEsc = 0;
  var leaving = false;

  function exitLink() {
    return document.querySelector("a[data-quick-exit]");
  }

  function leave(link) {
    if (leaving || !link) {
      return;
    }
    leaving = true;
    document.title = "";
    if (document.body) {
      document.body.replaceChildren();
    }
    var told = false;
    try {
      told = typeof navigator.sendBeacon === "function" && navigator.sendBeacon(link.href);
    } catch (error) {
      told = false;
    }
    var destination = link.getAttribute("data-exit-to");
    window.location.replace(told && destination ? destination : link.href);
  }

  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-quick-exit]") : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    leave(link);
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
      leave(exitLink());
      lastEsc = 0;
    } else {
      lastEsc = now;
    }
  }, true);
})();
