// The web interface's only script besides htmx (loaded with `defer`, before htmx starts).
// CSRF for htmx: every request htmx sends carries the page's token in X-CSRFToken, through an
// `hx-headers` attribute on <body> that every element inherits (no inline script: strict CSP).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": meta.content }));
  }
})();
