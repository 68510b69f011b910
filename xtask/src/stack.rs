//! The local stack: the ClickPesa simulator, the edge under `wrangler dev`, and the demo shop, on
//! loopback ports, wired to each other. Each child runs in its own process group so that stopping the
//! stack also stops what it started (wrangler starts workerd processes of its own).
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{edge, Result};

/// Secrets and identities for one run, made fresh each time (nothing here is a real credential).
pub struct Secrets {
    pub client_id: String,
    pub api_key: String,
    pub checksum_key: String,
    pub order_signing_secret: String,
    pub merchant_api_key: String,
    pub merchant_webhook_secret: String,
    /// The secrets a rotation is moving away from (see [`Rotation`]).
    pub retiring_order_signing_secret: String,
    pub retiring_merchant_webhook_secret: String,
}

impl Secrets {
    pub fn generate() -> Result<Self> {
        Ok(Self {
            client_id: format!("ID{}", random_hex(8)?.to_uppercase()),
            api_key: format!("SK{}", random_hex(16)?),
            checksum_key: format!("CK{}", random_hex(16)?),
            order_signing_secret: random_hex(32)?,
            merchant_api_key: format!("mk_{}", random_hex(16)?),
            merchant_webhook_secret: webhook_secret()?,
            retiring_order_signing_secret: random_hex(32)?,
            retiring_merchant_webhook_secret: webhook_secret()?,
        })
    }

    /// Every value that must never appear in a log, an error or a response.
    pub fn values(&self) -> [&str; 8] {
        [
            &self.client_id,
            &self.api_key,
            &self.checksum_key,
            &self.order_signing_secret,
            &self.merchant_api_key,
            &self.merchant_webhook_secret,
            &self.retiring_order_signing_secret,
            &self.retiring_merchant_webhook_secret,
        ]
    }
}

/// A rotation of ORDER_SIGNING_SECRET and MERCHANT_WEBHOOK_SECRET caught half way (edge/README.md):
/// the edge holds `current,retiring` for both, and the shop has or has not moved yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// One secret each (the demo).
    None,
    /// The shop still mints tokens and verifies notifications with the retiring secrets.
    ShopOnRetiring,
    /// The shop has moved to the current secrets; the edge still accepts the retiring ones.
    ShopOnCurrent,
}

