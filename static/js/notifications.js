// The notifications page: after htmx marks one as read and swaps it, focus moves to that
// notification's link (the button that had focus is gone), so keyboard users keep their place.
document.body.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.elt;
  const link = target && target.querySelector ? target.querySelector("[data-focus-after-swap]") : null;
  if (link) {
    link.focus();
  }
});
