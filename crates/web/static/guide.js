// Registers the Wegweiser's service worker so the guide stays usable offline (an enhancement).
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/wegweiser/sw.js', { scope: '/wegweiser' }).catch(() => {});
}
