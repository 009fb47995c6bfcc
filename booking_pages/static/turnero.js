// Turnero pages: small progressive enhancements. Every page works without this script.
(function () {
  "use strict";

  // Picking a resource, month or day replaces only the picker, without a full reload.
  function enhancePicker(root) {
    root.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-fragment]");
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
      var picker = document.getElementById("picker");
      if (!picker) return;
      event.preventDefault();
      picker.setAttribute("aria-busy", "true");
      fetch(link.href, { headers: { "X-Turnero-Fragment": "1" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          picker.innerHTML = html;
          picker.removeAttribute("aria-busy");
          history.pushState({ picker: true }, "", link.href);
          var heading = document.getElementById("time-h");
          if (heading && link.classList.contains("daylink")) heading.focus();
        })
        .catch(function () { window.location.href = link.href; });
    });
    window.addEventListener("popstate", function () { window.location.reload(); });
  }

  // "Copy" next to the private manage link.
  function enhanceCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-copy"));
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = button.getAttribute("data-copied") || "✓";
        });
      });
    });
  }

  // Error pages: "back" goes back in history.
  function enhanceBack() {
    document.querySelectorAll("[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) { event.preventDefault(); history.back(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.getElementById("picker")) enhancePicker(document.body);
    enhanceCopy();
    enhanceBack();
  });
})();
