// Keeps the opinion map current while the page is open: every five seconds it asks for the
// page again and, when the map's computation has moved on (data-seq), swaps in the new map.
// An enhancement only: the page is complete without it. Nothing changes while the keyboard
// focus is inside the map, and nothing is fetched while the tab is hidden.
(function () {
  'use strict';
  var id = 'karte-bereich';
  if (!document.getElementById(id) || !window.fetch || !window.DOMParser) return;
  function tick() {
    var cur = document.getElementById(id);
    if (document.hidden || !cur || cur.contains(document.activeElement)) return;
    fetch(location.pathname + location.search, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (text) {
        if (!text) return;
        var next = new DOMParser().parseFromString(text, 'text/html').getElementById(id);
        var now = document.getElementById(id);
        if (!next || !now || next.getAttribute('data-seq') === now.getAttribute('data-seq')) return;
        if (now.contains(document.activeElement)) return;
        var wasOpen = !!now.querySelector('details[open]');
        now.replaceWith(document.importNode(next, true));
        if (wasOpen) {
          var d = document.getElementById(id).querySelector('details');
          if (d) d.open = true;
        }
      })
      .catch(function () { /* offline or busy: try again later */ });
  }
  setInterval(tick, 5000);
})();
