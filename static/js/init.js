// Starts GOV.UK Frontend's components (loaded as an ES module from static, never inline: the
// Content-Security-Policy allows scripts from this site only).
import { initAll } from "../govuk/govuk-frontend.min.js";

// GOV.UK's page template sets these classes with an inline script, which our CSP forbids, so
// they are set here. Module scripts only run in browsers GOV.UK Frontend supports.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
