//! Which AWS resource a task instance drove, read from what Airflow itself recorded about it
//! ([`TaskRecord`]): the XCom return value and the keys the amazon provider's extra links store
//! (`glue_job_run_details`, `emr_cluster`...), the links' URLs, and the rendered template
//! fields (a sensor's `job_flow_id` and `step_id`, an S3 sensor's `bucket_key`). Pure: nothing
//! here talks to the network.
//!
//! | operator | the resource | from |
//! | --- | --- | --- |
//! | GlueJobOperator | Glue job run | `glue_job_run_details` / `glue_job_run_id` XCom, its link, the return value |
//! | GlueCrawlerOperator, GlueCrawlerRunOperator | crawler | return value, `crawler_name` / `config.Name` |
//! | EmrCreateJobFlowOperator | cluster | return value, `emr_cluster` XCom, its link |
//! | EmrAddStepsOperator | step | return value (step ids), `job_flow_id` |
//! | EmrStepSensor | step | `job_flow_id` and `step_id` |
//! | EmrTerminateJobFlowOperator, other EMR tasks | cluster | `emr_cluster` XCom, its link, `job_flow_id` |
//! | RedshiftDataOperator | SQL statement | return value (statement ids); a failed one records none there: its log says it |
//! | S3KeySensor | S3 key | `bucket_name` and `bucket_key` |

use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::Value;

use crate::airflow::TaskRecord;

/// An AWS resource a task drove.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinkKind {
    GlueRun {
        job: String,
        run_id: String,
    },
    Crawler {
        name: String,
    },
    EmrCluster {
        id: String,
    },
    EmrStep {
        cluster: String,
        step: String,
    },
    SqlStatement {
        id: String,
    },
    /// `key` may hold wildcards (`*`, `?`), as the sensor waits for any match.
    S3Key {
        bucket: String,
        key: String,
    },
}

impl LinkKind {
    /// How people name it: `glue run jr_0a1b…`, `emr step s-1 of j-2`.
    pub fn describe(&self) -> String {
        match self {
            LinkKind::GlueRun { job, run_id } => format!("glue run {run_id} of {job}"),
            LinkKind::Crawler { name } => format!("crawler {name}"),
            LinkKind::EmrCluster { id } => format!("emr cluster {id}"),
            LinkKind::EmrStep { cluster, step } => format!("emr step {step} of {cluster}"),
            LinkKind::SqlStatement { id } => format!("sql statement {id}"),
            LinkKind::S3Key { bucket, key } => format!("s3://{bucket}/{key}"),
        }
    }
}

/// What a record says about the resource: the resource itself, or (a Redshift Data task that
/// failed: it records no statement id) that the statement's id is in the task's own log, where
/// the provider's hook writes `Polling statement <id>` on every version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clue {
    Resource(LinkKind),
    SqlStatementInLog,
}

/// Link names and XCom keys of the amazon provider's extra links.
const GLUE_RUN_LINK: &str = "AWS Glue Job Run Details";
const GLUE_RUN_KEY: &str = "glue_job_run_details";
const EMR_CLUSTER_LINK: &str = "EMR Cluster";
const EMR_CLUSTER_KEY: &str = "emr_cluster";

/// The resource `record`'s task drove; `None` for a task that drove none (or never ran).
pub fn clue(record: &TaskRecord) -> Option<Clue> {
    if record.instance.try_number == 0 {
        return None; // it never ran (upstream failed, skipped, not yet)
    }
    let operator = record.instance.operator.as_deref().unwrap_or_default();
    let returned = record.xcom("return_value");
    if let Some(run) = glue_run(record, operator) {
        return Some(Clue::Resource(run));
    }
    if operator.contains("GlueCrawler") {
        let name = returned
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| rendered_text(record, "crawler_name"))
            .or_else(|| {
                let config = record.rendered("config")?;
                text_in(config, "Name")
            });
        return name.map(|name| Clue::Resource(LinkKind::Crawler { name }));
    }
    if operator.contains("RedshiftData") {
        return sql_statement(returned);
    }
    if operator.contains("S3KeySensor") {
        return s3_key(record).map(Clue::Resource);
    }
    emr(record, operator, returned).map(Clue::Resource)
}

