//! The optional `--state-file`: the whole [`SimState`] as JSON, loaded at start and rewritten after
//! every change, so a restarted simulator still knows its numbers, payments and live tokens.
//!
//! ```no_run
//! # async fn demo() -> Result<(), billpay_tests::sim::store::StoreError> {
//! use billpay_tests::sim::{state::SimState, store::Store};
//! let store = Store::new(Some("/tmp/sim-state.json".into()));
//! let state = store.load()?;
//! store.save(|| state.clone()).await?;
//! # Ok(()) }
//! ```
use std::path::PathBuf;

use super::state::SimState;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read or write the state file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file {path} is not valid simulator state: {source}")]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
}

#[derive(Debug)]
pub struct Store {
    path: Option<PathBuf>,
    /// Serialises writers so a slower write of older state never lands after a newer one.
    write: tokio::sync::Mutex<()>,
}

impl Store {
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path,
            write: tokio::sync::Mutex::new(()),
        }
    }

    /// The saved state, or an empty one when there is no file (yet).
    pub fn load(&self) -> Result<SimState, StoreError> {
        let Some(path) = &self.path else {
            return Ok(SimState::default());
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                path: path.clone(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SimState::default()),
            Err(source) => Err(StoreError::Io {
                path: path.clone(),
                source,
            }),
        }
    }

    /// Writes the state `snapshot` returns, atomically (temp file + rename) so a crash never leaves
    /// half a file. The snapshot is taken while holding the writer lock, so the last write always
    /// carries the newest state.
    pub async fn save(&self, snapshot: impl FnOnce() -> SimState) -> Result<(), StoreError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let _one_writer = self.write.lock().await;
        let io = |source| StoreError::Io {
            path: path.clone(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(&snapshot()).map_err(|e| io(e.into()))?;
        let tmp = path.with_extension("tmp");
        tokio::fs::write(&tmp, bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, path).await.map_err(io)
    }
}
