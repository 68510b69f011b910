// The demo shop's only script, served from 'self' (the CSP forbids inline scripts) and loaded
// synchronously in <head> so that it hears everything the widget and the browser report.

// What the page hears: the widget's host events and any CSP violation. Kept in sessionStorage so
// the record survives the redirect to data-success-url, and listed on the page for a person to see.
(() => {
  const remember = (kind, item) => {
    const all = JSON.parse(sessionStorage.getItem(kind) || "[]");
    all.push(item);
    sessionStorage.setItem(kind, JSON.stringify(all));
    const list = document.getElementById("host-events");
    if (list) {
      const li = document.createElement("li");
      li.textContent = item.type + " " + JSON.stringify(item.detail || {});
      list.appendChild(li);
    }
  };
  for (const type of ["billpay:ready", "billpay:paid", "billpay:partially_paid", "billpay:expired", "billpay:error"]) {
    document.addEventListener(type, (e) => {
      // On the page's performance timeline too (DevTools, and `cargo xtask bench` times the widget by it).
      performance.mark(type);
      remember("billpayEvents", { type, detail: e.detail });
    });
  }
  document.addEventListener("securitypolicyviolation", (e) =>
    remember("cspViolations", {
      type: "securitypolicyviolation",
      detail: { directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile },
    }),
  );
})();

// The "pay as the customer would" panel: each button asks the shop's /api/simulate to make the
// ClickPesa simulator pay this order.
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("simulate");
  if (!panel) return;
  const out = document.getElementById("simulate-result");
  panel.querySelectorAll("button[data-scenario]").forEach((button) => {
    button.addEventListener("click", async () => {
      out.textContent = "…";
      try {
        const resp = await fetch("/api/simulate", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ reference: panel.dataset.reference, scenario: button.dataset.scenario }),
        });
        const body = await resp.json();
        out.textContent = resp.ok
          ? body.result + (body.refusal ? ": " + body.refusal.message : "")
          : "error: " + body.error.message;
      } catch (e) {
        out.textContent = "error: " + e;
      }
    });
  });
});
