//! Every Airflow action of the console, each through the gate (`gate::catalog::AIRFLOW_*`):
//! trigger with conf, pause/unpause, clear a task (with downstream/upstream, after a dry run
//! whose list appears in the confirmation), clear a whole run (dry run too), mark a task
//! success or failed.

use std::sync::Arc;

use super::conf as airflow_conf;
use super::format::{connect, listed, task_label};
use crate::airflow::{ClearTasks, Dag, MarkState, TaskInstance};
use crate::app::view::{Ctx, Outcome, Prompt};
use crate::clients::Clients;
use crate::errors::UiError;
use crate::gate::{catalog, ActionRequest};

/// At most this many task instances are listed in a confirmation.
const LISTED: usize = 15;

/// The environment a view acts on: the clients and the environment's name.
#[derive(Clone)]
pub struct Target {
    pub clients: Arc<Clients>,
    pub env: Option<String>,
}

impl Target {
    pub fn of(cx: &Ctx, env: &Option<String>) -> Option<Self> {
        Some(Self {
            clients: cx.clients()?,
            env: env.clone(),
        })
    }

    /// What an action applies to, as the confirmation and the audit record name it: the
    /// environment is part of it when the view names one (`prepare_data_nyc @nyctaxi-prod`).
    pub fn names(&self, what: impl Into<String>) -> String {
        let what = what.into();
        match &self.env {
            Some(env) => format!("{what} @{env}"),
            None => what,
        }
    }
}

/// `space` on a DAG: pause it, or unpause a paused one.
pub fn toggle_pause(target: Target, dag: &Dag) -> Outcome {
    let pause = !dag.is_paused;
    let spec = if pause {
        &catalog::AIRFLOW_PAUSE
    } else {
        &catalog::AIRFLOW_UNPAUSE
    };
    let dag_id = dag.dag_id.clone();
    Outcome::Act(ActionRequest::new(
        spec,
        target.names(&dag_id),
        move |approval| {
            Box::pin(async move {
                let airflow = connect(&target.clients, target.env.as_deref()).await?;
                airflow.set_paused(&approval, &dag_id, pause).await?;
                Ok(format!(
                    "{dag_id} {}",
                    if pause { "paused" } else { "unpaused" }
                ))
            })
        },
    ))
}

/// What `t` triggers: a DAG, and whether it is known to be paused (its run would wait).
#[derive(Clone)]
pub struct TriggerOf {
    pub target: Target,
    pub dag_id: String,
    pub paused: bool,
}

/// `t` on a DAG or its runs: asks for the conf (`{}` to start with), checks it is a JSON object,
/// and triggers. A bad conf asks again with the reason and the text as typed.
pub fn trigger(what: TriggerOf) -> Outcome {
    Outcome::Ask(conf_prompt(what, "{}".into(), None))
}

fn conf_prompt(what: TriggerOf, text: String, error: Option<String>) -> Prompt {
    let dag_id = &what.dag_id;
    let title = match (&error, what.paused) {
        (Some(e), _) => format!("{e} — fix it, enter to trigger {dag_id}, esc to give up"),
        (None, false) => format!("Trigger {dag_id} with conf (a JSON object)"),
        (None, true) => format!(
            "Trigger {dag_id} with conf (a JSON object) — it is paused: the run waits until unpaused"
        ),
    };
    Prompt::new(title, text, move |typed| {
        match airflow_conf::parse(&typed) {
            Ok(conf) => Outcome::Act(trigger_request(what.target, what.dag_id, conf)),
            Err(e) => Outcome::Ask(conf_prompt(what, typed, Some(e))),
        }
    })
    .text()
    .history("airflow-conf")
}

fn trigger_request(target: Target, dag_id: String, conf: serde_json::Value) -> ActionRequest {
    let shown = conf.to_string();
    ActionRequest::new(
        &catalog::AIRFLOW_TRIGGER,
        target.names(&dag_id),
        move |approval| {
            Box::pin(async move {
                let airflow = connect(&target.clients, target.env.as_deref()).await?;
                let run = airflow.trigger(&approval, &dag_id, conf).await?;
                Ok(format!("triggered {dag_id}: {}", run.run_id))
            })
        },
    )
    .with_detail(format!("conf {shown}"))
}

/// Which relatives of a cleared task rerun with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClearOptions {
    pub downstream: bool,
    pub upstream: bool,
}

