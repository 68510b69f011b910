//! Live updates: the WebSocket over which the `Bill` object pushes a checkout's new view the moment
//! it changes, so the widget need not wait for its next poll.
//!
//! The order token authenticates the socket inside `Sec-WebSocket-Protocol`, never in the URL that
//! proxies log: the browser offers [`PROTOCOL`] and the token, the edge answers with [`PROTOCOL`].
//!
//! ```
//! use shared::live::{order_token, Refusal, SocketCount, PROTOCOL};
//!
//! assert_eq!(order_token("billpay.v1, v1.payload.sig"), Ok("v1.payload.sig"));
//! assert_eq!(order_token("v1.payload.sig"), Err(Refusal::NoProtocol));
//! assert_eq!(SocketCount { bill: 0, client: 0 }.admit(), Ok(()));
//! assert_eq!(PROTOCOL, "billpay.v1");
//! ```

/// The subprotocol the widget offers and the edge selects.
pub const PROTOCOL: &str = "billpay.v1";

/// Sockets one bill holds at most: a customer's tab or two, reloads whose old socket has not
/// closed yet, the shop's own page. Each costs the object memory and a send per change.
pub const MAX_SOCKETS_PER_BILL: usize = 8;

/// Sockets one client (IP, or IPv6 /64) holds on one bill at most: a reload loop or a script
/// cannot take every slot of a bill.
pub const MAX_SOCKETS_PER_CLIENT: usize = 4;

/// Why a socket is not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The client did not offer [`PROTOCOL`].
    NoProtocol,
    /// [`PROTOCOL`] was offered without an order token beside it, or with more than one.
    NoToken,
    /// The bill already holds [`MAX_SOCKETS_PER_BILL`] sockets.
    BillFull,
    /// This client already holds [`MAX_SOCKETS_PER_CLIENT`] sockets on the bill.
    ClientFull,
}

impl Refusal {
    /// The machine-readable code in the edge's JSON error.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoProtocol => "protocol_required",
            Self::NoToken => "missing_token",
            Self::BillFull | Self::ClientFull => "too_many_sockets",
        }
    }

    /// The human-readable message in the edge's JSON error.
    pub fn message(self) -> &'static str {
        match self {
            Self::NoProtocol => "offer the billpay.v1 WebSocket subprotocol",
            Self::NoToken => "offer exactly one order token beside billpay.v1",
            Self::BillFull => "this checkout has too many open sockets; poll its status instead",
            Self::ClientFull => "this client has too many open sockets; poll the status instead",
        }
    }
}

/// The order token among the subprotocols a client offered (`Sec-WebSocket-Protocol`, comma
/// separated): exactly one value beside [`PROTOCOL`].
pub fn order_token(offered: &str) -> Result<&str, Refusal> {
    let offers: Vec<&str> = offered
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !offers.contains(&PROTOCOL) {
        return Err(Refusal::NoProtocol);
    }
    match offers
        .iter()
        .filter(|&&o| o != PROTOCOL)
        .collect::<Vec<_>>()[..]
    {
        [token] => Ok(token),
        _ => Err(Refusal::NoToken),
    }
}

/// The sockets a bill holds now, in all and for the client asking for one more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketCount {
    /// Every open socket of the bill.
    pub bill: usize,
    /// The asking client's open sockets on the bill.
    pub client: usize,
}

impl SocketCount {
    /// Whether one more socket may open.
    pub fn admit(self) -> Result<(), Refusal> {
        if self.bill >= MAX_SOCKETS_PER_BILL {
            Err(Refusal::BillFull)
        } else if self.client >= MAX_SOCKETS_PER_CLIENT {
            Err(Refusal::ClientFull)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_one_offer_beside_the_protocol() {
        let cases = [
            ("protocol then token", "billpay.v1, v1.a.b", Ok("v1.a.b")),
            ("token then protocol", "v1.a.b,billpay.v1", Ok("v1.a.b")),
            ("extra spaces", "  billpay.v1 ,  v1.a.b ", Ok("v1.a.b")),
            ("no protocol", "v1.a.b", Err(Refusal::NoProtocol)),
            ("another protocol", "chat, v1.a.b", Err(Refusal::NoProtocol)),
            ("empty", "", Err(Refusal::NoProtocol)),
            ("protocol alone", "billpay.v1", Err(Refusal::NoToken)),
            (
                "two tokens",
                "billpay.v1, v1.a.b, v1.c.d",
                Err(Refusal::NoToken),
            ),
        ];
        for (case, offered, expected) in cases {
            assert_eq!(order_token(offered), expected, "{case}");
        }
    }

    #[test]
    fn sockets_are_bounded_per_bill_and_per_client() {
        let cases = [
            ("first", 0, 0, Ok(())),
            (
                "below both",
                MAX_SOCKETS_PER_BILL - 1,
                MAX_SOCKETS_PER_CLIENT - 1,
                Ok(()),
            ),
            ("bill full", MAX_SOCKETS_PER_BILL, 0, Err(Refusal::BillFull)),
            (
                "client full",
                5,
                MAX_SOCKETS_PER_CLIENT,
                Err(Refusal::ClientFull),
            ),
        ];
        for (case, bill, client, expected) in cases {
            assert_eq!(SocketCount { bill, client }.admit(), expected, "{case}");
        }
    }

    #[test]
    fn every_refusal_has_a_code_and_message() {
        for refusal in [
            Refusal::NoProtocol,
            Refusal::NoToken,
            Refusal::BillFull,
            Refusal::ClientFull,
        ] {
            assert!(!refusal.code().is_empty() && !refusal.message().is_empty());
        }
    }
}
