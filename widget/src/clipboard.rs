//! Copying the control number.
//!
//! ```no_run
//! # async fn demo(button_parent: web_sys::Element) {
//! let copied = widget::clipboard::copy("55042914871931", &button_parent).await;
//! # }
//! ```
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlDocument, HtmlTextAreaElement};

/// Copies `text`: the async Clipboard API where the page allows it, else the old
/// select-and-`execCommand` way (insecure origins, embedded browsers, denied permission).
/// `scratch` hosts the temporary text area; it must be inside the widget's shadow root.
pub async fn copy(text: &str, scratch: &Element) -> bool {
    if let Some(window) = web_sys::window() {
        let navigator = window.navigator();
        // `navigator.clipboard` is undefined outside secure contexts; web_sys would call into it anyway.
        let has_api = Reflect::get(&navigator, &JsValue::from_str("clipboard"))
            .is_ok_and(|c| !c.is_undefined());
        if has_api
            && JsFuture::from(navigator.clipboard().write_text(text))
                .await
                .is_ok()
        {
            return true;
        }
    }
    copy_by_selection(text, scratch).unwrap_or(false)
}

fn copy_by_selection(text: &str, scratch: &Element) -> Result<bool, JsValue> {
    let document: HtmlDocument = scratch
        .owner_document()
        .ok_or(JsValue::NULL)?
        .unchecked_into();
    let area: HtmlTextAreaElement = document.create_element("textarea")?.unchecked_into();
    area.set_value(text);
    area.set_read_only(true);
    area.set_class_name("offscreen");
    scratch.append_child(&area)?;
    area.select();
    let copied = document.exec_command("copy");
    area.remove();
    copied
}