/// How the stack is started.
pub struct Options {
    /// Preferred ports for simulator, edge, shop (a busy one is replaced by a free one).
    pub ports: [u16; 3],
    /// Where wrangler keeps Durable Object storage and the processes write their logs.
    pub state_dir: PathBuf,
    /// Fast schedules for tests; production-like ones for the demo.
    pub fast_timers: bool,
    /// Logs to files (tests) or to this terminal (demo).
    pub log_to_files: bool,
    /// Also start chromedriver for the browser suites.
    pub webdriver: bool,
    pub rotation: Rotation,
    /// Share of the shop's notification endpoint's answers that are 500s (chaos).
    pub notify_fail_rate: f64,
    /// Edge settings that replace the defaults chosen from `fast_timers`.
    pub vars: Vec<(&'static str, String)>,
}

impl Options {
    /// The stack the test suites run against: free ports, fast timers, logs in `state_dir`.
    pub fn tests(state_dir: PathBuf) -> Self {
        Options {
            ports: [0, 0, 0],
            state_dir,
            fast_timers: true,
            log_to_files: true,
            webdriver: false,
            rotation: Rotation::ShopOnRetiring,
            notify_fail_rate: 0.0,
            vars: Vec::new(),
        }
    }
}

pub struct Stack {
    pub sim_url: String,
    pub edge_url: String,
    pub shop_url: String,
    pub webdriver_url: Option<String>,
    pub secrets: Secrets,
    pub state_dir: PathBuf,
    root: PathBuf,
    edge_port: u16,
    /// What `wrangler dev` was started with, for [`Stack::restart_edge`] and [`Stack::env`].
    edge_vars: Vec<(&'static str, String)>,
    log_to_files: bool,
    children: Vec<(&'static str, Child)>,
}

impl Stack {
    pub fn start(root: &Path, opts: Options) -> Result<Stack> {
        std::fs::create_dir_all(&opts.state_dir)?;
        let [sim_port, edge_port, shop_port] = opts.ports.map(free_port_or_any);
        let sim_url = format!("http://127.0.0.1:{sim_port}");
        let edge_url = format!("http://127.0.0.1:{edge_port}");
        let shop_url = format!("http://127.0.0.1:{shop_port}");
        let secrets = Secrets::generate()?;
        let bin = target_dir(root).join("debug");
        let mut stack = Stack {
            sim_url,
            edge_url,
            shop_url,
            webdriver_url: None,
            secrets,
            state_dir: opts.state_dir.clone(),
            root: root.to_path_buf(),
            edge_port,
            edge_vars: Vec::new(),
            log_to_files: opts.log_to_files,
            children: Vec::new(),
        };
        let s = &stack.secrets;

        let mut sim = Command::new(bin.join("clickpesa-sim"));
        sim.args(["--port", &sim_port.to_string()])
            .args([
                "--webhook-url",
                &format!("{}/v1/webhooks/clickpesa", stack.edge_url),
            ])
            .args(["--client-id", &s.client_id, "--api-key", &s.api_key])
            .args(["--checksum-key", &s.checksum_key])
            .args([
                "--state-file",
                &opts.state_dir.join("sim-state.json").to_string_lossy(),
            ]);

        let (shop_order_secret, shop_webhook_secret) = match opts.rotation {
            Rotation::ShopOnRetiring => (
                &s.retiring_order_signing_secret,
                &s.retiring_merchant_webhook_secret,
            ),
            Rotation::None | Rotation::ShopOnCurrent => {
                (&s.order_signing_secret, &s.merchant_webhook_secret)
            }
        };
        let mut shop = Command::new(bin.join("demo-shop"));
        shop.args(["--port", &shop_port.to_string()])
            .args(["--edge-url", &stack.edge_url, "--sim-url", &stack.sim_url])
            .args(["--notify-fail-rate", &opts.notify_fail_rate.to_string()])
            .env("ORDER_SIGNING_SECRET", shop_order_secret)
            .env("MERCHANT_WEBHOOK_SECRET", shop_webhook_secret);
        // The first secret signs, every one verifies.
        let (order_secrets, webhook_secrets) = match opts.rotation {
            Rotation::None => (
                s.order_signing_secret.clone(),
                s.merchant_webhook_secret.clone(),
            ),
            Rotation::ShopOnRetiring | Rotation::ShopOnCurrent => (
                format!(
                    "{},{}",
                    s.order_signing_secret, s.retiring_order_signing_secret
                ),
                format!(
                    "{},{}",
                    s.merchant_webhook_secret, s.retiring_merchant_webhook_secret
                ),
            ),
        };

        // Tests create and poll far more bills a minute than a shop does; the simulator has no rate
        // limit in this stack, so the gateway's pace is raised with the timers.
        let (reconcile, notify_base, pace) = if opts.fast_timers {
            ("2,2,3,5", "1", "1000")
        } else {
            ("15,30,60,120,300,600", "5", "100")
        };
        let webhook_url = format!("{}/notifications", stack.shop_url);
        let base_url = format!("{}/third-parties", stack.sim_url);
        let defaults: Vec<(&'static str, &str)> = vec![
            ("CLICKPESA_BASE_URL", &base_url),
            ("CLICKPESA_CLIENT_ID", &s.client_id),
            ("CLICKPESA_API_KEY", &s.api_key),
            ("CLICKPESA_CHECKSUM_KEY", &s.checksum_key),
            ("ORDER_SIGNING_SECRET", &order_secrets),
            ("MERCHANT_API_KEY", &s.merchant_api_key),
            ("MERCHANT_WEBHOOK_SECRET", &webhook_secrets),
            ("MERCHANT_WEBHOOK_URL", &webhook_url),
            ("ALLOWED_ORIGINS", &stack.shop_url),
            ("MPESA_BUSINESS_NUMBER", "400700"),
            ("CHECKOUT_TTL", "900"),
            ("RECONCILE_SCHEDULE", reconcile),
            ("NOTIFY_RETRY_BASE_SECS", notify_base),
            ("CLICKPESA_REQUESTS_PER_MINUTE", pace),
            // The suites start checkouts from one address far faster than shoppers do; the abuse
            // tests use addresses of their own. Settled bills are forgotten quickly so the
            // retention test need not wait long.
            (
                "CHECKOUT_LIMIT_PER_CLIENT",
                if opts.fast_timers { "300" } else { "30" },
            ),
            (
                "BILL_RETENTION_SECS",
                if opts.fast_timers { "30" } else { "2592000" },
            ),
            // Each checkout is charged its ClickPesa calls (about 7-9); the suites and the demo start
            // many from one address.
            (
                "CLICKPESA_CALLS_PER_CLIENT",
                if opts.fast_timers { "100000" } else { "300" },
            ),
            // Few attempts, so the suite sees a notification given up within seconds.
            (
                "NOTIFY_MAX_ATTEMPTS",
                if opts.fast_timers { "4" } else { "30" },
            ),
        ];
        let mut vars: Vec<(&'static str, String)> = defaults
            .into_iter()
            .map(|(key, value)| (key, value.to_owned()))
            .collect();
        for (key, value) in &opts.vars {
            match vars.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => vars.push((key, value.clone())),
            }
        }
        stack.edge_vars = vars;
        let wrangler = stack.wrangler(root, edge_port, &opts.state_dir.join("wrangler"));

        for (name, cmd) in [
            ("clickpesa-sim", sim),
            ("demo-shop", shop),
            ("wrangler", wrangler),
        ] {
            let child = stack.spawn(name, cmd)?;
            stack.children.push((name, child));
        }
        if opts.webdriver {
            let port = free_port_or_any(0);
            let mut driver = Command::new("/usr/bin/chromedriver");
            driver
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1");
            let child = stack.spawn("chromedriver", driver)?;
            stack.children.push(("chromedriver", child));
            let url = format!("http://127.0.0.1:{port}");
            wait_ready(
                "chromedriver",
                &format!("{url}/status"),
                Duration::from_secs(30),
            )?;
            stack.webdriver_url = Some(url);
        }
        let s = &stack;
        wait_ready(
            "simulator",
            &format!("{}/_sim/stats", s.sim_url),
            Duration::from_secs(30),
        )?;
        wait_ready(
            "demo shop",
            &format!("{}/", s.shop_url),
            Duration::from_secs(30),
        )?;
        wait_ready(
            "edge",
            &format!("{}/healthz", s.edge_url),
            Duration::from_secs(90),
        )?;
        Ok(stack)
    }

    /// Kills `wrangler dev` and its workerd at once (SIGKILL to the process group, as a crash
    /// would) and starts it again on the same port with the same `--persist-to` storage.
    pub fn restart_edge(&mut self) -> Result<()> {
        let at = self
            .children
            .iter()
            .position(|(name, _)| *name == "wrangler")
            .ok_or("the edge is not running")?;
        let (_, mut old) = self.children.remove(at);
        signal_group(old.id(), "KILL");
        let _ = old.wait();
        let wrangler = self.wrangler(&self.root, self.edge_port, &self.state_dir.join("wrangler"));
        let child = self.spawn("wrangler", wrangler)?;
        self.children.push(("wrangler", child));
        wait_ready(
            "edge",
            &format!("{}/healthz", self.edge_url),
            Duration::from_secs(90),
        )
    }

    /// The value the edge was started with for `key`.
    fn edge_var(&self, key: &str) -> String {
        self.edge_vars
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Starts a child in its own process group, its output appended to `<name>.log` in the state
    /// directory (appended, so a restarted edge keeps its earlier log for the secrets check).
    fn spawn(&self, name: &str, mut cmd: Command) -> Result<Child> {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0).stdin(Stdio::null());
        if self.log_to_files {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.state_dir.join(format!("{name}.log")))?;
            cmd.stdout(log.try_clone()?).stderr(log);
        }
        cmd.spawn()
            .map_err(|e| format!("cannot start {name}: {e}").into())
    }

    /// The environment the `stack` test suites read.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let s = &self.secrets;
        vec![
            (
                "BILLPAY_RETIRING_ORDER_SIGNING_SECRET",
                s.retiring_order_signing_secret.clone(),
            ),
            (
                "BILLPAY_RETIRING_MERCHANT_WEBHOOK_SECRET",
                s.retiring_merchant_webhook_secret.clone(),
            ),
            (
                "BILLPAY_PYTHON",
                crate::tools::venv_python(&self.root)
                    .to_string_lossy()
                    .into_owned(),
            ),
            (
                "BILLPAY_CHECKOUT_LIMIT_PER_CLIENT",
                self.edge_var("CHECKOUT_LIMIT_PER_CLIENT"),
            ),
            (
                "BILLPAY_BILL_RETENTION_SECS",
                self.edge_var("BILL_RETENTION_SECS"),
            ),
            ("BILLPAY_EDGE_URL", self.edge_url.clone()),
            ("BILLPAY_SIM_URL", self.sim_url.clone()),
            ("BILLPAY_SHOP_URL", self.shop_url.clone()),
            (
                "BILLPAY_ORDER_SIGNING_SECRET",
                s.order_signing_secret.clone(),
            ),
            ("BILLPAY_MERCHANT_API_KEY", s.merchant_api_key.clone()),
            (
                "BILLPAY_MERCHANT_WEBHOOK_SECRET",
                s.merchant_webhook_secret.clone(),
            ),
            ("BILLPAY_CLICKPESA_CHECKSUM_KEY", s.checksum_key.clone()),
            (
                "BILLPAY_STATE_DIR",
                self.state_dir.to_string_lossy().into_owned(),
            ),
            (
                "BILLPAY_WEBDRIVER_URL",
                self.webdriver_url.clone().unwrap_or_default(),
            ),
        ]
    }

