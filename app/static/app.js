// PlanTrack's own script: only enhancements, every page works without it.
// Send the CSRF token with every htmx request (the token travels in a header for htmx).
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
