//! `:buckets` (`:s3`): the account's buckets with region and creation date.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::StreamExt;
use ratatui::layout::Constraint;

use super::objects as s3_objects;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, Ctx, Env, KeyHelp, Outcome};
use crate::aws::s3::Bucket;
use crate::clients::Clients;
use crate::kinds::{web, Kind, Opened};
use crate::views::selection::Copied;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "buckets",
    aliases: &["s3", "b", "bucket"],
    about: "S3 buckets",
    argument: None,
    open,
};

fn open(_: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view()))
}

pub fn view() -> crate::app::view::BoxView {
    boxed(TableView::new(Buckets))
}

pub struct Buckets;

/// Region lookups run this many at a time after the list is shown.
const REGION_LOOKUPS: usize = 8;

impl Resource for Buckets {
    type Item = Bucket;

    fn title(&self) -> String {
        "buckets".into()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("NAME", Constraint::Min(30), |_, b: &Bucket| b.name.clone()),
            Column::new("REGION", Constraint::Length(16), |_, b: &Bucket| {
                b.region.clone().unwrap_or_else(|| "…".into())
            }),
            Column::new("CREATED", Constraint::Length(20), |_, b: &Bucket| {
                b.created
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default()
            })
            .by_number(|_, b: &Bucket| b.created.map(|t| t.timestamp() as f64).unwrap_or(0.0)),
        ]
    }

    fn identity(&self, b: &Bucket) -> String {
        b.name.clone()
    }

    fn copy_text(&self, b: &Bucket) -> Copied {
        Copied::new("S3 URI", format!("s3://{}", b.name))
    }

    fn web_url(&self, b: &Bucket, env: &Env) -> Option<String> {
        Some(web::console(
            env,
            &format!("s3/buckets/{}", web::encode(&b.name)),
        ))
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Bucket>,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let Some(clients) = clients else { return };
            let buckets = match clients.s3.list_buckets().await {
                Ok(b) => b,
                Err(e) => return sink.fail(e),
            };
            sink.page(buckets.clone());
            let s3 = &clients.s3;
            let with_regions: Vec<Bucket> = futures::stream::iter(buckets)
                .map(|mut b| async move {
                    if b.region.is_none() {
                        b.region = s3.bucket_region(&b.name).await.ok();
                    }
                    b
                })
                .buffered(REGION_LOOKUPS)
                .collect()
                .await;
            sink.replace(with_regions);
            sink.done();
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Bucket>, _cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter, Some(b)) => Outcome::Push(s3_objects::view(&b.name, "")),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(Cmd::Enter, "list the bucket's objects")]
    }
}
