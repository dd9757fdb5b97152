/*
 * The public "Menu" (a <details>): on wide screens its links are always shown. CSS does
 * that where the browser can style ::details-content; elsewhere this opens the menu on wide
 * screens and leaves it to the person on small ones. Without JavaScript the toggle works.
 */
(function () {
  "use strict";

  if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) {
    return;
  }
  var menu = document.querySelector("details[data-site-menu]");
  if (!menu || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 48em)");
  function sync() {
    if (wide.matches) {
      menu.open = true;
    }
  }
  sync();
  if (wide.addEventListener) {
    wide.addEventListener("change", sync);
  }
})();
