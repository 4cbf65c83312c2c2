//! The detail of a Glue crawler: targets, schedule, database, role and the last crawl with its
//! error and metrics.

use crate::app::view::{boxed, BoxView, Ctx};
use crate::aws::glue::Crawler;
use crate::views::document::{DocLine, DocumentView};

use super::format::{crawl_duration, duration, when};

pub fn view(name: &str) -> BoxView {
    let name = name.to_string();
    boxed(DocumentView::new(
        format!("crawler {name}"),
        Box::new(move |cx: &Ctx| {
            let clients = cx.clients();
            let name = name.clone();
            Box::pin(async move {
                let clients = clients.ok_or("not connected yet")?;
                let crawler = clients.glue.crawler(&name).await?;
                Ok(lines(&crawler))
            })
        }),
    ))
}

pub fn lines(c: &Crawler) -> Vec<DocLine> {
    let field = |k: &str, v: String| DocLine::Field(k.to_string(), v);
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut out = vec![
        DocLine::Section("Crawler".into()),
        field("Name", c.name.clone()),
        field("State", c.state.clone()),
        field("Schedule", opt(&c.schedule)),
        field("Database", opt(&c.database)),
        field("Role", opt(&c.role)),
        DocLine::Section("Targets".into()),
    ];
    out.extend(c.targets.iter().map(|t| DocLine::Text(format!("  {t}"))));
    out.push(DocLine::Section("Last crawl".into()));
    match &c.last_crawl {
        None => out.push(DocLine::Text("  (never crawled)".into())),
        Some(l) => {
            out.push(field("Status", l.status.clone()));
            out.push(field("Started", when(l.started)));
            out.push(field("Duration", duration(crawl_duration(c))));
            out.push(field("Error", opt(&l.error)));
            if let (Some(group), Some(stream)) = (&l.log_group, &l.log_stream) {
                out.push(field("Log", format!("{group} {stream}")));
            }
        }
    }
    out.push(DocLine::Section("Metrics".into()));
    match &c.metrics {
        None => out.push(DocLine::Text("  (not reported by the endpoint)".into())),
        Some(m) => {
            out.push(field("Tables created", m.tables_created.to_string()));
            out.push(field("Tables updated", m.tables_updated.to_string()));
            out.push(field("Tables deleted", m.tables_deleted.to_string()));
            out.push(field("Last runtime", duration(Some(m.last_runtime))));
        }
    }
    out
}
