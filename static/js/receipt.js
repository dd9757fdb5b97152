/*
 * Receipt page: copy the reference and passphrase, or print them. The download link
 * works without JavaScript; these buttons are shown only when this script runs.
 */
(function () {
  "use strict";

  var status = document.getElementById("copy-status");

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  var copy = document.querySelector("[data-copy='receipt']");
  if (copy) {
    copy.addEventListener("click", function () {
      var reference = document.getElementById("receipt-reference");
      var passphrase = document.getElementById("receipt-passphrase");
      if (!reference || !passphrase || !navigator.clipboard) {
        say("Copying is not available here. Select the words and copy them instead.");
        return;
      }
      var text = "Reference: " + reference.textContent + "\nPassphrase: " + passphrase.textContent;
      navigator.clipboard.writeText(text).then(
        function () {
          say("Copied. Paste it somewhere only you can reach.");
        },
        function () {
          say("Copying did not work. Select the words and copy them instead.");
        }
      );
    });
  }

  var print = document.querySelector("[data-print]");
  if (print) {
    print.addEventListener("click", function () {
      window.print();
    });
  }
})();
