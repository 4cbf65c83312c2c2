//! The triage screens: `:triage` (what is failing now across every layer, and the pipeline
//! strip of prepare_data_nyc) and the way from a task to its root cause ([`root_cause`]).

pub mod now_view;
pub mod root_cause;
