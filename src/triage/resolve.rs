//! A task's AWS resource looked up in its own service: its state, the first line of its error,
//! and where the root-cause log is (the Glue run's error log, the EMR step's stderr, the SQL
//! statement's error text), through the UI-free AWS clients.

use serde::Serialize;

use super::error_line;
use super::link::{clue, statement_in_log, Clue, LinkKind};
use crate::airflow::{Airflow, TaskRecord};
use crate::aws::emr::{StepLog, StepLogKind};
use crate::aws::glue::{RunState, ERROR_LOG_GROUP};
use crate::aws::redshift::StatementState;
use crate::clients::Clients;
use crate::logs::airflow::task_log_source;
use crate::logs::{CloudWatchSource, LogLine, LogSource, MemorySource, S3ObjectSource};

/// Lines read from the end of a log to find its error line.
const TAIL_LINES: i32 = 200;
/// Keys listed to see whether an S3 sensor's key pattern matches.
const S3_KEYS_LISTED: u32 = 1000;

/// A task's AWS resource, as its service sees it now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskLink {
    #[serde(flatten)]
    pub kind: LinkKind,
    /// The service's word for it (`FAILED`, `COMPLETED`, `TERMINATED_WITH_ERRORS`…); `None` when
    /// it could not be looked up (see `lookup_error`).
    pub state: Option<String>,
    /// It ended in a failure.
    pub failed: bool,
    /// The first line of what went wrong, as the service or the root-cause log says it.
    pub first_error: Option<String>,
    /// Where the whole story is.
    pub root_cause: Option<LogRef>,
    /// Why the resource could not be looked up (it is named, but its service did not answer).
    pub lookup_error: Option<String>,
}

impl TaskLink {
    fn named(kind: LinkKind) -> Self {
        TaskLink {
            kind,
            state: None,
            failed: false,
            first_error: None,
            root_cause: None,
            lookup_error: None,
        }
    }

    /// One line: `glue run jr_… of job FAILED: KeyError: 'fare_amount'` (raw: sanitize to draw).
    pub fn summary(&self) -> String {
        self.summary_naming(self.kind.describe())
    }

    /// As [`TaskLink::summary`], with the resource named `name` (a short form for a cell).
    pub fn summary_naming(&self, name: String) -> String {
        let mut line = name;
        match (&self.state, &self.lookup_error) {
            (Some(state), _) => {
                line.push(' ');
                line.push_str(state);
            }
            (None, Some(error)) => {
                line.push_str(" (not looked up: ");
                line.push_str(error);
                line.push(')');
            }
            (None, None) => {}
        }
        if let Some(error) = &self.first_error {
            line.push_str(": ");
            line.push_str(error);
        }
        line
    }
}

/// Where a root-cause log is, for a view to open ([`LogRef::source`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogRef {
    /// A CloudWatch Logs stream (a Glue run's error log, a crawl's log).
    #[serde(rename = "cloudwatch")]
    CloudWatch { group: String, stream: String },
    /// An S3 object, gzipped or not (an EMR step's `stderr.gz`).
    S3Object { bucket: String, key: String },
    /// Text the service returned itself (a SQL statement's error).
    Text { lines: Vec<String> },
}

impl LogRef {
    /// `cloudwatch /aws-glue/jobs/error jr_…`, `s3://logs/j-1/steps/s-2/stderr.gz`.
    pub fn describe(&self) -> String {
        match self {
            LogRef::CloudWatch { group, stream } => format!("cloudwatch {group} {stream}"),
            LogRef::S3Object { bucket, key } => format!("s3://{bucket}/{key}"),
            LogRef::Text { .. } => "the service's error text".into(),
        }
    }

    /// The log as a source for the log viewer; `live` while the resource still runs.
    pub fn source(&self, clients: &Clients, live: bool) -> Box<dyn LogSource> {
        match self {
            LogRef::CloudWatch { group, stream } => Box::new(CloudWatchSource::new(
                clients.logs.clone(),
                group,
                stream,
                live,
            )),
            LogRef::S3Object { bucket, key } => Box::new(S3ObjectSource::new(
                clients.s3.clone(),
                bucket.clone(),
                key.clone(),
                live,
            )),
            LogRef::Text { lines } => Box::new(MemorySource::finished(
                lines.iter().map(LogLine::new).collect(),
            )),
        }
    }
}

/// The resource `record`'s task drove, looked up; `None` when it drove none. `airflow` is the
/// environment the task ran in (a failed Redshift Data task names its statement only in its log).
pub async fn resolve(
    record: &TaskRecord,
    airflow: &Airflow,
    clients: &Clients,
) -> Option<TaskLink> {
    match clue(record)? {
        Clue::Resource(kind) => Some(look_up(kind, clients).await),
        Clue::SqlStatementInLog => Some(statement_of_log(record, airflow, clients).await),
    }
}

