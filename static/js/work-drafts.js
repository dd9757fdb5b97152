/*
 * Keeps typed work as a sealed draft on the server (issue 12, ADR 0034).
 *
 * Each form with draft controls ([data-work-draft]) names its text box
 * (data-draft-field) and where to save (data-draft-url). A few seconds after typing stops,
 * and when the session warning opens, the text is posted there under the box's own name,
 * exactly as the "Save draft" button does without JavaScript. Only typing starts a save,
 * so a page left alone never keeps its session going.
 */
(function () {
  "use strict";

  var DELAY_MS = 3000;
  var boxes = document.querySelectorAll("[data-work-draft]");
  if (!boxes.length || !window.fetch || !window.FormData) {
    return;
  }

  function timeNow() {
    var now = new Date();
    var minutes = String(now.getMinutes());
    return now.getHours() + ":" + (minutes.length < 2 ? "0" + minutes : minutes);
  }

  Array.prototype.forEach.call(boxes, function (box) {
    var form = box.closest("form");
    var field = form ? form.elements.namedItem(box.getAttribute("data-draft-field")) : null;
    var token = form ? form.elements.namedItem("csrfmiddlewaretoken") : null;
    if (!field || !token || box.hasAttribute("data-draft-ready")) {
      return;
    }
    box.setAttribute("data-draft-ready", "");
    var status = box.querySelector("[data-draft-status]");
    var discard = box.querySelector("[data-draft-discard]");
    var timer = null;
    var dirty = false;
    var sending = false;

    function save() {
      window.clearTimeout(timer);
      timer = null;
      if (!dirty || sending) {
        return;
      }
      dirty = false;
      sending = true;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token.value);
      body.append(field.name, field.value);
      var place = box.getAttribute("data-draft-place-field");
      var placeField = place ? form.elements.namedItem(place) : null;
      if (placeField) {
        body.append(place, placeField.value);
      }
      fetch(box.getAttribute("data-draft-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("not saved");
          }
          return response.json();
        })
        .then(function (data) {
          sending = false;
          if (status) {
            status.textContent = data.saved ? "Draft saved at " + timeNow() + "." : "";
          }
          if (discard) {
            discard.hidden = !data.saved;
          }
          if (typeof data.remaining_seconds === "number") {
            document.dispatchEvent(
              new CustomEvent("waypoint:session-extended", {
                detail: { remaining: data.remaining_seconds }
              })
            );
          }
          if (dirty) {
            timer = window.setTimeout(save, DELAY_MS);
          }
        })
        .catch(function () {
          sending = false;
          dirty = true;
          if (status) {
            status.textContent =
              "Your draft could not be saved just now. Use Save draft, or copy your text somewhere safe.";
          }
        });
    }

    field.addEventListener("input", function () {
      dirty = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DELAY_MS);
    });

    // Sending the form (or pressing a draft button) goes to the server itself: a late
    // autosave must not bring back a draft that sending has just removed.
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      timer = null;
      dirty = false;
    });

    document.addEventListener("waypoint:session-warning", save);
  });
})();
