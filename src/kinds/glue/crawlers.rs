//! `:crawlers` (`:cr`): Glue crawlers with state, schedule, last crawl and the tables it
//! created/updated (when the endpoint reports metrics); start (`t`), stop (`ctrl-k`), detail.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::crawler_detail;
use super::format::{crawl_duration, duration, epoch, not_connected, when};
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::glue::{Crawler, CrawlerMetrics};
use crate::clients::Clients;
use crate::gate::{catalog, ActionRequest, ActionSpec};
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "crawlers",
    aliases: &["cr", "crawler", "gluecrawlers"],
    about: "Glue crawlers",
    argument: None,
    open,
};

fn open(_: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view()))
}

pub fn view() -> BoxView {
    boxed(TableView::new(Crawlers))
}

pub struct Crawlers;

/// One figure of the last crawl's metrics, empty before the first crawl.
fn metric(c: &Crawler, figure: fn(&CrawlerMetrics) -> i32) -> String {
    c.metrics
        .as_ref()
        .map(|m| figure(m).to_string())
        .unwrap_or_default()
}

impl Resource for Crawlers {
    type Item = Crawler;

    fn title(&self) -> String {
        "crawlers".into()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("NAME", Constraint::Min(20), |_, c: &Crawler| c.name.clone()),
            Column::new("STATE", Constraint::Length(9), |_, c: &Crawler| {
                c.state.clone()
            }),
            Column::new("SCHEDULE", Constraint::Length(20), |_, c: &Crawler| {
                c.schedule.clone().unwrap_or_default()
            }),
            Column::new("LAST CRAWL", Constraint::Length(10), |_, c: &Crawler| {
                c.last_crawl
                    .as_ref()
                    .map(|l| l.status.clone())
                    .unwrap_or_default()
            }),
            Column::new("STARTED", Constraint::Length(19), |_, c: &Crawler| {
                when(c.last_crawl.as_ref().and_then(|l| l.started))
            })
            .by_number(|_, c: &Crawler| epoch(c.last_crawl.as_ref().and_then(|l| l.started))),
            Column::new("DURATION", Constraint::Length(8), |_, c: &Crawler| {
                duration(crawl_duration(c))
            })
            .by_number(|_, c: &Crawler| crawl_duration(c).map_or(-1.0, |d| d.as_secs_f64())),
            Column::new("CREATED", Constraint::Length(7), |_, c: &Crawler| {
                metric(c, |m| m.tables_created)
            }),
            Column::new("UPDATED", Constraint::Length(7), |_, c: &Crawler| {
                metric(c, |m| m.tables_updated)
            }),
            Column::new("TARGETS", Constraint::Min(20), |_, c: &Crawler| {
                c.targets.join(", ")
            }),
        ]
    }

    fn identity(&self, c: &Crawler) -> String {
        c.name.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Crawler>,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let Some(clients) = clients else { return };
            let mut crawlers = match clients.glue.crawlers().await {
                Ok(c) => c,
                Err(e) => return sink.fail(e),
            };
            if !sink.page(crawlers.clone()) {
                return;
            }
            let names: Vec<String> = crawlers.iter().map(|c| c.name.clone()).collect();
            // Endpoints without GetCrawlerMetrics leave the columns empty.
            if let Ok(metrics) = clients.glue.crawler_metrics(&names).await {
                for (name, m) in metrics {
                    if let Some(c) = crawlers.iter_mut().find(|c| c.name == name) {
                        c.metrics = Some(m);
                    }
                }
                sink.replace(crawlers);
            }
            sink.done();
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Crawler>, cx: &mut Ctx) -> Outcome {
        let Some(c) = selected else {
            return match cmd {
                Cmd::Start | Cmd::Stop | Cmd::Detail => {
                    Outcome::Flash(Err("select a crawler first".into()))
                }
                _ => Outcome::Ignored,
            };
        };
        match cmd {
            Cmd::Detail | Cmd::Enter => Outcome::Push(crawler_detail::view(&c.name)),
            Cmd::Start => crawler_action(&catalog::GLUE_START_CRAWLER, c, cx),
            Cmd::Stop => crawler_action(&catalog::GLUE_STOP_CRAWLER, c, cx),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Detail, "targets, last crawl, error"),
            KeyHelp::new(Cmd::Start, "start the crawler"),
            KeyHelp::new(Cmd::Stop, "stop the running crawl (asks first)"),
        ]
    }

    fn row_style(&self, c: &Crawler, theme: &Theme) -> Option<Style> {
        match (
            c.state.as_str(),
            c.last_crawl.as_ref().map(|l| l.status.as_str()),
        ) {
            ("RUNNING", _) => Some(theme.state_running),
            ("STOPPING", _) => Some(theme.state_pending),
            (_, Some("FAILED")) => Some(theme.state_failed),
            (_, Some("SUCCEEDED" | "COMPLETED")) => Some(theme.state_success),
            _ => None,
        }
    }
}

fn crawler_action(spec: &'static ActionSpec, c: &Crawler, cx: &mut Ctx) -> Outcome {
    let Some(clients) = cx.clients() else {
        return not_connected();
    };
    let name = c.name.clone();
    let stop = std::ptr::eq(spec, &catalog::GLUE_STOP_CRAWLER);
    let request = ActionRequest::new(spec, name.clone(), move |approval| {
        Box::pin(async move {
            if stop {
                clients.glue.stop_crawler(&approval, &name).await?;
                Ok(format!("stopping crawler {name}"))
            } else {
                clients.glue.start_crawler(&approval, &name).await?;
                Ok(format!("started crawler {name}"))
            }
        })
    });
    Outcome::Act(request.with_detail(format!("targets: {}", c.targets.join(", "))))
}
