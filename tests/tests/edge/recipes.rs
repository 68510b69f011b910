//! The shop-facing docs as a shop's developer would use them: the code blocks of
//! docs/shop-integration.md and docs/order-tokens.md are taken as written and run with Node, Python
//! (the PyPI `standardwebhooks` in `.state/venv`) and PHP (`php-cli`) against notifications the
//! running edge really sent to the demo shop, and against the running edge itself.
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use billpay_tests::docs::{code_blocks, docs_dir, snippet};
use billpay_tests::shop::notifications::Delivery;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

/// Vector 1 of docs/order-tokens.md (also asserted by shared/tests/token.rs).
const TOKEN_VECTOR_1: &str = "v1.eyJyZWYiOiJXUzEwMDEiLCJhbW91bnQiOjI1MDAwLCJkZXNjcmlwdGlvbiI6Ik9yZGVyIFdTMTAwMSIsIm1vZGUiOiJFWEFDVCIsImV4cCI6MTc2NzIyNTYwMH0.5-J_QyQ5b-tAGQSWV2SV615CTZdypn2t3vaAbGJKHzA";

/// Every block of docs/shop-integration.md and the test here that runs or checks it.
const SHOP_PAGE_BLOCKS: [&str; 6] = [
    "embed",          // the_embed_snippet_is_the_demo_shops_script_tag
    "body",           // the_body_example_has_the_keys_of_a_real_delivery
    "receive-node",   // the_receivers_in_the_docs_handle_real_notifications
    "receive-python", // the_receivers_in_the_docs_handle_real_notifications
    "receive-php",    // the_receivers_in_the_docs_handle_real_notifications
    "reconcile-node", // the_reconcile_job_names_what_does_not_match
];

/// A language the docs show code in, and how a shop's server would run a file of it.
#[derive(Debug, Clone, Copy)]
enum Language {
    Node,
    Python,
    Php,
}

impl Language {
    const ALL: [Language; 3] = [Language::Node, Language::Python, Language::Php];

    fn name(self) -> &'static str {
        match self {
            Language::Node => "node",
            Language::Python => "python",
            Language::Php => "php",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Language::Node => "js",
            Language::Python => "py",
            Language::Php => "php",
        }
    }

    fn interpreter(self) -> Command {
        match self {
            Language::Node => Command::new("node"),
            Language::Python => Command::new(
                std::env::var("BILLPAY_PYTHON").expect("BILLPAY_PYTHON (set by cargo xtask test)"),
            ),
            Language::Php => Command::new("php"),
        }
    }

    /// Runs a script to completion and returns what it printed.
    fn run(self, file: &PathBuf) -> String {
        let out = self
            .interpreter()
            .arg(file)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.name()));
        assert!(
            out.status.success(),
            "{} {} failed: {}",
            self.name(),
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Starts a receiver script listening on `port`.
    fn serve(self, file: &PathBuf, port: u16) -> Command {
        let mut cmd = self.interpreter();
        match self {
            Language::Php => cmd.args(["-S", &format!("127.0.0.1:{port}")]).arg(file),
            Language::Node | Language::Python => cmd.arg(file).env("PORT", port.to_string()),
        };
        cmd
    }
}

/// Where the suites write the snippets they run: under the stack's state folder, so Node finds
/// the repository's `node_modules` above it.
fn write_snippet(name: &str, language: Language, code: &str) -> PathBuf {
    let dir = snippet_dir();
    std::fs::create_dir_all(&dir).expect("snippet folder");
    let path = dir.join(format!("{name}.{}", language.extension()));
    std::fs::write(&path, code).expect("snippet written");
    path
}

fn snippet_dir() -> PathBuf {
    PathBuf::from(std::env::var("BILLPAY_STATE_DIR").expect("BILLPAY_STATE_DIR")).join("snippets")
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = snippet_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary folder");
    dir
}

/// A receiver from the docs, running until dropped.
struct Receiver {
    child: Child,
    url: String,
}

impl Receiver {
    fn start(language: Language, secret: &str, orders: &Value) -> Receiver {
        let block = snippet(
            "shop-integration.md",
            &format!("receive-{}", language.name()),
        );
        let file = write_snippet(
            &format!("receive-{}", language.name()),
            language,
            &block.code,
        );
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = language
            .serve(&file, port)
            .env("MERCHANT_WEBHOOK_SECRET", secret)
            .env("SHOP_ORDERS", orders.to_string())
            // PHP keeps its handled ids in a file in the temporary folder: a fresh one each time.
            .env("TMPDIR", fresh_dir(&format!("tmp-{port}")))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {} receiver: {e}", language.name()));
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the {} receiver did not listen",
                language.name()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Receiver {
            child,
            url: format!("http://127.0.0.1:{port}/billpay/notifications"),
        }
    }

