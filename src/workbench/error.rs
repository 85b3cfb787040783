//! Why a job could not start or stopped: each message says what and where.

use thiserror::Error;

use crate::train::TrainError;
use crate::wire::WireError;

#[derive(Debug, Error)]
pub enum WorkbenchError {
    #[error("settings: {0}")]
    Settings(String),
    #[error("{0}")]
    Train(#[from] TrainError),
    #[error("no model has been trained or imported yet")]
    NoModel,
    #[error("{0} cannot run before the Fisher and the sweep")]
    NoAnalysis(&'static str),
    #[error("{0}")]
    Data(String),
    #[error("{0}")]
    Weights(String),
    #[error("a helper's result: {0}")]
    Wire(#[from] WireError),
    #[error("the pool: {0}")]
    Pool(String),
}
