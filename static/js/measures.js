/* Measures forms, progressively enhanced: the form works without this script.
   - Visual-analogue lines show their value and tell screen readers "7.3 / 10"; an untouched line is
     marked unanswered (js=1 and <item>__set tell the server which lines were moved).
   - Autosave: the whole form is posted as a draft (with its CSRF token) a moment after each change and
     when the page is hidden, so a dropped connection or a closed tab loses nothing. */
(function () {
  "use strict";
  var form = document.querySelector("form.measure-form");
  if (!form) { return; }
  form.classList.add("is-enhanced");
  var js = document.createElement("input");
  js.type = "hidden"; js.name = "js"; js.value = "1";
  form.appendChild(js);

  Array.prototype.forEach.call(form.querySelectorAll("input[type=range]"), function (line) {
    var wrapper = line.closest(".vas");
    var shown = wrapper.querySelector(".vas__value");
    var set = form.querySelector("input[name='" + line.name + "__set']");
    function show() {
      var text = Number(line.value).toFixed(1) + " / " + line.max;
      wrapper.classList.toggle("vas--empty", set.value !== "1");
      if (set.value === "1") {
        shown.textContent = text;
        line.setAttribute("aria-valuetext", text);
      } else {
        shown.textContent = shown.getAttribute("data-empty");
        line.setAttribute("aria-valuetext", shown.getAttribute("data-empty"));
      }
    }
    line.addEventListener("input", function () { set.value = "1"; show(); });
    show();
  });

  var draftUrl = form.getAttribute("data-draft-url");
  if (!draftUrl || !window.fetch) { return; }
  var status = form.querySelector(".autosave-status");
  var timer = null;
  var dirty = false;

  function save() {
    timer = null;
    if (!dirty) { return; }
    dirty = false;
    fetch(draftUrl, { method: "POST", body: new FormData(form), credentials: "same-origin",
                      headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        status.textContent = form.getAttribute("data-saved");
      })
      .catch(function () {
        dirty = true;
        status.textContent = form.getAttribute("data-failed");
        timer = window.setTimeout(save, 10000);
      });
  }

  function changed() {
    dirty = true;
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, 1500);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty && navigator.sendBeacon) {
      dirty = false;
      navigator.sendBeacon(draftUrl, new FormData(form));
    }
  });
  form.addEventListener("submit", function () { dirty = false; if (timer) { window.clearTimeout(timer); } });
})();
