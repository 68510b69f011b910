//! A headless Chromium session over WebDriver, with the few things the scenarios need: run a
//! script, wait for a condition, read the widget's shadow DOM, and a screenshot whenever a wait fails.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// Finds the widget's shadow root under the host element `#pay` (the host itself or a child of it).
pub const SHADOW: &str = "const host = document.querySelector('#pay');
const root = host && (host.shadowRoot || [...host.querySelectorAll('*')].map(e => e.shadowRoot).find(Boolean));";

pub struct Browser {
    client: Client,
    test: String,
    /// Chromium's profile for this session (a few MB), removed on close.
    profile: PathBuf,
}

impl Browser {
    pub async fn open(test: &str) -> Browser {
        let url = std::env::var("BILLPAY_WEBDRIVER_URL")
            .expect("BILLPAY_WEBDRIVER_URL (run `cargo xtask test`)");
        let profile =
            std::env::temp_dir().join(format!("billpay-chromium-{test}-{}", std::process::id()));
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=420,900",
        ];
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        });
        let caps = caps.as_object().cloned().expect("an object");
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("a WebDriver session");
        Browser {
            client,
            test: test.to_string(),
            profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    pub async fn reload(&self) {
        self.client.refresh().await.expect("reload");
    }

    /// Runs `body` (a function body: use `return`) with `args` as `arguments`.
    pub async fn eval(&self, body: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(body, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{body}"))
    }

    /// The widget's visible text (empty until it has mounted).
    pub async fn widget_text(&self) -> String {
        let js = format!("{SHADOW} return root ? root.textContent : '';");
        self.eval(&js, vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs `predicate` (a function body over `root`, the widget's shadow root, returning a truthy
    /// value when done) until it holds; returns that value. On timeout: a screenshot, then panic.
    pub async fn wait_widget(&self, what: &str, predicate: &str, limit: Duration) -> Value {
        let js = format!("{SHADOW} if (!root) return null; {predicate}");
        self.wait(what, &js, limit).await
    }

    /// Like [`Browser::wait_widget`] for a predicate over the whole page.
    pub async fn wait(&self, what: &str, body: &str, limit: Duration) -> Value {
        let start = Instant::now();
        loop {
            let value = self
                .client
                .execute(body, vec![])
                .await
                .unwrap_or(Value::Null);
            if truthy(&value) {
                return value;
            }
            if start.elapsed() > limit {
                self.fail(&format!("timed out after {:?} waiting for {what}", limit))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Saves a screenshot and the widget's text, then fails the test.
    pub async fn fail(&self, why: &str) -> ! {
        let dir = screenshot_dir();
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{}.png", self.test));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(&path, png);
        }
        let text = self.widget_text().await;
        panic!(
            "{}: {why}\nwidget text: {text}\nscreenshot: {}",
            self.test,
            path.display()
        );
    }

    /// Saves a screenshot of the current screen under `name` (kept for the docs and the note).
    pub async fn screenshot(&self, name: &str) {
        let dir = screenshot_dir();
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os("BILLPAY_STATE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join("screenshots")
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::Array(_) | Value::Object(_) => true,
    }
}