impl ClearOptions {
    /// Reads `d`, `u`, `du`/`ud`, words (`downstream`, `upstream`, `both`, `none`), or nothing.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut options = Self::default();
        for word in text
            .split(|c: char| c.is_whitespace() || c == ',' || c == '+')
            .filter(|w| !w.is_empty())
        {
            match word.to_ascii_lowercase().as_str() {
                "downstream" | "down" => options.downstream = true,
                "upstream" | "up" => options.upstream = true,
                "both" => {
                    options.downstream = true;
                    options.upstream = true;
                }
                "none" | "only" | "-" => {}
                letters if letters.chars().all(|c| c == 'd' || c == 'u') => {
                    options.downstream |= letters.contains('d');
                    options.upstream |= letters.contains('u');
                }
                other => {
                    return Err(format!(
                        "'{other}': answer d (downstream), u (upstream), du (both) or nothing"
                    ))
                }
            }
        }
        Ok(options)
    }

    pub fn describe(self) -> &'static str {
        match (self.downstream, self.upstream) {
            (false, false) => "only this task",
            (true, false) => "with downstream",
            (false, true) => "with upstream",
            (true, true) => "with upstream and downstream",
        }
    }
}

/// `x` on a task instance: which relatives too (nothing typed in advance, so the README's
/// `x d enter` answers `d`), then a dry run whose list
/// is shown in the confirmation, then the real clear on `y`.
pub fn clear_task(target: Target, ti: &TaskInstance) -> Outcome {
    let ti = ti.clone();
    Outcome::Ask(Prompt::new(
        format!(
            "Clear {}: also d(ownstream), u(pstream), du, or empty for only this task",
            task_label(&ti)
        ),
        "",
        move |answer| match ClearOptions::parse(&answer) {
            Ok(options) => Outcome::later(
                "dry run: listing what would be cleared…",
                dry_run_task(target, ti, options),
            ),
            Err(e) => Outcome::Flash(Err(e)),
        },
    ))
}

fn clear_request(ti: &TaskInstance, options: ClearOptions) -> ClearTasks {
    ClearTasks {
        run_id: ti.key.run_id.clone(),
        task_ids: vec![ti.key.task_id.clone()],
        include_downstream: options.downstream,
        include_upstream: options.upstream,
        only_failed: false,
    }
}

async fn dry_run_task(target: Target, ti: TaskInstance, options: ClearOptions) -> Outcome {
    let dag_id = ti.key.dag_id.clone();
    let listed = async {
        let airflow = connect(&target.clients, target.env.as_deref()).await?;
        airflow
            .would_clear_tasks(&dag_id, &clear_request(&ti, options))
            .await
            .map_err(UiError::from)
    };
    match listed.await {
        Ok(would) => Outcome::Act(clear_task_request(target, &ti, options, &would)),
        Err(e) => Outcome::Flash(Err(format!("dry run failed, nothing cleared: {e}"))),
    }
}

/// The confirmation of clearing `ti`: the dry run's list of task instances that will rerun.
pub fn clear_task_request(
    target: Target,
    ti: &TaskInstance,
    options: ClearOptions,
    would_clear: &[TaskInstance],
) -> ActionRequest {
    let request = clear_request(ti, options);
    let dag_id = ti.key.dag_id.clone();
    let label = target.names(format!(
        "{} in {dag_id} {} ({})",
        task_label(ti),
        ti.key.run_id,
        options.describe()
    ));
    let work = move |approval| -> futures::future::BoxFuture<'static, Result<String, UiError>> {
        Box::pin(async move {
            let airflow = connect(&target.clients, target.env.as_deref()).await?;
            let cleared = airflow.clear_tasks(&approval, &dag_id, &request).await?;
            Ok(format!(
                "cleared {} task instance(s) of {dag_id}",
                cleared.len()
            ))
        })
    };
    with_list(
        ActionRequest::new(&catalog::AIRFLOW_CLEAR_TASK, label, work),
        would_clear,
    )
}

/// The dry run's list as confirmation lines.
fn with_list(mut request: ActionRequest, would_clear: &[TaskInstance]) -> ActionRequest {
    request = request.with_detail(format!(
        "dry run: {} task instance(s) will be cleared and rerun:",
        would_clear.len()
    ));
    let lines = would_clear
        .iter()
        .map(|ti| format!("  {} ({})", task_label(ti), ti.state))
        .collect();
    for line in listed(lines, LISTED) {
        request = request.with_detail(line);
    }
    request
}