    /// Posts a delivery as the edge sent it; the status and, on 200, the decided outcome.
    async fn post(&self, delivery: &Delivery) -> (StatusCode, Option<String>) {
        let reply = send(
            http()
                .post(&self.url)
                .header("content-type", "application/json")
                .header("webhook-id", &delivery.id)
                .header("webhook-timestamp", &delivery.timestamp)
                .header("webhook-signature", &delivery.signature)
                .body(delivery.body.clone()),
        )
        .await;
        let outcome = reply.body["outcome"].as_str().map(str::to_owned);
        if outcome.is_some() {
            assert_eq!(reply.body["received"], json!(delivery.id));
        }
        (reply.status, outcome)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bill paid in full, and the `bill.paid` delivery the demo shop got for it.
async fn paid_bill(prefix: &str, amount: u64) -> (String, Delivery) {
    let reference = unique_ref(prefix);
    new_checkout(&reference, amount).await;
    pay(&reference, amount, Default::default()).await;
    let paid = wait_for_notification(&reference, "bill.paid", Duration::from_secs(30)).await;
    (reference, paid.last_delivery)
}

#[tokio::test]
async fn every_code_block_is_tested() {
    let page = std::fs::read_to_string(docs_dir().join("shop-integration.md")).expect("page");
    let names: Vec<Option<String>> = code_blocks(&page).into_iter().map(|b| b.name).collect();
    assert!(
        names.iter().all(Option::is_some),
        "a code block without a `<!-- snippet: … -->` name: {names:?}"
    );
    let names: BTreeSet<String> = names.into_iter().flatten().collect();
    let tested: BTreeSet<String> = SHOP_PAGE_BLOCKS.iter().map(|s| s.to_string()).collect();
    assert_eq!(names, tested, "blocks on the page vs blocks the suite runs");
}

#[tokio::test]
async fn the_receivers_in_the_docs_handle_real_notifications() {
    let _stack = shared().await;
    let (known, paid) = paid_bill("SK", 2_100).await;
    let (mismatched, other) = paid_bill("SM", 2_200).await;
    // The shop's records: `known` as charged, `mismatched` for another amount than the bill's.
    let mut orders = serde_json::Map::new();
    orders.insert(known, json!(2_100));
    orders.insert(mismatched, json!(2_300));
    let orders = Value::Object(orders);
    let tampered = Delivery {
        body: paid.body.replacen("\"amount\":2100", "\"amount\":21000", 1),
        ..paid.clone()
    };
    assert_ne!(tampered.body, paid.body, "the tamper must change the body");
    let wrong_id = Delivery {
        id: other.id.clone(),
        ..paid.clone()
    };
    let current = std::env::var("BILLPAY_MERCHANT_WEBHOOK_SECRET").expect("secret");
    let retiring =
        std::env::var("BILLPAY_RETIRING_MERCHANT_WEBHOOK_SECRET").expect("retiring secret");
    for language in Language::ALL {
        for (which, secret) in [("current", &current), ("retiring", &retiring)] {
            let receiver = Receiver::start(language, secret, &orders);
            let cases = [
                (
                    "bill.paid for a known order",
                    &paid,
                    StatusCode::OK,
                    Some("ship"),
                ),
                (
                    "the same event again",
                    &paid,
                    StatusCode::OK,
                    Some("duplicate"),
                ),
                (
                    "an amount the shop did not charge",
                    &other,
                    StatusCode::OK,
                    Some("review_amount_mismatch"),
                ),
                ("a tampered body", &tampered, StatusCode::BAD_REQUEST, None),
                (
                    "another event's id",
                    &wrong_id,
                    StatusCode::BAD_REQUEST,
                    None,
                ),
            ];
            for (case, delivery, status, outcome) in cases {
                assert_eq!(
                    receiver.post(delivery).await,
                    (status, outcome.map(str::to_owned)),
                    "{} receiver with the {which} secret: {case}",
                    language.name()
                );
            }
        }
    }
}

#[tokio::test]
async fn the_body_example_has_the_keys_of_a_real_delivery() {
    let _stack = shared().await;
    let (_, paid) = paid_bill("SB", 2_400).await;
    let real: Value = serde_json::from_str(&paid.body).expect("a JSON body");
    let example: Value =
        serde_json::from_str(&snippet("shop-integration.md", "body").code).expect("JSON example");
    fn keys(value: &Value) -> BTreeSet<String> {
        value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
    for (part, real, example) in [
        ("top level", &real, &example),
        ("data", &real["data"], &example["data"]),
        (
            "data.payment",
            &real["data"]["payment"],
            &example["data"]["payment"],
        ),
    ] {
        assert!(!keys(real).is_empty(), "{part} of a real delivery: {real}");
        assert_eq!(keys(example), keys(real), "{part}");
    }
    assert_eq!(example["type"], real["type"]);
}

#[tokio::test]
async fn the_embed_snippet_is_the_demo_shops_script_tag() {
    let _stack = shared().await;
    let page = http()
        .get(format!(
            "{}/checkout?ref={}&amount=1000&lang=sw",
            stack().shop,
            unique_ref("SE")
        ))
        .send()
        .await
        .expect("shop reachable")
        .text()
        .await
        .expect("checkout page");
    let embed = snippet("shop-integration.md", "embed").code;
    let attributes = |html: &str| -> Vec<String> {
        let start = html.find("<script async").expect("a widget script tag");
        let tag = &html[start..start + html[start..].find('>').expect("tag end")];
        tag.split_whitespace()
            .skip(1)
            .map(|a| a.split('=').next().unwrap_or(a).to_owned())
            .collect()
    };
    assert_eq!(attributes(&embed), attributes(&page));
    for html in [&embed, &page] {
        assert!(html.contains("/widget.js\""), "{html}");
        assert!(html.contains("data-target=\"#pay\""), "{html}");
    }
}

#[tokio::test]
async fn the_token_snippets_print_vector_1_and_mint_tokens_the_edge_accepts() {
    let _stack = shared().await;
    for language in Language::ALL {
        let name = format!("mint-{}", language.name());
        let code = snippet("order-tokens.md", &name).code;
        let file = write_snippet(&name, language, &code);
        assert_eq!(language.run(&file), TOKEN_VECTOR_1, "{name}");

        // The same code with the shop's own secret and order, as it would run in production.
        let reference = unique_ref("ST");
        let mut own = code.clone();
        for (example, value) in [
            ("test-order-signing-secret", stack().order_secret.clone()),
            ("WS1001", reference.clone()),
            ("1767225600", (now() + 600).to_string()),
        ] {
            assert!(own.contains(example), "{name} no longer shows {example}");
            own = own.replace(example, &value);
        }
        let file = write_snippet(&format!("{name}-own"), language, &own);
        let token = language.run(&file);
        let created = create_checkout(&token).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{name}: {}",
            created.body
        );
        assert_eq!(created.body["reference"], json!(reference), "{name}");
    }
}

#[tokio::test]
async fn the_reconcile_job_names_what_does_not_match() {
    let _stack = shared().await;
    let from = now() - 1;
    let (paid, _) = paid_bill("SRP", 2_500).await;
    // Money only a correctly signed webhook claims: ClickPesa never took it.
    let claimed = unique_ref("SRU");
    let (order, _) = new_checkout(&claimed, 2_600).await;
    let webhook = payment_webhook(&claimed, &format!("{claimed}X"), "SUCCESS", 2_600);
    assert_eq!(post_webhook(webhook, true).await.status, StatusCode::OK);
    wait_for_state(&claimed, &order, "paid", Duration::from_secs(30)).await;

    let file = write_snippet(
        "reconcile-node",
        Language::Node,
        &snippet("shop-integration.md", "reconcile-node").code,
    );
    let out = Language::Node
        .interpreter()
        .arg(&file)
        .env("EDGE_URL", &stack().edge)
        .env("MERCHANT_API_KEY", &stack().merchant_key)
        .env("FROM", shared::reconcile::time::format_rfc3339(from))
        .env("TO", shared::reconcile::time::format_rfc3339(now() + 60))
        .output()
        .expect("node runs");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed
            .lines()
            .any(|l| l == format!("{claimed} unknown_to_clickpesa not_at_clickpesa")),
        "{printed}"
    );
    assert!(!printed.contains(&paid), "{printed}");
    assert!(printed.trim_end().ends_with("to look at"), "{printed}");
}
