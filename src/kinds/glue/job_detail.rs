//! The detail of a Glue job (script, Glue version, workers, default arguments, latest run) and
//! of one run (state, timing, the full error message, arguments).

use chrono::Utc;

use super::format::{duration, first_line, when};
use crate::app::view::{boxed, BoxView, Ctx};
use crate::aws::glue::{Job, JobRun};
use crate::views::document::{DocLine, DocumentView};

pub fn job_view(name: &str) -> BoxView {
    let name = name.to_string();
    boxed(DocumentView::new(
        format!("job {name}"),
        Box::new(move |cx: &Ctx| {
            let clients = cx.clients();
            let name = name.clone();
            Box::pin(async move {
                let clients = clients.ok_or("not connected yet")?;
                let mut job = clients.glue.job(&name).await?;
                job.last_run = clients.glue.latest_run(&name).await?;
                Ok(job_lines(&job))
            })
        }),
    ))
}

pub fn run_view(run: JobRun) -> BoxView {
    boxed(DocumentView::new(
        format!("run {}", short_id(&run.id)),
        Box::new(move |cx: &Ctx| {
            let clients = cx.clients();
            let (job, id) = (run.job_name.clone(), run.id.clone());
            Box::pin(async move {
                let clients = clients.ok_or("not connected yet")?;
                let run = clients.glue.job_run(&job, &id).await?;
                Ok(run_lines(&run))
            })
        }),
    ))
}

/// `jr_0123456789ab…` for titles.
pub fn short_id(id: &str) -> String {
    match id.char_indices().nth(15) {
        Some((cut, _)) => format!("{}…", &id[..cut]),
        None => id.to_string(),
    }
}

fn field(k: &str, v: impl Into<String>) -> DocLine {
    DocLine::Field(k.to_string(), v.into())
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

pub fn job_lines(j: &Job) -> Vec<DocLine> {
    let workers = match (&j.worker_type, j.number_of_workers) {
        (Some(t), Some(n)) => format!("{n} × {t}"),
        (Some(t), None) => t.clone(),
        (None, _) => j
            .max_capacity
            .map(|c| format!("{c} DPU"))
            .unwrap_or_else(|| "-".into()),
    };
    let mut out = vec![
        DocLine::Section("Job".into()),
        field("Name", j.name.clone()),
        field("Description", opt(&j.description)),
        field("Script", opt(&j.script_location)),
        field("Type", opt(&j.command)),
        field("Python", opt(&j.python_version)),
        field("Glue version", opt(&j.glue_version)),
        field("Workers", workers),
        field("Role", opt(&j.role)),
        field(
            "Timeout",
            j.timeout.map_or("-".into(), |t| format!("{t} min")),
        ),
        field("Max retries", j.max_retries.to_string()),
        field("Created", when(j.created)),
        field("Modified", when(j.modified)),
    ];
    out.extend(arguments("Default arguments", &j.default_arguments));
    out.push(DocLine::Section("Latest run".into()));
    match &j.last_run {
        None => out.push(DocLine::Text("  (never ran)".into())),
        Some(run) => {
            out.extend(run_summary(run));
            if let Some(error) = &run.error {
                out.push(field("Error", first_line(Some(error))));
            }
        }
    }
    out
}

pub fn run_lines(r: &JobRun) -> Vec<DocLine> {
    let mut out = vec![DocLine::Section("Run".into())];
    out.extend(run_summary(r));
    out.push(field("Attempt", r.attempt.to_string()));
    out.push(field("Previous run", opt(&r.previous_run_id)));
    out.push(field("Log group", opt(&r.log_group)));
    out.push(DocLine::Section("Error".into()));
    match &r.error {
        None => out.push(DocLine::Text("  (none)".into())),
        Some(error) => out.extend(error.lines().map(|l| DocLine::Text(format!("  {l}")))),
    }
    out.extend(arguments("Arguments", &r.arguments));
    out
}

fn run_summary(r: &JobRun) -> Vec<DocLine> {
    vec![
        field("Id", r.id.clone()),
        field("State", r.state.clone()),
        field("Started", when(r.started)),
        field("Completed", when(r.completed)),
        field("Duration", duration(r.duration(Utc::now()))),
        field("Execution time", duration(Some(r.execution_time))),
    ]
}

fn arguments(title: &str, args: &std::collections::BTreeMap<String, String>) -> Vec<DocLine> {
    let mut out = vec![DocLine::Section(title.into())];
    if args.is_empty() {
        out.push(DocLine::Text("  (none)".into()));
    }
    out.extend(args.iter().map(|(k, v)| field(k, v.clone())));
    out
}