/// GlueJobOperator's run: the link's XCom (`{job_name, job_run_id}`), the `glue_job_run_id`
/// XCom, the link's URL (`…#/job/<job>/run/<run>`), or the return value with the rendered
/// `job_name`.
fn glue_run(record: &TaskRecord, operator: &str) -> Option<LinkKind> {
    let details = record.xcom(GLUE_RUN_KEY);
    let from_url = record.link(GLUE_RUN_LINK).and_then(glue_run_of_url);
    let job = details
        .and_then(|d| text_in(d, "job_name"))
        .or_else(|| rendered_text(record, "job_name"))
        .or_else(|| from_url.as_ref().map(|(job, _)| job.clone()))
        .map(|job| decoded(&job))?;
    let run_id = details
        .and_then(|d| text_in(d, "job_run_id"))
        .or_else(|| record.xcom("glue_job_run_id")?.as_str().map(str::to_owned))
        .or_else(|| from_url.map(|(_, run)| run))
        .or_else(|| {
            let returned = record.xcom("return_value")?.as_str()?;
            (operator.contains("GlueJob") && returned.starts_with("jr_"))
                .then(|| returned.to_owned())
        })?;
    Some(LinkKind::GlueRun { job, run_id })
}

/// `(job, run id)` of a Glue job run console URL.
fn glue_run_of_url(url: &str) -> Option<(String, String)> {
    let (_, path) = url.split_once("#/job/")?;
    let (job, rest) = path.split_once("/run/")?;
    let run = rest.split(['/', '?', '&']).next()?;
    (!job.is_empty() && !run.is_empty()).then(|| (decoded(job), run.to_owned()))
}

/// An EMR step (sensor: rendered `job_flow_id` and `step_id`; add-steps: the returned ids) or,
/// failing that, the cluster of an EMR task.
fn emr(record: &TaskRecord, operator: &str, returned: Option<&Value>) -> Option<LinkKind> {
    if !operator.starts_with("Emr") && record.xcom(EMR_CLUSTER_KEY).is_none() {
        return None;
    }
    let returned_text = returned.and_then(Value::as_str);
    let cluster = rendered_text(record, "job_flow_id")
        .or_else(|| {
            record
                .xcom(EMR_CLUSTER_KEY)
                .and_then(|c| text_in(c, "job_flow_id"))
        })
        .or_else(|| {
            let url = record.link(EMR_CLUSTER_LINK)?;
            let id = url
                .split("clusterDetails/")
                .nth(1)?
                .split(['/', '?', '&'])
                .next()?;
            (!id.is_empty()).then(|| id.to_owned())
        })
        .or_else(|| {
            returned_text
                .filter(|id| id.starts_with("j-"))
                .map(str::to_owned)
        })
        .or_else(|| record.xcom("job_flow_id")?.as_str().map(str::to_owned))?;
    let step = rendered_text(record, "step_id").or_else(|| {
        let ids = returned?.as_array()?;
        ids.iter()
            .filter_map(Value::as_str)
            .find(|id| id.starts_with("s-"))
            .map(str::to_owned)
    });
    Some(match step {
        Some(step) => LinkKind::EmrStep { cluster, step },
        None => LinkKind::EmrCluster { id: cluster },
    })
}

/// RedshiftDataOperator: the returned statement id(s) (9.x returns the sub-statement ids
/// `<batch>:<n>` of a batch: the batch is what failed or succeeded as one), else its log.
fn sql_statement(returned: Option<&Value>) -> Option<Clue> {
    let first = match returned {
        Some(Value::String(id)) => Some(id.as_str()),
        Some(Value::Array(ids)) => ids.iter().find_map(Value::as_str),
        _ => None,
    };
    match first.filter(|id| !id.is_empty()) {
        Some(id) => Some(Clue::Resource(LinkKind::SqlStatement {
            id: batch_of(id).to_owned(),
        })),
        None => Some(Clue::SqlStatementInLog),
    }
}

