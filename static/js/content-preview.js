/*
 * The content editor's live preview (issue 12, item 12).
 *
 * The Markdown box names the address that renders it (data-markdown-preview) and the pane
 * it fills (aria-controls). A moment after typing stops, the text is posted there and the
 * pane gets back the HTML of the hub's own renderer (waypoint/hub/markdown.py), so the
 * preview is exactly what the public page will show: no Markdown is rendered in the
 * browser. Without JavaScript the "Preview" button posts the form and the page comes back
 * with the preview beside the text.
 */
(function () {
  "use strict";

  var DELAY_MS = 400;
  var boxes = document.querySelectorAll("textarea[data-markdown-preview]");
  if (!boxes.length || !window.fetch || !window.FormData) {
    return;
  }

  Array.prototype.forEach.call(boxes, function (box) {
    var pane = document.getElementById(box.getAttribute("aria-controls"));
    var form = box.form;
    var token = form ? form.elements.namedItem("csrfmiddlewaretoken") : null;
    if (!pane || !token) {
      return;
    }
    var timer = null;
    var latest = 0;

    function render() {
      var asked = ++latest;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token.value);
      body.append("text", box.value);
      fetch(box.getAttribute("data-markdown-preview"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Accept": "text/html" }
      })
        .then(function (response) {
          if (response.type === "opaqueredirect") {
            throw new Error("signed out");
          }
          return response.text();
        })
        .then(function (html) {
          // Only the answer to the latest text counts: an older one may arrive last.
          if (asked === latest) {
            // Safe: the server's renderer escapes all text and never passes raw HTML.
            pane.innerHTML = html;
          }
        })
        .catch(function () {
          // Leave the last preview in place; the "Preview" button still works.
        });
    }

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, DELAY_MS);
    });
  });
})();
