//! The log of one Airflow task try: the REST log endpoint with continuation tokens (self-hosted
//! Airflow: only new lines while the task runs) or CloudWatch Logs (MWAA: the environment's
//! TaskLogs group, stream `dag_id=…/run_id=…/task_id=…/attempt=N.log`).

use crate::errors::UiError;
use futures::future::BoxFuture;

use super::{CloudWatchSource, LogChunk, LogLine, LogSource, MemorySource};
use crate::airflow::{Airflow, TaskKey, TaskLogLocation};
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
    if try_number == 0 {
        return Box::new(MemorySource::finished(vec![LogLine::new(format!(
            "({} has not run yet: no log)",
            key.task_id
        ))]));
    }
    match airflow.task_log_location() {
        TaskLogLocation::Rest => Box::new(RestTaskLog::new(airflow, key, try_number)),
        TaskLogLocation::CloudWatch { group } => Box::new(CloudWatchSource::new(
            logs,
            &group,
            &task_log_stream(&key, try_number),
            live,
        )),
    }
}

/// The CloudWatch stream of a try on MWAA:
/// `dag_id=<d>/run_id=<run>/task_id=<t>/[map_index=<i>/]attempt=<n>.log`, `:` written `_`.
pub fn task_log_stream(key: &TaskKey, try_number: u32) -> String {
    let map_index = if key.map_index >= 0 {
        format!("map_index={}/", key.map_index)
    } else {
        String::new()
    };
    format!(
        "dag_id={}/run_id={}/task_id={}/{map_index}attempt={try_number}.log",
        key.dag_id, key.run_id, key.task_id
    )
    .replace(':', "_")
}

/// A try's log through the REST API: the first read returns everything, later reads pass the
/// continuation token and return only new lines, until Airflow says the log ended.
struct RestTaskLog {
    airflow: Airflow,
    key: TaskKey,
    try_number: u32,
    token: Option<String>,
    finished: bool,
}

impl RestTaskLog {
    fn new(airflow: Airflow, key: TaskKey, try_number: u32) -> Self {
        Self {
            airflow,
            key,
            try_number,
            token: None,
            finished: false,
        }
    }

    async fn fetch(&mut self) -> Result<LogChunk, UiError> {
        let chunk = self
            .airflow
            .task_log(&self.key, self.try_number, self.token.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        if chunk.continuation_token.is_some() {
            self.token = chunk.continuation_token;
        }
        self.finished = chunk.end_of_log;
        Ok(LogChunk::new(
            chunk.lines.into_iter().map(LogLine::new).collect(),
        ))
    }
}

impl LogSource for RestTaskLog {
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, UiError>> {
        Box::pin(self.fetch())
    }

    fn is_finished(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mwaa_stream_names_replace_colons() {
        let key = TaskKey {
            dag_id: "prepare_data_nyc".into(),
            run_id: "manual__2026-11-24T04:00:00+00:00".into(),
            task_id: "crawl_data_nyc".into(),
            map_index: -1,
        };
        assert_eq!(
            task_log_stream(&key, 2),
            "dag_id=prepare_data_nyc/run_id=manual__2026-11-24T04_00_00+00_00/\
             task_id=crawl_data_nyc/attempt=2.log"
        );
        let mapped = TaskKey {
            map_index: 3,
            ..key
        };
        assert!(task_log_stream(&mapped, 1)
            .ends_with("/task_id=crawl_data_nyc/map_index=3/attempt=1.log"));
    }
}
