//! The detail screen of one EMR step (`d` or `enter` on a step): state, timing, the command it
//! runs, and EMR's failure analysis (reason, message, the log file it comes from).

use chrono::Utc;

use super::format as emr_format;
use crate::app::view::{boxed, BoxView, Ctx};
use crate::aws::emr::Step;
use crate::ui::format;
use crate::views::document::{DocLine, DocumentView};

pub fn view(cluster_id: &str, step_id: &str) -> BoxView {
    let (cluster, step) = (cluster_id.to_owned(), step_id.to_owned());
    boxed(DocumentView::new(
        format!("step {step}"),
        Box::new(move |cx: &Ctx| {
            let (clients, cluster, step) = (cx.clients(), cluster.clone(), step.clone());
            Box::pin(async move {
                let clients = clients.ok_or("not connected yet")?;
                let step = clients.emr.describe_step(&cluster, &step).await?;
                Ok(detail_lines(&cluster, &step))
            })
        }),
    ))
}

pub fn detail_lines(cluster_id: &str, s: &Step) -> Vec<DocLine> {
    let field = |k: &str, v: String| DocLine::Field(k.to_owned(), v);
    let or_dash = |v: String| if v.is_empty() { "-".to_owned() } else { v };
    let mut lines = vec![
        DocLine::Section("Step".into()),
        field("ID", s.id.clone()),
        field("Name", s.name.clone()),
        field("Cluster", cluster_id.to_owned()),
        field("State", s.state.clone()),
        field(
            "Action on failure",
            or_dash(s.action_on_failure.clone().unwrap_or_default()),
        ),
        field("Created", or_dash(format::when(s.created))),
        field("Started", or_dash(format::when(s.started))),
        field("Ended", or_dash(format::when(s.ended))),
        field(
            "Duration",
            or_dash(emr_format::duration(s.duration(Utc::now()))),
        ),
        DocLine::Section("Command".into()),
        field("Jar", or_dash(s.jar.clone().unwrap_or_default())),
    ];
    lines.extend(
        s.args
            .iter()
            .enumerate()
            .map(|(i, arg)| field(&format!("arg {i}"), arg.clone())),
    );
    if let Some(f) = &s.failure {
        lines.push(DocLine::Section("Failure".into()));
        lines.push(field(
            "Reason",
            or_dash(f.reason.clone().unwrap_or_default()),
        ));
        lines.push(field(
            "Message",
            or_dash(f.message.clone().unwrap_or_default()),
        ));
        lines.push(field(
            "Log file",
            or_dash(f.log_file.clone().unwrap_or_default()),
        ));
    }
    lines
}
