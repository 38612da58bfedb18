// Starts Swagger UI on the schema this server publishes. A file, not an inline script: the
// Content-Security-Policy allows scripts from this origin only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    // The schema is validated in the test suite; the public validator would be a request out.
    validatorUrl: null,
  });
});
