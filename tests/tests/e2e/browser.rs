//! A headless Chromium session over WebDriver, with the few things the scenarios need: run a
//! script, wait for a condition, read the widget's shadow DOM, and a screenshot whenever a wait fails.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// Finds the widget's shadow root under the host element `#pay` (the host itself or a child of it).
pub const SHADOW: &str = "const host = document.querySelector('#pay');
const root = host && (host.shadowRoot || [...host.querySelectorAll('*')].map(e => e.shadowRoot).find(Boolean));";

/// A network as Chromium's emulation shapes it (chromedriver's network conditions): every request
/// waits `latency_ms` more, and bytes flow no faster than the given rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    pub name: &'static str,
    pub latency_ms: u32,
    pub down_kbit_s: u32,
    pub up_kbit_s: u32,
}

/// The mobile networks the widget is measured on (issue 14's profiles).
pub const SLOW_4G: Network = Network {
    name: "slow 4G",
    latency_ms: 150,
    down_kbit_s: 1_600,
    up_kbit_s: 750,
};
pub const THREE_G: Network = Network {
    name: "3G",
    latency_ms: 300,
    down_kbit_s: 750,
    up_kbit_s: 250,
};

/// One request the page made, from Chromium's network log (CORS preflights included, which
/// Resource Timing leaves out).
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub method: String,
    pub url: String,
    pub preflight: bool,
    /// Bytes received for it, headers included (what the network carried).
    pub bytes: u64,
}

pub struct Browser {
    client: Client,
    test: String,
    /// Chromium's profile for this session (a few MB), removed on close.
    profile: PathBuf,
    /// chromedriver, for its Chromium-only commands (fantoccini speaks W3C WebDriver only).
    webdriver: String,
    session: String,
}

impl Browser {
    pub async fn open(test: &str) -> Browser {
        Self::launch(test, false).await
    }

    /// A session that also records Chromium's network log, for [`Browser::requests`]. The log
    /// costs some time per request: timed loads use [`Browser::open`].
    pub async fn open_recording(test: &str) -> Browser {
        Self::launch(test, true).await
    }

    async fn launch(test: &str, record: bool) -> Browser {
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
        let mut caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args},
        });
        if record {
            caps["goog:loggingPrefs"] = json!({"performance": "ALL"});
        }
        let caps = caps.as_object().cloned().expect("an object");
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("a WebDriver session");
        let session = client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a WebDriver session id");
        Browser {
            client,
            test: test.to_string(),
            profile,
            webdriver: url.trim_end_matches('/').to_owned(),
            session,
        }
    }

    /// A chromedriver command of Chromium's own, `POST /session/{id}/{command}`.
    async fn chromium(&self, command: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{command}", self.webdriver, self.session);
        let reply = reqwest::Client::new()
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"));
        let status = reply.status();
        let value: Value = reply.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{command}: {status} {value}");
        value["value"].clone()
    }

    /// From now on this session's requests go through `network`'s latency and throughput.
    pub async fn throttle(&self, network: Network) {
        let bytes_per_s = |kbit_s: u32| kbit_s * 1000 / 8;
        self.chromium(
            "chromium/network_conditions",
            json!({"network_conditions": {
                "offline": false,
                "latency": network.latency_ms,
                "download_throughput": bytes_per_s(network.down_kbit_s),
                "upload_throughput": bytes_per_s(network.up_kbit_s),
            }}),
        )
        .await;
    }

    /// The requests recorded since the last call (a session opened with [`Browser::open_recording`]).
    pub async fn requests(&self) -> Vec<Sent> {
        let entries = self
            .chromium("se/log", json!({"type": "performance"}))
            .await;
        let events: Vec<Value> = entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
            .map(|e| e["message"].clone())
            .collect();
        let mut sent: Vec<(String, Sent)> = Vec::new();
        for event in &events {
            let params = &event["params"];
            let id = params["requestId"].as_str().unwrap_or_default().to_owned();
            match event["method"].as_str() {
                Some("Network.requestWillBeSent") => sent.push((
                    id,
                    Sent {
                        method: params["request"]["method"].as_str().unwrap_or("?").into(),
                        url: params["request"]["url"].as_str().unwrap_or("?").into(),
                        preflight: params["type"] == "Preflight",
                        bytes: 0,
                    },
                )),
                Some("Network.loadingFinished") => {
                    let bytes = params["encodedDataLength"].as_f64().unwrap_or(0.0) as u64;
                    if let Some((_, s)) = sent.iter_mut().rev().find(|(i, _)| *i == id) {
                        s.bytes = bytes;
                    }
                }
                _ => {}
            }
        }
        sent.into_iter().map(|(_, s)| s).collect()
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
