// "Copy" buttons for the [RESULT] draft. Without JavaScript the buttons stay hidden and the
// read-only fields can be selected by hand; this file only adds the shortcut.
"use strict";

(function () {
  function selectAll(field) {
    field.focus();
    field.select();
  }

  function copied(button, text) {
    var label = button.textContent;
    button.textContent = text;
    window.setTimeout(function () { button.textContent = label; }, 1500);
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { copied(button, "Copied"); },
        function () { selectAll(field); copied(button, "Press Ctrl+C"); }
      );
      return;
    }
    // No clipboard API (plain http, older browsers): select the text for Ctrl+C / Cmd+C.
    selectAll(field);
    copied(button, "Selected: press Ctrl+C");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();