/// A batch's id from one of its sub-statements' (`<batch>:<n>`).
fn batch_of(id: &str) -> &str {
    match id.rsplit_once(':') {
        Some((batch, n)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => batch,
        _ => id,
    }
}

/// The statement a Redshift Data task submitted, from its log: the last
/// `Polling statement <id>` the provider's hook wrote (raw lines: a JSON record holds it too).
pub fn statement_in_log<S: AsRef<str>>(lines: &[S]) -> Option<String> {
    const MARK: &str = "Polling statement ";
    lines.iter().rev().find_map(|line| {
        let line = line.as_ref();
        let at = line.rfind(MARK)? + MARK.len();
        let id: String = line[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
            .collect();
        (!id.is_empty()).then(|| batch_of(&id).to_owned())
    })
}

/// S3KeySensor: `bucket_key` (the first, if several), an `s3://` URL or a key in `bucket_name`.
fn s3_key(record: &TaskRecord) -> Option<LinkKind> {
    let key = match record.rendered("bucket_key")? {
        Value::String(key) => key.clone(),
        Value::Array(keys) => keys.iter().find_map(Value::as_str)?.to_owned(),
        _ => return None,
    };
    if let Some(url) = key.strip_prefix("s3://") {
        let (bucket, key) = url.split_once('/').unwrap_or((url, ""));
        return Some(LinkKind::S3Key {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        });
    }
    let bucket = rendered_text(record, "bucket_name")?;
    Some(LinkKind::S3Key { bucket, key })
}

fn rendered_text(record: &TaskRecord, field: &str) -> Option<String> {
    record
        .rendered(field)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "None")
        .map(str::to_owned)
}

fn text_in(value: &Value, field: &str) -> Option<String> {
    value
        .get(field)?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Provider 9.x percent-encodes the job name it stores for the link.
fn decoded(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::airflow::{ExtraLink, State, TaskInstance, TaskKey, XComEntry};
    use serde_json::json;

    fn record(operator: &str, rendered: Value, xcom: Value, links: &[(&str, &str)]) -> TaskRecord {
        let key = TaskKey {
            dag_id: "d".into(),
            run_id: "r".into(),
            task_id: "t".into(),
            map_index: -1,
        };
        let mut instance = TaskInstance::new(key, State::Failed, 1);
        instance.operator = Some(operator.into());
        TaskRecord {
            instance,
            rendered_fields: rendered.as_object().cloned().unwrap_or_default(),
            xcom: xcom
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| XComEntry {
                            key: k.clone(),
                            value: v.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            links: links
                .iter()
                .map(|(name, url)| ExtraLink {
                    name: (*name).into(),
                    url: Some((*url).into()),
                })
                .collect(),
            xcom_left_out: 0,
        }
    }

    fn resource(clue: Option<Clue>) -> LinkKind {
        match clue {
            Some(Clue::Resource(kind)) => kind,
            other => panic!("not a resource: {other:?}"),
        }
    }

    #[test]
    fn a_failed_glue_task_is_found_by_its_link_alone() {
        let url = "https://console.aws.amazon.com/gluestudio/home?region=us-east-1#/job/nyc%20job/run/jr_0a1b";
        let failed = record(
            "GlueJobOperator",
            json!({}),
            json!({}),
            &[(GLUE_RUN_LINK, url)],
        );
        assert_eq!(
            resource(clue(&failed)),
            LinkKind::GlueRun {
                job: "nyc job".into(),
                run_id: "jr_0a1b".into()
            }
        );
        let by_xcom = record(
            "GlueJobOperator",
            json!({"job_name": "ignored"}),
            json!({"glue_job_run_details": {"job_name": "nyc%2Djob", "job_run_id": "jr_9"}}),
            &[],
        );
        assert_eq!(
            resource(clue(&by_xcom)),
            LinkKind::GlueRun {
                job: "nyc-job".into(),
                run_id: "jr_9".into()
            }
        );
        let returned = record(
            "GlueJobOperator",
            json!({"job_name": "j"}),
            json!({"return_value": "jr_7"}),
            &[],
        );
        assert_eq!(
            resource(clue(&returned)),
            LinkKind::GlueRun {
                job: "j".into(),
                run_id: "jr_7".into()
            }
        );
    }

    #[test]
    fn emr_tasks_name_their_step_or_cluster() {
        let sensor = record(
            "EmrStepSensor",
            json!({"job_flow_id": "j-1", "step_id": "s-2"}),
            json!({}),
            &[],
        );
        assert_eq!(
            resource(clue(&sensor)),
            LinkKind::EmrStep {
                cluster: "j-1".into(),
                step: "s-2".into()
            }
        );
        let add = record(
            "EmrAddStepsOperator",
            json!({"job_flow_id": "j-1"}),
            json!({"return_value": ["s-3"]}),
            &[],
        );
        assert!(matches!(resource(clue(&add)), LinkKind::EmrStep { step, .. } if step == "s-3"));
        let create = record(
            "EmrCreateJobFlowOperator",
            json!({}),
            json!({"return_value": "j-4"}),
            &[],
        );
        assert_eq!(
            resource(clue(&create)),
            LinkKind::EmrCluster { id: "j-4".into() }
        );
        let terminate = record(
            "EmrTerminateJobFlowOperator",
            json!({"job_flow_id": "None"}),
            json!({}),
            &[(
                EMR_CLUSTER_LINK,
                "https://x/emr/home?region=r#/clusterDetails/j-5",
            )],
        );
        assert_eq!(
            resource(clue(&terminate)),
            LinkKind::EmrCluster { id: "j-5".into() }
        );
    }

    #[test]
    fn sql_statements_by_id_or_by_name() {
        let done = record(
            "RedshiftDataOperator",
            json!({}),
            json!({"return_value": ["e1f2:1", "e1f2:2"]}),
            &[],
        );
        assert_eq!(
            resource(clue(&done)),
            LinkKind::SqlStatement { id: "e1f2".into() }
        );
        let failed = record(
            "RedshiftDataOperator",
            json!({"cluster_identifier": "wh"}),
            json!({}),
            &[],
        );
        assert_eq!(clue(&failed), Some(Clue::SqlStatementInLog));
        let log = [
            "[2026-11-24, 04:00:01 UTC] {redshift_data.py:113} INFO - Polling statement e1f2-a3",
            r#"{"event": "Polling statement c17a-b4fc:2", "level": "info"}"#,
            "Query status: FAILED",
        ];
        assert_eq!(statement_in_log(&log).as_deref(), Some("c17a-b4fc"));
        assert_eq!(statement_in_log(&log[..1]).as_deref(), Some("e1f2-a3"));
        assert_eq!(statement_in_log(&["nothing here"]), None);
    }

    #[test]
    fn crawlers_s3_keys_and_tasks_without_a_resource() {
        let crawl = record(
            "GlueCrawlerOperator",
            json!({"config": {"Name": "raw"}}),
            json!({}),
            &[],
        );
        assert_eq!(
            resource(clue(&crawl)),
            LinkKind::Crawler { name: "raw".into() }
        );
        let sensor = record(
            "S3KeySensor",
            json!({"bucket_key": "s3://lake/raw/*.csv", "bucket_name": null}),
            json!({}),
            &[],
        );
        assert_eq!(
            resource(clue(&sensor)),
            LinkKind::S3Key {
                bucket: "lake".into(),
                key: "raw/*.csv".into()
            }
        );
        let bash = record(
            "BashOperator",
            json!({"bash_command": "echo j-1"}),
            json!({"return_value": "j-1"}),
            &[],
        );
        assert_eq!(clue(&bash), None, "a return value alone says nothing");
    }
}
