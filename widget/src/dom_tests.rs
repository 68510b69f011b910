//! The widget mounted into a real shadow root in headless Chromium, with a scripted edge.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, JSON};
use shared::ledger::BillState;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{
    CustomEvent, Element, HtmlElement, KeyboardEvent, KeyboardEventInit, ShadowRoot,
    ShadowRootInit, ShadowRootMode,
};

use crate::edge::{EdgeError, Status};
use crate::testing::{
    paid, partially_paid, partly_returned, refunded, view, with_failed_attempt, ScriptedEdge,
    ScriptedSocket,
};
use crate::{mount_with, Handle, MountOptions};

const EVENTS: [&str; 5] = [
    "billpay:ready",
    "billpay:paid",
    "billpay:partially_paid",
    "billpay:expired",
    "billpay:error",
];

struct Mounted {
    shadow: ShadowRoot,
    handle: Handle,
    edge: Rc<ScriptedEdge>,
    /// `(type, JSON of detail)` of every `billpay:*` event the host heard.
    events: Rc<RefCell<Vec<(String, String)>>>,
    _listener: Closure<dyn FnMut(CustomEvent)>,
}

fn mount(edge: ScriptedEdge, lang: &str) -> Mounted {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    let events = Rc::new(RefCell::new(Vec::new()));
    let listener = Closure::<dyn FnMut(CustomEvent)>::new({
        let events = Rc::clone(&events);
        move |event: CustomEvent| {
            let detail = JSON::stringify(&event.detail())
                .map(String::from)
                .unwrap_or_default();
            events.borrow_mut().push((event.type_(), detail));
        }
    });
    for name in EVENTS {
        host.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
            .unwrap();
    }
    let edge = Rc::new(edge);
    let options = MountOptions {
        order: "v1.test.sig".into(),
        lang: Some(lang.into()),
        edge: "https://edge.test".into(),
        success_url: None,
    };
    let handle = mount_with(shadow.clone(), host, options, edge.clone()).unwrap();
    Mounted {
        shadow,
        handle,
        edge,
        events,
        _listener: listener,
    }
}

/// A widget whose checkout is created as `view` and then never changes.
fn showing(view: shared::api::CheckoutView, lang: &str) -> Mounted {
    mount(ScriptedEdge::new([Ok(view)], []), lang)
}

impl Mounted {
    fn text(&self) -> String {
        self.shadow.text_content().unwrap_or_default()
    }

