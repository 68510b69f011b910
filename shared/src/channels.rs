//! How to pay a control number on each channel (API.md §6), in English and Swahili.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Mpesa,
    MixxByYas,
    AirtelMoney,
    HaloPesa,
    CrdbSimBanking,
    CrdbWakala,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Mpesa,
        Channel::MixxByYas,
        Channel::AirtelMoney,
        Channel::HaloPesa,
        Channel::CrdbSimBanking,
        Channel::CrdbWakala,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Mpesa => "M-Pesa",
            Channel::MixxByYas => "Mixx by Yas",
            Channel::AirtelMoney => "Airtel Money",
            Channel::HaloPesa => "HaloPesa",
            Channel::CrdbSimBanking => "CRDB SimBanking",
            Channel::CrdbWakala => "CRDB Wakala",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Sw,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelContext<'a> {
    pub control_number: &'a str,
    pub amount: u64,
    pub mpesa_business_number: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instructions {
    pub channel: Channel,
    pub title: String,
    pub ussd: Option<String>,
    pub tel_href: Option<String>,
    pub business_number: Option<String>,
    pub steps: Vec<String>,
    pub available: bool,
    pub note: Option<String>,
}

pub fn instructions(channel: Channel, lang: Lang, ctx: &ChannelContext<'_>) -> Instructions {
    let _ = (lang, ctx);
    Instructions {
        channel,
        title: channel.name().to_owned(),
        ussd: None,
        tel_href: None,
        business_number: None,
        steps: Vec::new(),
        available: false,
        note: None,
    }
}
