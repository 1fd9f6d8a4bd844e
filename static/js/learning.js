// Learning pages: when htmx swaps in a form (the "log an entry" form opens in place), start the
// GOV.UK components inside it, so the extra questions for each kind of entry show and hide as
// the radios change. Without JavaScript every question is simply shown.
// Loaded as a module from static (the Content-Security-Policy allows no inline scripts).
import { Checkboxes, Radios, createAll } from "../govuk/govuk-frontend.min.js";

document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  if (!(target instanceof HTMLElement) || !target.isConnected) {
    return;
  }
  createAll(Radios, undefined, target);
  createAll(Checkboxes, undefined, target);
});
