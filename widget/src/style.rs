//! The widget's CSS, adopted into each shadow root as a constructable stylesheet.
//!
//! ```no_run
//! # let shadow: web_sys::ShadowRoot = unimplemented!();
//! widget::style::adopt(&shadow).expect("stylesheet");
//! ```
//!
//! A strict CSP (`style-src 'self'`) blocks `<style>` elements and `style="…"` attributes, but not
//! `adoptedStyleSheets` (docs/toolchain.md). Shops theme it through custom properties on the host
//! element: `--billpay-accent`, `--billpay-on-accent`, `--billpay-text`, `--billpay-muted`,
//! `--billpay-bg`, `--billpay-line`, `--billpay-font`, `--billpay-radius`.
use std::cell::OnceCell;

use js_sys::Array;
use wasm_bindgen::JsValue;
use web_sys::{CssStyleSheet, ShadowRoot};

const CSS: &str = include_str!("widget.css");

thread_local! {
    /// One sheet for every widget on the page: the browser shares adopted sheets between roots.
    static SHEET: OnceCell<CssStyleSheet> = const { OnceCell::new() };
}

fn sheet() -> Result<CssStyleSheet, JsValue> {
    SHEET.with(|cell| {
        if let Some(sheet) = cell.get() {
            return Ok(sheet.clone());
        }
        let sheet = CssStyleSheet::new()?;
        sheet.replace_sync(CSS)?;
        Ok(cell.get_or_init(|| sheet).clone())
    })
}

/// Adds the widget's stylesheet to `shadow`, keeping any sheets already there.
pub fn adopt(shadow: &ShadowRoot) -> Result<(), JsValue> {
    let sheet = sheet()?;
    let sheets = shadow.adopted_style_sheets();
    if !sheets.includes(&sheet, 0) {
        sheets.push(&sheet);
        shadow.set_adopted_style_sheets(&sheets);
    }
    Ok(())
}

/// Removes the widget's stylesheet from `shadow` (on destroy).
pub fn release(shadow: &ShadowRoot) {
    if let Ok(sheet) = sheet() {
        let kept: Array = shadow
            .adopted_style_sheets()
            .filter(&mut |s, _, _| s != JsValue::from(&sheet));
        shadow.set_adopted_style_sheets(&kept);
    }
}
