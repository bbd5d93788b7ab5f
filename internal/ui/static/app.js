// hookrelay dashboard: small niceties on top of pages that work without
// JavaScript. Copy buttons, confirmation of risky forms, auto refresh.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // <button data-copy="ID"> copies the value of the input with that ID.
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done);
    } else {
      input.select();
      document.execCommand("copy");
      done();
    }
  });

  // <form data-confirm="question"> asks before it is sent.
  document.addEventListener("submit", function (ev) {
    var question = ev.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) ev.preventDefault();
  });

  // <input type=checkbox data-autorefresh> reloads the page every few
  // seconds while it is visible and nobody is typing; the choice is kept.
  var box = document.querySelector("[data-autorefresh]");
  if (!box) return;
  var key = "hookrelay.autorefresh";
  box.checked = localStorage.getItem(key) === "1";
  box.addEventListener("change", function () {
    localStorage.setItem(key, box.checked ? "1" : "0");
  });
  setInterval(function () {
    var typing = document.activeElement && document.activeElement.matches("input:not([type=checkbox]), textarea, select");
    if (box.checked && document.visibilityState === "visible" && !typing) window.location.reload();
  }, 5000);
})();