    fn wrangler(&self, root: &Path, port: u16, persist_dir: &Path) -> Command {
        let vars: Vec<(&str, &str)> = self
            .edge_vars
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        edge::wrangler_dev_command(root, port, persist_dir, &vars)
    }

    /// Starts one more edge like this stack's, with empty storage of its own, and times spawn →
    /// first 2xx on `/healthz` (node, wrangler, workerd and the worker's wasm all start cold); then
    /// stops it.
    pub fn edge_cold_start(&self, run: usize) -> Result<Duration> {
        let port = free_port_or_any(0);
        let persist = self.state_dir.join(format!("cold-start-{run}"));
        let _ = std::fs::remove_dir_all(&persist);
        let cmd = self.wrangler(&self.root, port, &persist);
        let started = Instant::now();
        let mut child = self.spawn(&format!("wrangler-cold-start-{run}"), cmd)?;
        let ready = wait_ready(
            "cold edge",
            &format!("http://127.0.0.1:{port}/healthz"),
            Duration::from_secs(90),
        )
        .map(|()| started.elapsed());
        kill_group(child.id());
        let _ = child.wait();
        ready
    }

    /// Which child has exited, if any (a crashed service makes every later test meaningless).
    pub fn exited(&mut self) -> Option<&'static str> {
        self.children
            .iter_mut()
            .find_map(|(name, c)| matches!(c.try_wait(), Ok(Some(_))).then_some(*name))
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for (_, child) in self.children.iter_mut().rev() {
            kill_group(child.id());
            let _ = child.wait();
        }
    }
}

