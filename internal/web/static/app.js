// Practica's small enhancements. Everything works without this file.
(function () {
  "use strict";
  // Ask before destructive form posts marked with data-confirm.
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  // Select the whole value of one-time secrets (tokens, invitation links) on focus.
  document.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("copy-field")) e.target.select();
  });
  // "/" focuses the first search box; Escape closes open menus.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (e.key === "/" && !typing) {
      var s = document.querySelector("input[type=search]");
      if (s) { e.preventDefault(); s.focus(); }
    }
    if (e.key === "Escape") {
      document.querySelectorAll("details.menu[open]").forEach(function (d) { d.removeAttribute("open"); });
    }
  });
  // Close the account menu when clicking elsewhere.
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
  // Move focus to the error summary of a re-rendered form.
  function focusErrors() {
    var s = document.querySelector(".error-summary");
    if (s) s.focus();
  }
  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("htmx:afterSettle", focusErrors);
})();
