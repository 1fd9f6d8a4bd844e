// Learning pages: the "log an entry" form, which opens in place with htmx.
//
// * Each kind of entry has a few extra questions under its radio button. Only the chosen
//   kind's are shown (radios marked data-reveal="<id>" inside [data-learning-reveals]); without
//   JavaScript every question is simply shown. This is not GOV.UK's conditional reveal, which
//   puts aria-expanded on radios (not allowed by ARIA, and flagged by axe).
// * A form sent back with errors (status 400) replaces the form where it is: htmx leaves 4xx
//   responses unswapped unless told, so this tells it to for the learning forms, which mark
//   their error responses with an HX-Retarget header.
// * After a swap, GOV.UK's checkbox components inside the new content are started.
// Loaded as a module from static (the Content-Security-Policy allows no inline scripts).
import { Checkboxes, createAll } from "../govuk/govuk-frontend.min.js";

function setUpReveals(root) {
  root.querySelectorAll("[data-learning-reveals]").forEach((group) => {
    if (group.dataset.learningRevealsReady) {
      return;
    }
    group.dataset.learningRevealsReady = "true";
    const radios = Array.from(group.querySelectorAll("input[type=radio]"));
    const sync = () => {
      radios.forEach((radio) => {
        const panel = radio.dataset.reveal && document.getElementById(radio.dataset.reveal);
        if (panel) {
          panel.hidden = !radio.checked;
        }
      });
    };
    radios.forEach((radio) => radio.addEventListener("change", sync));
    sync();
  });
}

document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail && event.detail.xhr;
  if (xhr && xhr.status === 400 && xhr.getResponseHeader("HX-Retarget")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  if (!(target instanceof HTMLElement) || !target.isConnected) {
    return;
  }
  setUpReveals(target);
  createAll(Checkboxes, undefined, target);
});

setUpReveals(document);