    fn find(&self, selector: &str) -> Option<Element> {
        self.shadow.query_selector(selector).unwrap()
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.shadow.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into().ok())
            .collect()
    }

    fn stage(&self) -> String {
        self.find("[data-stage]")
            .and_then(|s| s.get_attribute("data-stage"))
            .unwrap_or_default()
    }

    async fn reaches(&self, stage: &str) {
        until(&format!("stage {stage}"), || self.stage() == stage).await;
    }

    fn event_names(&self) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .map(|(name, _)| name.clone())
            .collect()
    }

    fn detail(&self, name: &str) -> serde_json::Value {
        let events = self.events.borrow();
        let (_, detail) = events
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name} event"));
        serde_json::from_str(detail).unwrap()
    }

    fn selected_tab(&self) -> String {
        self.find("[role=tab][aria-selected=true]")
            .unwrap()
            .text_content()
            .unwrap()
    }

    fn press(&self, key: &str) {
        let init = KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        let focused = self.shadow.active_element().expect("a focused element");
        focused.dispatch_event(&event).unwrap();
    }

    fn focused_tab(&self) -> String {
        self.shadow
            .active_element()
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    fn click(&self, selector: &str) {
        self.find(selector)
            .unwrap()
            .unchecked_into::<HtmlElement>()
            .click();
    }
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve: Function, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits up to 5 s (the first poll comes after 2 s ± 20 %) for `condition`.
async fn until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..250 {
        if condition() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn awaiting_shows_the_number_amount_steps_and_countdown() {
    let widget = showing(view(BillState::Pending), "en");
    widget.reaches("awaiting").await;
    let text = widget.text();
    for expected in [
        "5504 2914 871 931",
        "TSh 90,900",
        "We confirm your payment automatically",
        "15:00",
        "400700",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    let tel = widget.find("a[href^='tel:']").expect("a dial link");
    assert_eq!(tel.get_attribute("href").as_deref(), Some("tel:*150*00%23"));
    assert_eq!(tel.text_content().as_deref(), Some("Dial *150*00#"));
    assert!(
        widget.all("[role=tabpanel] ol li").len() >= 5,
        "numbered steps"
    );
    let live = widget.find("[aria-live=polite]").expect("a live region");
    assert!(live.text_content().unwrap().contains("We confirm"));
    assert_eq!(
        widget.shadow.adopted_style_sheets().length(),
        1,
        "CSS arrives as one adopted sheet"
    );
    assert_eq!(widget.event_names(), ["billpay:ready"]);
    let ready = widget.detail("billpay:ready");
    assert_eq!(ready["controlNumber"], "55042914871931");
    assert_eq!(ready["amount"], 90_900);
}

#[wasm_bindgen_test]
async fn channel_tabs_follow_the_aria_pattern_and_arrow_keys() {
    let widget = showing(view(BillState::Pending), "en");
    widget.reaches("awaiting").await;
    let tabs = widget.all("[role=tablist] > [role=tab]");
    let names: Vec<_> = tabs.iter().map(|t| t.text_content().unwrap()).collect();
    assert_eq!(
        names,
        [
            "M-Pesa",
            "Mixx by Yas",
            "Airtel Money",
            "HaloPesa",
            "CRDB SimBanking",
            "CRDB Wakala"
        ]
    );
    let tabindex: Vec<_> = tabs
        .iter()
        .map(|t| t.get_attribute("tabindex").unwrap())
        .collect();
    assert_eq!(
        tabindex,
        ["0", "-1", "-1", "-1", "-1", "-1"],
        "one tab stop"
    );
    let panel = widget.find("[role=tabpanel]").unwrap();
    assert_eq!(
        panel.get_attribute("aria-labelledby"),
        tabs[0].get_attribute("id")
    );
    assert_eq!(
        tabs[0].get_attribute("aria-controls"),
        panel.get_attribute("id")
    );

    tabs[0].unchecked_ref::<HtmlElement>().focus().unwrap();
    widget.press("ArrowRight");
    until("Mixx selected", || widget.selected_tab() == "Mixx by Yas").await;
    assert_eq!(widget.focused_tab(), "Mixx by Yas");
    until("Mixx steps", || widget.text().contains("*150*01#")).await;
    widget.press("End");
    until("Wakala selected", || widget.selected_tab() == "CRDB Wakala").await;
    widget.press("ArrowRight");
    until("wrapped to M-Pesa", || widget.selected_tab() == "M-Pesa").await;
    widget.press("ArrowLeft");
    until("wrapped back to Wakala", || {
        widget.selected_tab() == "CRDB Wakala"
    })
    .await;
    widget.press("Home");
    until("Home", || widget.selected_tab() == "M-Pesa").await;
    assert_eq!(widget.focused_tab(), "M-Pesa");

    widget.click("[role=tab]:nth-child(4)");
    until("click selects HaloPesa", || {
        widget.selected_tab() == "HaloPesa"
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_selected_channels_steps_can_be_sent_by_sms_or_whatsapp() {
    use shared::channels::{instructions, Channel, ChannelContext, Lang};
    use shared::share::{message, sms_href, whatsapp_href};
    let widget = showing(view(BillState::Pending), "sw");
    widget.reaches("awaiting").await;
    widget.click("[role=tablist] > [role=tab]:nth-child(4)");
    until("HaloPesa selected", || widget.selected_tab() == "HaloPesa").await;
    let context = ChannelContext {
        control_number: "55042914871931",
        amount: 90_900,
        mpesa_business_number: Some("400700"),
    };
    let text = message(
        &instructions(Channel::HaloPesa, Lang::Sw, &context),
        Lang::Sw,
        &context,
    );
    let hrefs: Vec<_> = widget
        .all("[role=tabpanel] .share a")
        .iter()
        .map(|a| a.get_attribute("href").unwrap_or_default())
        .collect();
    assert_eq!(hrefs, [sms_href(&text), whatsapp_href(&text)]);
    assert!(text.starts_with("Lipa TSh 90,900 kwa HaloPesa, namba ya malipo 55042914871931:"));
    assert!(widget.text().contains("Nitumie hatua hizi kwenye simu:"));
}

#[wasm_bindgen_test]
async fn mpesa_without_a_business_number_shows_the_note_not_an_invented_number() {
    let mut pending = view(BillState::Pending);
    pending.mpesa_business_number = None;
    let widget = showing(pending, "en");
    widget.reaches("awaiting").await;
    assert!(widget.find("[role=tabpanel] .note").is_some(), "the note");
    assert!(
        widget.find("[role=tabpanel] a[href^='tel:']").is_none(),
        "no dial link for an unusable channel"
    );
    assert!(
        widget.find("[role=tabpanel] .share").is_none(),
        "nothing to send for an unusable channel"
    );
}

#[wasm_bindgen_test]
async fn paid_shows_the_receipt_and_tells_the_host() {
    let widget = showing(paid(), "en");
    widget.reaches("paid").await;
    let text = widget.text();
    for expected in [
        "Payment received",
        "TSh 90,900",
        // ClickPesa's TIGO-PESA, by the name customers know.
        "Mixx by Yas",
        "MX123",
        "2026",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    assert_eq!(widget.event_names(), ["billpay:ready", "billpay:paid"]);
    let detail = widget.detail("billpay:paid");
    assert_eq!(detail["reference"], "ORD1");
    assert_eq!(detail["paymentReference"], "MX123");
    assert_eq!(detail["channel"], "TIGO-PESA");
    assert_eq!(detail["amount"], 90_900);
}

#[wasm_bindgen_test]
async fn partly_paid_shows_paid_and_missing_and_sends_nobody_to_the_closed_number() {
    let widget = showing(partially_paid(), "en");
    widget.reaches("partially_paid").await;
    let text = widget.text();
    for expected in [
        "TSh 40,900",
        "TSh 50,000",
        "5504 2914 871 931",
        "cannot be paid with it",
        "contact them",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    // ClickPesa closed the number with the first payment (docs/clickpesa.md §2.6): no steps to pay it again.
    assert!(
        widget.find("[role=tablist]").is_none(),
        "no payment steps: {text}"
    );
    assert!(widget.find(".spin.sr").is_some(), "no longer waiting");
    assert_eq!(
        widget.event_names(),
        ["billpay:ready", "billpay:partially_paid"]
    );
    let detail = widget.detail("billpay:partially_paid");
    assert_eq!(
        (
            &detail["reference"],
            &detail["amount"],
            &detail["paidTotal"],
            &detail["remaining"]
        ),
        (
            &"ORD1".into(),
            &90_900.into(),
            &40_900.into(),
            &50_000.into()
        )
    );
}

#[wasm_bindgen_test]
async fn expired_offers_to_start_again_and_tells_the_host() {
    let widget = showing(view(BillState::Expired), "en");
    widget.reaches("expired").await;
    assert!(widget.text().contains("This control number has expired"));
    assert_eq!(
        widget
            .find("button")
            .and_then(|b| b.text_content())
            .as_deref(),
        Some("Start again")
    );
    assert_eq!(widget.event_names(), ["billpay:ready", "billpay:expired"]);
}

#[wasm_bindgen_test]
async fn money_that_went_back_is_shown_as_returned_not_cancelled() {
    struct Case {
        name: &'static str,
        view: shared::api::CheckoutView,
        lang: &'static str,
        stage: &'static str,
        shows: &'static [&'static str],
        /// The host's last event, and its code for `billpay:error`.
        last_event: (&'static str, Option<&'static str>),
    }
    let cases = [
        Case {
            name: "refunded",
            view: refunded(),
            lang: "en",
            stage: "refunded",
            shows: &[
                "This payment was refunded",
                "went back to the payer",
                "Returned to the payer: TSh 90,900",
            ],
            last_event: ("billpay:error", Some("refunded")),
        },
        Case {
            name: "refunded, in Swahili",
            view: refunded(),
            lang: "sw",
            stage: "refunded",
            shows: &[
                "Malipo haya yamerejeshwa",
                "Imerudishwa kwa mlipaji: TSh 90,900",
            ],
            last_event: ("billpay:error", Some("refunded")),
        },
        Case {
            name: "paid in two parts, the second reversed",
            view: partly_returned(),
            lang: "en",
            stage: "partially_paid",
            // What is held and what is missing; the shop, told, settles the rest.
            shows: &["Partly paid", "TSh 40,900", "TSh 50,000", "contact them"],
            last_event: ("billpay:partially_paid", None),
        },
    ];
    for case in cases {
        // On a reload the first view is the outcome; while open, a poll brings it.
        for polled in [false, true] {
            let mut widget = match polled {
                false => showing(case.view.clone(), case.lang),
                true => mount(
                    ScriptedEdge::new(
                        [Ok(view(BillState::Pending))],
                        [Ok(Status::Changed {
                            view: case.view.clone(),
                            etag: None,
                        })],
                    ),
                    case.lang,
                ),
            };
            widget.reaches(case.stage).await;
            let text = widget.text();
            for expected in case.shows {
                assert!(
                    text.contains(expected),
                    "{} (polled: {polled}): {expected:?} missing from {text}",
                    case.name
                );
            }
            for cancelled in ["cancelled", "ameghairi", "imeghairiwa"] {
                assert!(!text.contains(cancelled), "{}: {text}", case.name);
            }
            assert_eq!(
                widget.event_names().last().map(String::as_str),
                Some(case.last_event.0),
                "{}",
                case.name
            );
            if let Some(code) = case.last_event.1 {
                assert_eq!(
                    widget.detail("billpay:error")["code"],
                    code,
                    "{}",
                    case.name
                );
            }
            widget.handle.destroy();
        }
    }
}

#[wasm_bindgen_test]
async fn a_refused_checkout_can_be_retried() {
    let refused = EdgeError::Refused {
        status: 401,
        code: "bad_signature".into(),
        message: "order token signature is invalid".into(),
    };
    let widget = mount(
        ScriptedEdge::new([Err(refused), Ok(view(BillState::Pending))], []),
        "en",
    );
    widget.reaches("failed").await;
    assert!(widget.text().contains("We could not start the payment"));
    assert_eq!(widget.detail("billpay:error")["code"], "bad_signature");
    widget.click("button");
    widget.reaches("awaiting").await;
    assert_eq!(widget.edge.create_calls.get(), 2);
}

#[wasm_bindgen_test]
async fn polling_brings_the_payment() {
    let widget = mount(
        ScriptedEdge::new(
            [Ok(view(BillState::Pending))],
            [Ok(Status::Changed {
                view: paid(),
                etag: Some("\"2\"".into()),
            })],
        ),
        "en",
    );
    widget.reaches("awaiting").await;
    widget.reaches("paid").await;
    assert_eq!(widget.event_names(), ["billpay:ready", "billpay:paid"]);
}

#[wasm_bindgen_test]
async fn a_failed_attempt_is_shown_while_still_awaiting() {
    let attempt = with_failed_attempt("Insufficient balance");
    let widget = mount(
        ScriptedEdge::new(
            [Ok(view(BillState::Pending))],
            [Ok(Status::Changed {
                view: attempt,
                etag: None,
            })],
        ),
        "en",
    );
    until("the alert", || widget.find("[role=alert]").is_some()).await;
    assert_eq!(
        widget.find("[role=alert]").unwrap().text_content().unwrap(),
        "Your last attempt failed: Insufficient balance; you can try again."
    );
    assert_eq!(widget.stage(), "awaiting");
}

#[wasm_bindgen_test]
async fn network_errors_show_reconnecting() {
    let widget = mount(
        ScriptedEdge::new(
            [Ok(view(BillState::Pending))],
            [Err(EdgeError::Network("offline".into()))],
        ),
        "en",
    );
    until("reconnecting", || widget.text().contains("Reconnecting…")).await;
    assert_eq!(widget.stage(), "awaiting");
    assert!(
        widget
            .event_names()
            .iter()
            .all(|name| name != "billpay:error"),
        "a network blip is no error"
    );
}

#[wasm_bindgen_test]
async fn swahili_throughout() {
    let widget = showing(view(BillState::Pending), "sw");
    widget.reaches("awaiting").await;
    let text = widget.text();
    for expected in [
        "Namba ya malipo",
        "Nakili",
        "Kiasi cha kulipa",
        "Piga *150*00#",
        "TSh 90,900",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    for english in ["Control number", "Copy", "Dial", "Amount to pay"] {
        assert!(!text.contains(english), "English {english:?} in {text}");
    }
}

#[wasm_bindgen_test]
async fn copy_confirms_either_way() {
    let widget = showing(view(BillState::Pending), "en");
    widget.reaches("awaiting").await;
    widget.click(".cn button");
    until("copy feedback", || {
        let feedback = widget
            .find(".cn [role=status]")
            .and_then(|s| s.text_content())
            .unwrap_or_default();
        feedback == "Copied" || feedback.starts_with("Could not copy")
    })
    .await;
}

#[wasm_bindgen_test]
async fn destroy_removes_the_widget_and_its_stylesheet() {
    let mut widget = showing(view(BillState::Pending), "en");
    widget.reaches("awaiting").await;
    widget.handle.destroy();
    widget.handle.destroy();
    assert!(widget.find("[data-stage]").is_none());
    assert_eq!(widget.shadow.adopted_style_sheets().length(), 0);
    let polls = widget.edge.status_calls.get();
    sleep(2_600).await;
    assert_eq!(
        widget.edge.status_calls.get(),
        polls,
        "no polling after destroy"
    );
}

#[wasm_bindgen_test]
async fn two_widgets_on_one_page_keep_to_themselves() {
    let mut other = view(BillState::Pending);
    other.control_number = "99887766554433".into();
    other.reference = "ORD2".into();
    let first = showing(view(BillState::Pending), "en");
    let second = showing(other, "sw");
    first.reaches("awaiting").await;
    second.reaches("awaiting").await;
    assert!(first.text().contains("5504 2914 871 931") && !first.text().contains("9988"));
    assert!(second.text().contains("9988 7766 554 433") && second.text().contains("Nakili"));
    assert_eq!(first.detail("billpay:ready")["reference"], "ORD1");
    assert_eq!(second.detail("billpay:ready")["reference"], "ORD2");
}

/// A pending checkout whose edge offers a live-update socket.
fn live_checkout(
    statuses: impl IntoIterator<Item = Result<Status, EdgeError>>,
) -> (Mounted, Rc<ScriptedSocket>) {
    let socket = Rc::new(ScriptedSocket::default());
    let edge = ScriptedEdge {
        socket: Some(Rc::clone(&socket)),
        ..ScriptedEdge::new([Ok(view(BillState::Pending))], statuses)
    };
    (mount(edge, "en"), socket)
}

#[wasm_bindgen_test]
async fn a_pushed_payment_shows_the_receipt_without_a_poll() {
    let (widget, socket) = live_checkout([]);
    widget.reaches("awaiting").await;
    socket.push(paid());
    widget.reaches("paid").await;
    assert_eq!(widget.detail("billpay:paid")["paymentReference"], "MX123");
    sleep(2_600).await;
    assert_eq!(
        widget.edge.status_calls.get(),
        0,
        "with the socket up, the 2 s polls wait"
    );
}

#[wasm_bindgen_test]
async fn an_older_push_never_takes_the_screen_back() {
    let (widget, socket) = live_checkout([]);
    widget.reaches("awaiting").await;
    let mut newer = with_failed_attempt("Insufficient balance");
    newer.version = 3;
    socket.push(newer);
    until("the failed attempt", || {
        widget.text().contains("Insufficient balance")
    })
    .await;
    socket.push(view(BillState::Pending));
    sleep(300).await;
    assert!(
        widget.text().contains("Insufficient balance"),
        "version 1 arrived after version 3 and was ignored"
    );
}

#[wasm_bindgen_test]
async fn a_dropped_socket_falls_back_to_polling_at_once() {
    let changed = Status::Changed {
        view: paid(),
        etag: None,
    };
    let (widget, socket) = live_checkout([Ok(changed)]);
    widget.reaches("awaiting").await;
    socket.drop_connection();
    widget.reaches("paid").await;
    assert_eq!(widget.edge.status_calls.get(), 1);
}
