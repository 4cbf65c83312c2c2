//! The detail screen of one EMR cluster (`d` on `:clusters`): state and why, release, log
//! URI, normalized instance hours, timeline and instance groups.

use crate::app::view::{boxed, BoxView, Ctx};
use crate::aws::emr::Cluster;
use crate::ui::format;
use crate::views::document::{DocLine, DocumentView};

pub fn view(cluster_id: &str) -> BoxView {
    let id = cluster_id.to_owned();
    boxed(DocumentView::new(
        format!("detail {id}"),
        Box::new(move |cx: &Ctx| {
            let (clients, id) = (cx.clients(), id.clone());
            Box::pin(async move {
                let clients = clients.ok_or("not connected yet")?;
                let cluster = clients.emr.describe_cluster(&id).await?;
                Ok(detail_lines(&cluster))
            })
        }),
    ))
}

pub fn detail_lines(c: &Cluster) -> Vec<DocLine> {
    let field = |k: &str, v: String| DocLine::Field(k.to_owned(), v);
    let or_dash = |v: String| if v.is_empty() { "-".to_owned() } else { v };
    let mut lines = vec![
        DocLine::Section("Cluster".into()),
        field("ID", c.id.clone()),
        field("Name", c.name.clone()),
        field("State", c.state.clone()),
        field(
            "Reason",
            or_dash(c.state_reason.clone().unwrap_or_default()),
        ),
        field(
            "Release",
            or_dash(c.release_label.clone().unwrap_or_default()),
        ),
        field("Log URI", or_dash(c.log_uri.clone().unwrap_or_default())),
        field(
            "Normalized hours",
            or_dash(
                c.normalized_instance_hours
                    .map(|h| h.to_string())
                    .unwrap_or_default(),
            ),
        ),
        field("Created", or_dash(format::when(c.created))),
        field("Ready", or_dash(format::when(c.ready))),
        field("Ended", or_dash(format::when(c.ended))),
        DocLine::Section("Instance groups".into()),
    ];
    if c.instance_groups.is_empty() {
        lines.push(DocLine::Text(
            "  (none, or the cluster uses instance fleets)".into(),
        ));
    }
    lines.extend(c.instance_groups.iter().map(|g| {
        field(
            &g.role,
            format!(
                "{} running of {} requested × {}  {}  {} {}",
                g.running, g.requested, g.instance_type, g.state, g.id, g.name
            ),
        )
    }));
    lines
}