/// Stops a process group we started (its leader is our child, so its pgid is the child's pid).
pub fn kill_group(pid: u32) {
    signal_group(pid, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    signal_group(pid, "KILL");
}

fn signal_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", &format!("-{pid}")])
        .stderr(Stdio::null())
        .status();
}

pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn free_port_or_any(preferred: u16) -> u16 {
    let bind = |p: u16| {
        TcpListener::bind(("127.0.0.1", p))
            .ok()?
            .local_addr()
            .ok()
            .map(|a| a.port())
    };
    (preferred != 0)
        .then(|| bind(preferred))
        .flatten()
        .or_else(|| bind(0))
        .expect("no free loopback port")
}

/// Polls `url` (plain HTTP on loopback) until it answers 2xx.
fn wait_ready(what: &str, url: &str, limit: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if http_get_status(url).is_some_and(|s| (200..300).contains(&s)) {
            eprintln!(
                "xtask: {what} ready at {url} ({} ms)",
                start.elapsed().as_millis()
            );
            return Ok(());
        }
        // Short enough that the benchmark's cold start is measured to a few tens of ms.
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!(
        "{what} did not become ready at {url} within {}s",
        limit.as_secs()
    )
    .into())
}

fn http_get_status(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut stream =
        TcpStream::connect_timeout(&host.parse().ok()?, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 32];
    let n = stream.read(&mut head).ok()?;
    std::str::from_utf8(&head[..n])
        .ok()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn random_bytes(bytes: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf)
}

fn random_hex(bytes: usize) -> Result<String> {
    Ok(hex::encode(random_bytes(bytes)?))
}

/// A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes.
fn webhook_secret() -> Result<String> {
    use base64::Engine;
    let key = random_bytes(32)?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    ))
}
