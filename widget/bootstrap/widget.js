// BillPay checkout bootstrap. Embed:
//   <div id="pay"></div>
//   <script async src="https://EDGE/widget.js" data-order="TOKEN" data-target="#pay" data-lang="sw" data-success-url="/thanks"></script>
// or, in a single-page app: BillPay.mount(element, {order, lang, successUrl}).then(h => h.destroy())
// No eval, no inline styles: works under a strict CSP with the edge in script-src and connect-src.
// `xtask build` replaces BILLPAY_HASH with the content hash of the wasm-bindgen glue and wasm.
//
// Nothing waits for anything it does not need: the moment this script runs it sends the create
// (POST /v1/checkouts), fetches the glue and fetches and compiles the wasm, all at once. The
// widget then gets the pending create through `early` (see `mount` in widget/src/lib.rs):
//   early.create  Promise<Response> of POST /v1/checkouts for this mount's order token
// Each entry is taken at most once; later requests (a retry, the polls) are the widget's own.
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
    api.mount = function (el, o) {
      return mount(el, o || {}, create((o || {}).order));
    };
  }
  me.billpayMounted = true;
  var data = me.dataset;
  if (!data.order) return;
  var early = create(data.order);
  load();
  // async scripts may run before the target exists in the page.
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start); else start();

  function start() {
    var el = data.target ? d.querySelector(data.target) : null;
    if (!el) {
      el = d.createElement("div");
      me.parentNode.insertBefore(el, me.nextSibling);
    }
    mount(el, { order: data.order, lang: data.lang, successUrl: data.successUrl }, early)
      .then(function (h) { el.billpay = h; }, function () {});
  }

  // The create as a CORS-safelisted request: a string body goes as text/plain, so the browser
  // sends it without an OPTIONS preflight (a round trip saved on the way to the control number).
  // The 15 s deadline is the widget's own for every request (widget/src/fetch.rs).
  function create(order) {
    if (!order) return undefined;
    var sent = fetch(edge + "/v1/checkouts", {
      method: "POST",
      body: JSON.stringify({ order: order }),
      signal: AbortSignal.timeout(15000)
    });
    // The widget reads the outcome later; until then a failure is not "unhandled".
    sent.catch(function () {});
    return sent;
  }

  // Glue and wasm in parallel, the wasm compiled while its bytes arrive; a server that does not
  // label it application/wasm costs a second (cached) fetch instead of failing.
  function load() {
    api.loaded = api.loaded || Promise.all([
      import(glue),
      WebAssembly.compileStreaming(fetch(wasm)).catch(function () {
        return fetch(wasm).then(function (r) { return r.arrayBuffer(); }).then(WebAssembly.compile);
      })
    ]).then(function (loaded) {
      return loaded[0].default({ module_or_path: loaded[1] }).then(function () { return loaded[0]; });
    });
    api.loaded.catch(function () { api.loaded = null; });
    return api.loaded;
  }

  function mount(el, o, pending) {
    var root = el.shadowRoot || el.attachShadow({ mode: "open" });
    return load().then(function (m) {
      return m.mount(root, el, {
        order: o.order, lang: o.lang, edge: edge, successUrl: o.successUrl, early: { create: pending }
      });
    }, function (e) {
      el.dispatchEvent(new CustomEvent("billpay:error", {
        bubbles: true, composed: true, detail: { code: "load_failed", message: String(e && e.message || e) }
      }));
      throw e;
    });
  }

  // Fallback when currentScript is unavailable: the first of our tags not yet mounted.
  function findMe() {
    var all = d.querySelectorAll("script[data-order]");
    for (var i = 0; i < all.length; i++) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src) && !all[i].billpayMounted) return all[i];
    }
  }
})(window, document);
