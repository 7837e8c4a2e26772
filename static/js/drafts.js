/* Server-side drafts (portal/drafts): a form with data-draft-url is posted there a moment after each change
   and when the page is hidden, so its text survives an idle timeout. The form works without this script. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-url]"), function (form) {
    var url = form.getAttribute("data-draft-url"), timer = null, dirty = false;
    function save() {
      if (!dirty || !window.fetch) { return; }
      dirty = false;
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" }).catch(function () {
        dirty = true;  // tried again on the next change or when the page is hidden
      });
    }
    form.addEventListener("input", function () {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty && navigator.sendBeacon) {
        dirty = !navigator.sendBeacon(url, new FormData(form));
      }
    });
  });
}());
