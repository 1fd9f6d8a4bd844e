// After an htmx swap, keep keyboard and screen-reader users oriented (WCAG 2.4.3, 4.1.3).
//
// A swapped fragment marks what should happen next:
//   data-swap-focus      this element receives focus (give it tabindex="-1" if it is not a control)
//   data-swap-announce   this text is read out through the page's polite live region
// Loaded as a plain file from static (the Content-Security-Policy allows no inline scripts).
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("live-region");
    if (!region || !text) {
      return;
    }
    // Clearing first makes screen readers read the same words again after a second swap.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!(target instanceof HTMLElement) || !target.isConnected) {
      return;
    }
    var focus = target.matches("[data-swap-focus]") ? target : target.querySelector("[data-swap-focus]");
    if (focus) {
      focus.focus({ preventScroll: false });
    }
    var message = target.matches("[data-swap-announce]") ? target : target.querySelector("[data-swap-announce]");
    if (message) {
      announce(message.getAttribute("data-swap-announce"));
    }
  });
})();