/// The statement a Redshift Data task's log names, looked up.
async fn statement_of_log(record: &TaskRecord, airflow: &Airflow, clients: &Clients) -> TaskLink {
    let ti = &record.instance;
    let mut source = task_log_source(
        airflow.clone(),
        clients.logs.clone(),
        ti.key.clone(),
        ti.try_number,
        false,
    );
    let id = match source.fetch_next().await {
        Ok(chunk) => {
            let lines: Vec<String> = chunk.lines.into_iter().map(|l| l.text).collect();
            statement_in_log(&lines).ok_or("its log names no statement".to_owned())
        }
        Err(e) => Err(format!("its log could not be read: {e}")),
    };
    match id {
        Ok(id) => look_up(LinkKind::SqlStatement { id }, clients).await,
        Err(error) => {
            let mut link = TaskLink::named(LinkKind::SqlStatement {
                id: format!("of {}", ti.key.task_id),
            });
            link.lookup_error = Some(error);
            link
        }
    }
}

/// `kind` looked up in its service; a failed lookup is said in `lookup_error`.
pub async fn look_up(kind: LinkKind, clients: &Clients) -> TaskLink {
    let mut link = TaskLink::named(kind.clone());
    let found = match &kind {
        LinkKind::GlueRun { job, run_id } => glue_run(&mut link, job, run_id, clients).await,
        LinkKind::Crawler { name } => crawler(&mut link, name, clients).await,
        LinkKind::EmrCluster { id } => emr_cluster(&mut link, id, clients).await,
        LinkKind::EmrStep { cluster, step } => emr_step(&mut link, cluster, step, clients).await,
        LinkKind::SqlStatement { id } => sql_statement(&mut link, id, clients).await,
        LinkKind::S3Key { bucket, key } => s3_key(&mut link, bucket, key, clients).await,
    };
    if let Err(error) = found {
        link.lookup_error = Some(error);
    }
    link
}

async fn glue_run(
    link: &mut TaskLink,
    job: &str,
    run_id: &str,
    clients: &Clients,
) -> Result<(), String> {
    let run = clients
        .glue
        .job_run(job, run_id)
        .await
        .map_err(|e| e.to_string())?;
    link.failed = run.run_state() == RunState::Failed;
    link.state = Some(run.state.clone());
    let log = LogRef::CloudWatch {
        group: ERROR_LOG_GROUP.into(),
        stream: run.id.clone(),
    };
    link.first_error = run.error.as_deref().and_then(error_line::first_line);
    if link.failed && link.first_error.is_none() {
        link.first_error = error_in_log(&log, clients).await;
    }
    link.root_cause = Some(log);
    Ok(())
}

async fn crawler(link: &mut TaskLink, name: &str, clients: &Clients) -> Result<(), String> {
    let crawler = clients
        .glue
        .crawler(name)
        .await
        .map_err(|e| e.to_string())?;
    let last = crawler.last_crawl.as_ref();
    link.state = Some(match last {
        Some(crawl) if crawler.state == "READY" => format!("last crawl {}", crawl.status),
        _ => crawler.state.clone(),
    });
    link.failed = crawler.state == "READY" && last.is_some_and(|c| c.status == "FAILED");
    if let Some(crawl) = last {
        link.first_error = crawl.error.as_deref().and_then(error_line::first_line);
        if let (Some(group), Some(stream)) = (&crawl.log_group, &crawl.log_stream) {
            link.root_cause = Some(LogRef::CloudWatch {
                group: group.clone(),
                stream: stream.clone(),
            });
        }
    }
    Ok(())
}

/// A cluster; one that ended with errors because a step failed stands for that step (the
/// newest failed one), whose error and stderr say why.
async fn emr_cluster(link: &mut TaskLink, id: &str, clients: &Clients) -> Result<(), String> {
    let cluster = clients
        .emr
        .describe_cluster(id)
        .await
        .map_err(|e| e.to_string())?;
    link.failed = cluster.state == "TERMINATED_WITH_ERRORS";
    if link.failed {
        let steps = clients
            .emr
            .list_steps(id)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(step) = steps
            .iter()
            .filter(|s| s.state == "FAILED")
            .max_by_key(|s| s.ended)
        {
            link.kind = LinkKind::EmrStep {
                cluster: id.to_owned(),
                step: step.id.clone(),
            };
            return emr_step(link, id, &step.id, clients).await;
        }
        link.first_error = cluster.state_reason.clone();
    }
    link.state = Some(cluster.state);
    Ok(())
}

