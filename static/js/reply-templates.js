/*
 * Reply templates in the staff message form: "Insert template" adds the chosen template's
 * words to the message box at once. Without JavaScript the button posts the form and the
 * server does the same (the words come back in the box); nothing is sent either way.
 *
 * The words come from each option's data-body attribute, which the server writes with the
 * placeholders it can fill already filled in ("[your first name]", "[team name]", "[our
 * hours]"), so both paths put the same words in the box. Only the box's value is set: no
 * HTML is built, nothing is evaluated. Any placeholder left is the adviser's to replace;
 * the server refuses to send a message that still has one.
 */
(function () {
  "use strict";

  var forms = document.querySelectorAll("form[data-reply-form]");
  Array.prototype.forEach.call(forms, function (form) {
    var select = form.querySelector("select[name='template']");
    var body = form.querySelector("textarea[name='body']");
    var button = form.querySelector("button[name='action'][value='insert']");
    if (!select || !body || !button || form.hasAttribute("data-reply-ready")) {
      return;
    }
    form.setAttribute("data-reply-ready", "");
    button.addEventListener("click", function (event) {
      var option = select.options[select.selectedIndex];
      var text = option ? option.getAttribute("data-body") : null;
      if (!text) {
        return; // nothing chosen: let the server explain what to do
      }
      event.preventDefault();
      var typed = body.value.replace(/\s+$/, "");
      body.value = typed ? typed + "\n\n" + text : text;
      body.focus();
      body.setSelectionRange(body.value.length, body.value.length);
    });
  });
})();
