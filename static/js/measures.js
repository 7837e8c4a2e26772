/* Measures forms, progressively enhanced: the form works without this script.
   - Visual-analogue lines show their value and tell screen readers "7.3 / 10"; an untouched line is
     marked unanswered (js=1 and <item>__set tell the server which lines were moved).
   - Autosave: the whole form is posted as a draft (with its CSRF token) a moment after each change and
     when the page is hidden, so a dropped connection or a closed tab loses nothing.
   - Calm mode (data-one-at-a-time): one question per screen with Back and Next. Every question stays in
     the form (only hidden), so going back loses nothing; the focus moves to "Question n of N", which
     screen readers then say; the send buttons come with the last question; no animation. */
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

  if (form.hasAttribute("data-one-at-a-time")) { oneAtATime(form); }

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
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    dirty = false;
    if (timer) { window.clearTimeout(timer); }
  });

  function oneAtATime(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll(".measure-step"));
    var nav = form.querySelector(".step-nav");
    var sendRow = form.querySelector(".button-row");
    if (steps.length < 2 || !nav) { return; }
    var back = nav.querySelector("[data-step-back]");
    var next = nav.querySelector("[data-step-next]");
    var current = 0;
    function show(index, focus) {
      current = Math.max(0, Math.min(steps.length - 1, index));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      back.hidden = current === 0;
      next.hidden = current === steps.length - 1;
      if (sendRow) { sendRow.hidden = current !== steps.length - 1; }
      if (focus) { steps[current].querySelector(".measure-step__count").focus(); }
    }
    function stepOf(element) {
      var step = element && element.closest(".measure-step");
      return step ? steps.indexOf(step) : -1;
    }
    nav.hidden = false;
    back.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    // Enter in a field before the last question means "next", not "send half an answer".
    form.addEventListener("submit", function (event) {
      if (current < steps.length - 1) { event.preventDefault(); show(current + 1, true); }
    });
    // An answer the server refused: open its question (also from the error summary's links).
    // The question is shown before the link's own jump, so the jump lands on something visible.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#item-']");
      var index = link ? stepOf(document.getElementById(link.getAttribute("href").slice(1))) : -1;
      if (index >= 0) { show(index, false); }
    });
    var invalid = stepOf(form.querySelector(".field-error"));
    show(invalid >= 0 ? invalid : 0, false); // the error summary (role=alert) speaks first
  }
})();
