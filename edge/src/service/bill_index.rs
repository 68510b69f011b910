//! `BillIndex`: one Durable Object per UTC day listing the bills created that day, so the
//! reconcile report can find them (no Bill object can list the others).
//!
//! The Bill object writes its entry before it asks ClickPesa for a control number: a bill that
//! exists is then always indexed, and an entry whose create failed reads as "no bill" in the
//! report. The day forgets itself BILL_RETENTION_SECS after it ends; the report never reaches
//! back further than that (`shared::reconcile::window`).
use shared::budget::DAY_SECS;
use shared::reconcile::time::date;
use worker::{durable_object, DurableObject, Env, Request, Response, SqlStorageValue, State};

use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::model::bill_index::{IndexEntry, IndexRequest};
use crate::service::rpc;

/// The binding name in wrangler.toml.
pub const BINDING: &str = "BILL_INDEX";

#[durable_object]
pub struct BillIndex {
    state: State,
    env: Env,
}

impl DurableObject for BillIndex {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match req.json::<IndexRequest>().await? {
            IndexRequest::Record { reference, at } => {
                rpc::reply(&self.record(&reference, at).await)
            }
            IndexRequest::List => rpc::reply(&self.list()),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.state.storage().delete_all().await?;
        Response::empty()
    }
}

impl BillIndex {
    fn table(&self) -> worker::Result<worker::SqlStorage> {
        let sql = self.state.storage().sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS bills (reference TEXT PRIMARY KEY, indexed_at INTEGER NOT NULL)",
            None,
        )?;
        Ok(sql)
    }

    async fn record(&self, reference: &str, at: u64) -> Result<(), EdgeError> {
        let sql = self.table()?;
        let at_value = SqlStorageValue::try_from_i64(i64::try_from(at).unwrap_or(i64::MAX))?;
        sql.exec(
            "INSERT INTO bills (reference, indexed_at) VALUES (?, ?) \
             ON CONFLICT (reference) DO UPDATE SET indexed_at = excluded.indexed_at",
            vec![reference.into(), at_value],
        )?;
        // The day ends at the next midnight; its entries are kept for the bills' retention after.
        let forget_at =
            (at / DAY_SECS + 1) * DAY_SECS + Config::new(&self.env).bill_retention_secs();
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none() {
            let wait_ms = forget_at.saturating_sub(at).saturating_mul(1000);
            storage
                .set_alarm(i64::try_from(wait_ms).unwrap_or(i64::MAX))
                .await?;
        }
        Ok(())
    }

    fn list(&self) -> Result<Vec<IndexEntry>, EdgeError> {
        Ok(self
            .table()?
            .exec("SELECT reference, indexed_at FROM bills", None)?
            .to_array()?)
    }
}

/// Notes `reference` in the index of the day holding `at`.
pub async fn record(env: &Env, reference: &str, at: u64) -> Result<(), EdgeError> {
    let request = IndexRequest::Record {
        reference: reference.to_owned(),
        at,
    };
    rpc::call(&day_stub(env, at / DAY_SECS)?, &request).await?
}

/// The entries of the UTC day `day` (days since the epoch).
pub async fn list(env: &Env, day: u64) -> Result<Vec<IndexEntry>, EdgeError> {
    rpc::call(&day_stub(env, day)?, &IndexRequest::List).await?
}

/// Objects are named by their day, `2026-11-29`.
fn day_stub(env: &Env, day: u64) -> worker::Result<worker::Stub> {
    env.durable_object(BINDING)?
        .get_by_name(&date(day * DAY_SECS))
}
