//! The log of one Airflow task try: the REST log endpoint with continuation tokens (self-hosted
//! Airflow: only new lines while the task runs) or CloudWatch Logs (MWAA: the environment's
//! TaskLogs group, stream `dag_id=…/run_id=…/task_id=…/attempt=N.log`).

use super::{LogLine, LogSource, MemorySource};
use crate::airflow::{Airflow, TaskKey};
use crate::aws::logs::CloudWatchLogs;

/// The source for try `try_number` of `key`, read where `airflow` keeps its task logs. `live`:
/// the try is still running, so the viewer follows it.
pub fn task_log_source(
    airflow: Airflow,
    logs: CloudWatchLogs,
    key: TaskKey,
    try_number: u32,
    live: bool,
) -> Box<dyn LogSource> {
    let _ = (airflow, logs, live);
    Box::new(MemorySource::finished(vec![LogLine::new(format!(
        "(reading Airflow task logs is being written: {} try {try_number})",
        key.task_id
    ))]))
}