/// `x` on a run: a dry run of clearing every task of it, then the confirmation with the list.
pub fn clear_run(target: Target, dag_id: &str, run_id: &str) -> Outcome {
    let (dag_id, run_id) = (dag_id.to_owned(), run_id.to_owned());
    Outcome::later("dry run: listing what would be cleared…", async move {
        let listed = async {
            let airflow = connect(&target.clients, target.env.as_deref()).await?;
            airflow
                .would_clear_run(&dag_id, &run_id)
                .await
                .map_err(UiError::from)
        };
        match listed.await {
            Ok(would) => Outcome::Act(clear_run_request(target, &dag_id, &run_id, &would)),
            Err(e) => Outcome::Flash(Err(format!("dry run failed, nothing cleared: {e}"))),
        }
    })
}

pub fn clear_run_request(
    target: Target,
    dag_id: &str,
    run_id: &str,
    would_clear: &[TaskInstance],
) -> ActionRequest {
    let (dag, run) = (dag_id.to_owned(), run_id.to_owned());
    let label = target.names(format!("{dag_id} {run_id}"));
    let work = move |approval| -> futures::future::BoxFuture<'static, Result<String, UiError>> {
        Box::pin(async move {
            let airflow = connect(&target.clients, target.env.as_deref()).await?;
            let cleared = airflow.clear_run(&approval, &dag, &run).await?;
            Ok(format!(
                "cleared {run}: {} task instance(s) rerun",
                cleared.len()
            ))
        })
    };
    with_list(
        ActionRequest::new(&catalog::AIRFLOW_CLEAR_RUN, label, work),
        would_clear,
    )
}

/// `m` / `M` on a task instance: mark it (asks first).
pub fn mark(target: Target, ti: &TaskInstance, state: MarkState) -> Outcome {
    let spec = match state {
        MarkState::Success => &catalog::AIRFLOW_MARK_SUCCESS,
        MarkState::Failed => &catalog::AIRFLOW_MARK_FAILED,
    };
    let key = ti.key.clone();
    let label = target.names(format!(
        "{} in {} {}",
        task_label(ti),
        key.dag_id,
        key.run_id
    ));
    Outcome::Act(
        ActionRequest::new(spec, label, move |approval| {
            Box::pin(async move {
                let airflow = connect(&target.clients, target.env.as_deref()).await?;
                let marked = airflow.mark_task(&approval, &key, state).await?;
                Ok(format!("{} is now {}", key.task_id, marked.state))
            })
        })
        .with_detail(format!("now {}, try {}", ti.state, ti.try_number))
        .with_detail(format!("will be marked {}", state.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(d: bool, u: bool) -> ClearOptions {
        ClearOptions {
            downstream: d,
            upstream: u,
        }
    }

    #[test]
    fn clear_options_read_letters_and_words() {
        assert_eq!(ClearOptions::parse("").unwrap(), opts(false, false));
        assert_eq!(ClearOptions::parse(" d ").unwrap(), opts(true, false));
        assert_eq!(ClearOptions::parse("u").unwrap(), opts(false, true));
        assert_eq!(ClearOptions::parse("du").unwrap(), opts(true, true));
        assert_eq!(ClearOptions::parse("UD").unwrap(), opts(true, true));
        assert_eq!(
            ClearOptions::parse("downstream, upstream").unwrap(),
            opts(true, true)
        );
        assert_eq!(ClearOptions::parse("both").unwrap(), opts(true, true));
        assert_eq!(ClearOptions::parse("none").unwrap(), opts(false, false));
    }

    #[test]
    fn anything_else_is_refused_with_the_choices() {
        let e = ClearOptions::parse("dx").unwrap_err();
        assert!(e.contains("'dx'") && e.contains("du (both)"), "{e}");
        assert!(ClearOptions::parse("yes").is_err());
    }

    #[test]
    fn clearing_a_chosen_task_reruns_it_even_when_it_succeeded() {
        let ti = TaskInstance::new(
            crate::airflow::TaskKey {
                dag_id: "d".into(),
                run_id: "r".into(),
                task_id: "t".into(),
                map_index: -1,
            },
            crate::airflow::State::Success,
            1,
        );
        let request = clear_request(&ti, opts(true, false));
        assert!(!request.only_failed && request.include_downstream);
        assert_eq!(request.task_ids, vec!["t"]);
    }
}