async fn emr_step(
    link: &mut TaskLink,
    cluster_id: &str,
    step_id: &str,
    clients: &Clients,
) -> Result<(), String> {
    let (step, cluster) = futures::join!(
        clients.emr.describe_step(cluster_id, step_id),
        clients.emr.describe_cluster(cluster_id)
    );
    let step = step.map_err(|e| e.to_string())?;
    link.failed = step.state == "FAILED";
    link.state = Some(step.state.clone());
    let failure = step.failure.as_ref();
    let log_file = failure.and_then(|f| f.log_file.as_deref());
    let stderr = cluster.ok().and_then(|c| {
        StepLog::locate(
            c.log_uri.as_deref()?,
            cluster_id,
            step_id,
            StepLogKind::Stderr,
        )
    });
    let log = match (log_file.and_then(s3_location), stderr) {
        (Some((bucket, key)), _) => Some(LogRef::S3Object { bucket, key }),
        (None, Some(stderr)) => Some(LogRef::S3Object {
            bucket: stderr.bucket,
            key: stderr.key,
        }),
        (None, None) => None,
    };
    link.first_error = failure
        .and_then(|f| f.message.as_deref().or(f.reason.as_deref()))
        .and_then(error_line::first_line);
    if link.failed && link.first_error.is_none() {
        if let Some(log) = &log {
            link.first_error = error_in_log(log, clients).await;
        }
    }
    link.root_cause = log;
    Ok(())
}

async fn sql_statement(link: &mut TaskLink, id: &str, clients: &Clients) -> Result<(), String> {
    let statement = clients
        .redshift
        .describe_statement(id)
        .await
        .map_err(|e| e.to_string())?;
    link.failed = matches!(
        statement.state,
        StatementState::Failed | StatementState::Aborted
    );
    link.state = Some(statement.state.as_str().to_owned());
    if let Some(error) = &statement.error {
        link.first_error = error_line::first_line(error);
        let mut lines: Vec<String> = error.lines().map(str::to_owned).collect();
        lines.push(String::new());
        lines.extend(statement.sql.lines().map(str::to_owned));
        link.root_cause = Some(LogRef::Text { lines });
    }
    Ok(())
}

async fn s3_key(
    link: &mut TaskLink,
    bucket: &str,
    pattern: &str,
    clients: &Clients,
) -> Result<(), String> {
    let literal = pattern.split(['*', '?', '[']).next().unwrap_or_default();
    let page = clients
        .s3
        .list_page(bucket, literal, None, None, Some(S3_KEYS_LISTED))
        .await
        .map_err(|e| e.to_string())?;
    let matching = page
        .entries
        .iter()
        .filter(|entry| glob_match(pattern, entry.key()))
        .count();
    let more = if page.next_token.is_some() { "+" } else { "" };
    link.state = Some(match matching {
        0 => "no object matches".to_owned(),
        1 => "1 object".to_owned(),
        n => format!("{n}{more} objects"),
    });
    Ok(())
}

/// `s3://bucket/key` as (bucket, key).
fn s3_location(url: &str) -> Option<(String, String)> {
    let path = ["s3://", "s3n://", "s3a://"]
        .iter()
        .find_map(|scheme| url.strip_prefix(scheme))?;
    let (bucket, key) = path.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then(|| (bucket.to_owned(), key.to_owned()))
}

/// The error line of a log's last lines (`None` when it cannot be read or says none).
async fn error_in_log(log: &LogRef, clients: &Clients) -> Option<String> {
    let lines: Vec<String> = match log {
        LogRef::CloudWatch { group, stream } => clients
            .logs
            .last_events(group, stream, TAIL_LINES)
            .await
            .ok()?
            .into_iter()
            .flat_map(|e| e.message.lines().map(str::to_owned).collect::<Vec<_>>())
            .collect(),
        LogRef::S3Object { .. } => {
            let mut source = log.source(clients, false);
            let chunk = source.fetch_next().await.ok()?;
            chunk.lines.into_iter().map(|l| l.text).collect()
        }
        LogRef::Text { lines } => lines.clone(),
    };
    error_line::in_log(&lines)
}

/// Shell-style matching as S3KeySensor's `wildcard_match` does it (fnmatch): `*` any run of
/// characters (`/` included), `?` any one character.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    pi = star_p + 1;
                    ti = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_fnmatch() {
        assert!(glob_match("raw/green/*.csv", "raw/green/a.csv"));
        assert!(glob_match("raw/*.csv", "raw/deep/a.csv"));
        assert!(!glob_match("raw/*.csv", "raw/a.parquet"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn summaries_read_as_one_line() {
        let mut link = TaskLink::named(LinkKind::GlueRun {
            job: "j".into(),
            run_id: "jr_1".into(),
        });
        assert_eq!(link.summary(), "glue run jr_1 of j");
        link.state = Some("FAILED".into());
        link.first_error = Some("KeyError: 'fare_amount'".into());
        assert_eq!(
            link.summary(),
            "glue run jr_1 of j FAILED: KeyError: 'fare_amount'"
        );
        link.state = None;
        link.first_error = None;
        link.lookup_error = Some("Glue: GetJobRun: denied".into());
        assert_eq!(
            link.summary(),
            "glue run jr_1 of j (not looked up: Glue: GetJobRun: denied)"
        );
        assert_eq!(
            s3_location("s3://logs/j-1/steps/s-2/stderr.gz"),
            Some(("logs".into(), "j-1/steps/s-2/stderr.gz".into()))
        );
        assert_eq!(s3_location("hdfs:///x"), None);
    }
}
