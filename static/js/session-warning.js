/*
 * The warning before a staff session ends (issue 12, ADR 0034).
 *
 * The server writes how many seconds the session has left on the dialog
 * (data-remaining-seconds). Two minutes before the end, the dialog opens and says so; its
 * "Stay signed in" button is the only thing that calls the keep-alive address, so a session
 * left alone still ends. Other tabs learn a new end time through localStorage, and typed
 * drafts are saved when the warning opens (work-drafts.js listens for
 * "waypoint:session-warning"). Without JavaScript nothing here runs: the forms that take
 * typed text say how long the session lasts.
 */
(function () {
  "use strict";

  var dialog = document.querySelector("dialog[data-session-warning]");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var STORE = "waypoint.staff.session-ends-at";
  var warningMs = parseInt(dialog.getAttribute("data-warning-seconds"), 10) * 1000;
  var endsAt = Date.now() + parseInt(dialog.getAttribute("data-remaining-seconds"), 10) * 1000;
  var countdown = dialog.querySelector("[data-session-countdown]");
  var status = dialog.querySelector("[data-session-status]");
  var warning = dialog.querySelector("[data-session-state='warning']");
  var ended = dialog.querySelector("[data-session-state='ended']");
  var stay = dialog.querySelector("[data-session-stay]");
  var returnFocus = null;
  var timer = null;
  var ticker = null;

  function minutesText(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds > 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + " minutes";
    }
    return seconds === 1 ? "1 second" : seconds + " seconds";
  }

  function open() {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
  }

  function close() {
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocus && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function showEnded() {
    warning.hidden = true;
    ended.hidden = false;
    open();
    var heading = ended.querySelector("h2");
    if (heading) {
      heading.focus();
    }
  }

  function tick() {
    var left = endsAt - Date.now();
    if (countdown) {
      countdown.textContent = minutesText(left);
    }
    if (left <= 0) {
      window.clearInterval(ticker);
      ticker = null;
      showEnded();
    }
  }

  function showWarning() {
    warning.hidden = false;
    ended.hidden = true;
    document.dispatchEvent(new CustomEvent("waypoint:session-warning"));
    tick();
    open();
    if (stay) {
      stay.focus();
    }
    if (!ticker) {
      ticker = window.setInterval(tick, 1000);
    }
  }

  function schedule(newEndsAt, share) {
    endsAt = newEndsAt;
    if (share) {
      try {
        window.localStorage.setItem(STORE, String(endsAt));
      } catch (error) {
        // Private browsing may refuse storage: this tab still keeps its own clock.
      }
    }
    window.clearTimeout(timer);
    window.clearInterval(ticker);
    ticker = null;
    var untilWarning = endsAt - warningMs - Date.now();
    if (untilWarning <= 0) {
      showWarning();
    } else {
      if (dialog.open && ended.hidden) {
        close();
      }
      timer = window.setTimeout(showWarning, untilWarning);
    }
  }

  function stayedSignedIn(remaining) {
    status.textContent = "You are still signed in.";
    schedule(Date.now() + remaining * 1000, true);
  }

  stay.addEventListener("click", function () {
    stay.disabled = true;
    fetch(dialog.getAttribute("data-keep-alive-url"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: {
        "Accept": "application/json",
        "X-CSRFToken": dialog.getAttribute("data-csrf-token")
      }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (data) {
        stay.disabled = false;
        stayedSignedIn(data.remaining_seconds);
      })
      .catch(function () {
        stay.disabled = false;
        showEnded();
      });
  });

  // Escape closes the warning without keeping the session: the clock keeps running.
  dialog.addEventListener("cancel", function (event) {
    if (!ended.hidden) {
      return;
    }
    event.preventDefault();
    close();
  });

  // An autosaved draft counts as activity on the server: move the end along.
  document.addEventListener("waypoint:session-extended", function (event) {
    if (event.detail && typeof event.detail.remaining === "number" && ended.hidden) {
      schedule(Date.now() + event.detail.remaining * 1000, true);
    }
  });

  // Activity in another tab moves the end for this one too.
  window.addEventListener("storage", function (event) {
    if (event.key === STORE && event.newValue && ended.hidden) {
      var value = parseInt(event.newValue, 10);
      if (value > endsAt) {
        schedule(value, false);
      }
    }
  });

  schedule(endsAt, true);
})();
