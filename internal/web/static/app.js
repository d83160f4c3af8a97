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
  // Pickers (facility, source, person fields): a click on a candidate
  // fills the field with "Name (#id)"; a field of several replaces the
  // entry being typed. Without this script the server looks the text up.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("button.pick-item") : null;
    if (!btn) return;
    var input = document.getElementById(btn.dataset.pickFor);
    if (!input) return;
    e.preventDefault();
    var value = btn.dataset.pickValue;
    if (input.dataset.pickMulti === "1") {
      var parts = input.value.split(",");
      var kept = [];
      for (var i = 0; i < parts.length - 1; i++) {
        if (parts[i].trim() !== "") kept.push(parts[i].trim());
      }
      kept.push(value);
      input.value = kept.join(", ") + ", ";
    } else {
      input.value = value;
    }
    var list = document.getElementById("pick-" + input.name);
    if (list) list.textContent = "";
    input.focus();
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
