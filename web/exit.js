/* exit.js - the quick exit ("Quitter"), on the page and in the widget:
 * the button, or Escape pressed twice within a second, leaves at once for
 * the neutral page (web/exit.html, or --exit-url) and replaces the current
 * history entry, so that "Back" does not come back here. Without this
 * script the button is a plain link to the same page (the entry stays in
 * the history then). Loaded before app.js and independent of it: the
 * exit works even when the rest of the page fails. In the widget it
 * leaves the partner's whole page (window.top), which browsers allow
 * from a click; the Escape keys give no such permission there. */
'use strict';
(function () {
  var a = document.getElementById('exit');
  if (!a) return;
  var url = a.href;
  function leave(e) {
    if (e) e.preventDefault();
    document.documentElement.style.visibility = 'hidden'; /* at once */
    try {
      (window.top || window).location.replace(url);
    } catch (err) {
      location.replace(url);
    }
  }
  a.addEventListener('click', function (e) {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
    leave(e);
  });
  var last = 0;
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape' && e.key !== 'Esc') return;
    var now = Date.now();
    if (now - last < 1000) leave(e);
    else last = now;
  }, true);
})();
