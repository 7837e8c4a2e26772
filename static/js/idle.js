/* The idle warning: IDLE_WARNING_SECONDS before the server ends an idle session, a dialog offers
   "keep me signed in", which renews the session (POST auth.keepalive) and starts the count again.
   When the time runs out the dialog says so and offers to sign in again (the page is left as it is, so
   nothing typed is thrown away). The count starts from this page's load: the page's own request renewed
   the session then. */
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box || !window.fetch) { return; }
  var idle = Number(box.getAttribute("data-idle-seconds")) * 1000;
  var warn = Number(box.getAttribute("data-warn-seconds")) * 1000;
  // A warning as long as the idle time itself would show at once, for ever: warn at half-time instead.
  if (warn >= idle) { warn = idle / 2; }
  var keep = box.querySelector("[data-keep]");
  var signIn = box.querySelector("[data-sign-in]");
  var returnFocus = null, warnTimer = null, endTimer = null;

  function schedule(lasts) {
    clearTimeout(warnTimer); clearTimeout(endTimer);
    warnTimer = setTimeout(show, Math.max(0, lasts - warn));
    endTimer = setTimeout(ended, lasts);
  }
  function show() {
    returnFocus = document.activeElement;
    box.hidden = false;
    keep.focus();
  }
  function hide() {
    box.hidden = true;
    if (returnFocus && returnFocus.focus) { returnFocus.focus(); }
  }
  function ended() {
    clearTimeout(warnTimer);
    box.querySelector("#idle-title").textContent = box.getAttribute("data-ended-title");
    box.querySelector("#idle-text").textContent = box.getAttribute("data-ended-text");
    keep.hidden = true; signIn.hidden = false;
    box.hidden = false;
    signIn.focus();
  }
  keep.addEventListener("click", function () {
    var body = new FormData();
    body.append("csrf_token", box.getAttribute("data-csrf"));
    fetch(box.getAttribute("data-keepalive-url"), { method: "POST", body: body, credentials: "same-origin",
                                                   headers: { "X-CSRFToken": box.getAttribute("data-csrf") } })
      .then(function (response) {
        if (!response.ok) { throw new Error("signed out"); }
        return response.json();
      })
      .then(function (data) { hide(); schedule(data.idle_seconds * 1000); })
      .catch(ended);
  });
  // Another part of the page renewed the session (the call's keepalive): count again from now.
  document.addEventListener("silta:session-renewed", function () {
    if (!keep.hidden) { if (!box.hidden) { hide(); } schedule(idle); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !box.hidden && !keep.hidden) { keep.click(); }
  });
  schedule(idle);
}());
