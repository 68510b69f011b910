// BillPay checkout bootstrap. Embed:
//   <div id="pay"></div>
//   <script async src="https://EDGE/widget.js" data-order="TOKEN" data-target="#pay" data-lang="sw" data-success-url="/thanks"></script>
// or, in a single-page app: BillPay.mount(element, {order, lang, successUrl}).then(h => h.destroy())
// No eval, no inline styles: works under a strict CSP with the edge in script-src and connect-src.
// `xtask build` replaces BILLPAY_HASH with the content hash of the wasm-bindgen glue and wasm.
(function (w, d) {
  "use strict";
  var me = d.currentScript || findMe();
  if (!me) return;
  // The edge is the folder widget.js came from; API calls and assets are relative to it.
  var edge = new URL(".", me.src).href.replace(/\/$/, "");
  var glue = edge + "/assets/billpay-BILLPAY_HASH.js";
  var wasm = edge + "/assets/billpay-BILLPAY_HASH_bg.wasm";
  // Several scripts on one page share one loaded module.
  var api = w.BillPay = w.BillPay || {};
  if (!api.mount) {
    var loaded;
    api.mount = function (el, o) {
      o = o || {};
      var root = el.shadowRoot || el.attachShadow({ mode: "open" });
      loaded = loaded || import(glue).then(function (m) {
        return m.default({ module_or_path: wasm }).then(function () { return m; });
      });
      loaded.catch(function () { loaded = null; });
      return loaded.then(function (m) {
        return m.mount(root, el, { order: o.order, lang: o.lang, edge: edge, successUrl: o.successUrl });
      }, function (e) {
        el.dispatchEvent(new CustomEvent("billpay:error", {
          bubbles: true, composed: true, detail: { code: "load_failed", message: String(e && e.message || e) }
        }));
        throw e;
      });
    };
  }
  me.billpayMounted = true;
  var data = me.dataset;
  if (!data.order) return;
  // async scripts may run before the target exists in the page.
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start); else start();

  function start() {
    var el = data.target ? d.querySelector(data.target) : null;
    if (!el) {
      el = d.createElement("div");
      me.parentNode.insertBefore(el, me.nextSibling);
    }
    api.mount(el, { order: data.order, lang: data.lang, successUrl: data.successUrl })
      .then(function (h) { el.billpay = h; }, function () {});
  }

  // Fallback when currentScript is unavailable: the first of our tags not yet mounted.
  function findMe() {
    var all = d.querySelectorAll("script[data-order]");
    for (var i = 0; i < all.length; i++) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src) && !all[i].billpayMounted) return all[i];
    }
  }
})(window, document);
