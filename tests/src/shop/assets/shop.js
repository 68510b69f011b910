// The "pay as the customer would" panel: each button asks the shop's /api/simulate to make the
// ClickPesa simulator pay this order. Served from 'self' because the CSP forbids inline scripts.
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
