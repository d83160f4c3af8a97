// rollcall page behaviour. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";
  // Count Content-Security-Policy violations on the page, so the browser
  // tests can check that nothing needs an inline script or style.
  document.addEventListener("securitypolicyviolation", function (e) {
    var d = document.documentElement.dataset;
    d.cspViolations = String((+d.cspViolations || 0) + 1);
    d.cspLast = e.violatedDirective + " " + e.blockedURI;
  });
  // Review queue: s = same person, d = different, k = skip.
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    var form = document.getElementById("review-form");
    if (!form) return;
    var btn = form.querySelector('button[data-key="' + e.key.toLowerCase() + '"]');
    if (btn) {
      e.preventDefault();
      btn.click();
    }
  });
})();
