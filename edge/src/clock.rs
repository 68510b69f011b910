//! Wall-clock time. `shared` takes `now` as an argument; this is where the edge reads it.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

pub fn now_secs() -> u64 {
    now_ms() / 1000
}
