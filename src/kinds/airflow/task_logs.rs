//! `L` on a task instance or one of its tries: the try's log in the shared log viewer, read
//! where the environment keeps task logs (REST for self-hosted Airflow, CloudWatch for MWAA),
//! following while the try runs.

use super::actions::Target;
use super::format::{connect, task_label};
use crate::airflow::TaskInstance;
use crate::app::view::{boxed, Ctx, Outcome};
use crate::config::DEFAULT_LOG_LINE_CAP;
use crate::logs::airflow::task_log_source;
use crate::views::log_viewer::LogViewer;

/// Opens the log of try `try_number` of `ti` (its current try when `None`).
pub fn open(cx: &mut Ctx, target: Target, ti: &TaskInstance, try_number: Option<u32>) -> Outcome {
    let try_number = try_number.unwrap_or(ti.try_number);
    if try_number == 0 {
        return Outcome::Flash(Err(format!(
            "{} has not run yet ({}): no log",
            task_label(ti),
            ti.state
        )));
    }
    // Only the current try can still be writing.
    let live = ti.state.is_active() && try_number == ti.try_number;
    let (key, title) = (
        ti.key.clone(),
        format!("log {} try {try_number}", task_label(ti)),
    );
    cx.spawn_outcome(async move {
        match connect(&target.clients, target.env.as_deref()).await {
            Ok(airflow) => {
                let logs = target.clients.logs.clone();
                let source = task_log_source(airflow, logs, key, try_number, live);
                Outcome::Push(boxed(LogViewer::new(title, source, DEFAULT_LOG_LINE_CAP)))
            }
            Err(e) => Outcome::Flash(Err(e.to_string())),
        }
    });
    Outcome::Flash(Ok(format!("opening the log of {}…", task_label(ti))))
}
