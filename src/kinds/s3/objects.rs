//! `:objects BUCKET[/PREFIX]` (`:o`, `:ls`): a delimiter listing of one prefix. Pages stream in:
//! the first rows show after the first page while the rest arrive. Preview, detail, download,
//! upload into this prefix and delete (through the action gate).

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::TryStreamExt;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome, Prompt};
use crate::aws::s3::{Entry, IfExists, ObjectDetail, S3};
use crate::clients::Clients;
use crate::gate::{catalog, ActionRequest};
use crate::kinds::{web, Kind, Opened};
use crate::paths;
use crate::theme::Theme;
use crate::ui::format::{human_size, when};
use crate::views::document::{DocLine, DocumentView};
use crate::views::preview::PreviewView;
use crate::views::selection::Copied;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "objects",
    aliases: &["o", "ls", "obj"],
    about: "objects and prefixes of a bucket",
    argument: Some("bucket[/prefix]"),
    open,
};

fn open(argument: Option<&str>, env: &Env) -> Result<Opened, String> {
    let path = argument
        .map(|a| a.trim_start_matches("s3://").to_string())
        .or_else(|| env.context.datalake_bucket.clone())
        .ok_or("which bucket? e.g. :objects my-bucket/raw/")?;
    let (bucket, prefix) = path.split_once('/').unwrap_or((&path, ""));
    if bucket.is_empty() {
        return Err("which bucket? e.g. :objects my-bucket/raw/".into());
    }
    // Opened by name, the view is the first of the breadcrumb: it names the bucket too.
    let objects = Objects {
        whole_path: true,
        ..Objects::new(bucket, prefix)
    };
    Ok(Opened::View(boxed(TableView::new(objects))))
}

pub fn view(bucket: &str, prefix: &str) -> BoxView {
    boxed(TableView::new(Objects::new(bucket, prefix)))
}

pub struct Objects {
    bucket: String,
    prefix: String,
    /// The title is `bucket/prefix` rather than the prefix's last part (no bucket view before
    /// it in the breadcrumb).
    whole_path: bool,
}

impl Objects {
    pub fn new(bucket: &str, prefix: &str) -> Self {
        Self {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
            whole_path: false,
        }
    }
}

impl Objects {
    fn url(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, key)
    }

    fn name<'a>(&self, entry: &'a Entry) -> &'a str {
        entry
            .key()
            .strip_prefix(self.prefix.as_str())
            .unwrap_or(entry.key())
    }

    fn detail(&self, key: &str) -> BoxView {
        let (bucket, key) = (self.bucket.clone(), key.to_string());
        boxed(DocumentView::new(
            format!("detail {}", key.rsplit('/').next().unwrap_or(&key)),
            Box::new(move |cx: &Ctx| {
                let clients = cx.clients();
                let (bucket, key) = (bucket.clone(), key.clone());
                Box::pin(async move {
                    let clients = clients.ok_or("not connected yet")?;
                    let detail = clients.s3.object_detail(&bucket, &key).await?;
                    Ok(detail_lines(&bucket, &detail))
                })
            }),
        ))
    }

    fn upload(&self, cx: &mut Ctx) -> Outcome {
        let Some(clients) = cx.clients() else {
            return Outcome::Flash(Err("not connected yet".into()));
        };
        let (bucket, prefix) = (self.bucket.clone(), self.prefix.clone());
        Outcome::Ask(
            Prompt::new(
                format!("Upload a local file into s3://{bucket}/{prefix} — path"),
                "",
                move |path| {
                    let local = paths::expand_home(path.trim());
                    let Some(file_name) =
                        local.file_name().map(|n| n.to_string_lossy().into_owned())
                    else {
                        return Outcome::Flash(Err(format!(
                            "'{}' is not a file path",
                            local.display()
                        )));
                    };
                    let key = format!("{prefix}{file_name}");
                    let target = format!("s3://{bucket}/{key}");
                    let from = format!("from {}", path.trim());
                    let (bucket, clients) = (bucket.clone(), clients.clone());
                    Outcome::later(format!("looking for {target}…"), async move {
                        // An upload onto an existing key replaces it: that asks first.
                        let spec = match clients.s3.existing(&bucket, &key).await {
                            Ok(None) => (&catalog::S3_UPLOAD, None),
                            Ok(Some((size, modified))) => (
                                &catalog::S3_OVERWRITE,
                                Some(format!(
                                    "replaces the existing object: {}, last modified {}",
                                    human_size(size),
                                    when(modified)
                                )),
                            ),
                            Err(e) => return Outcome::Flash(Err(e.to_string())),
                        };
                        let upload = ActionRequest::new(spec.0, target.clone(), move |approval| {
                            Box::pin(async move {
                                let size =
                                    clients.s3.upload(&approval, &local, &bucket, &key).await?;
                                Ok(format!("uploaded {} ({})", target, human_size(size)))
                            })
                        })
                        .with_detail(from);
                        Outcome::Act(match spec.1 {
                            Some(replaces) => upload.with_detail(replaces),
                            None => upload,
                        })
                    })
                },
            )
            .path()
            .history("upload"),
        )
    }

    fn delete(&self, entry: &Entry, cx: &mut Ctx) -> Outcome {
        let Entry::Object { key, size, .. } = entry else {
            return Outcome::Flash(Err(
                "prefixes are not deleted from here; open it and delete objects".into(),
            ));
        };
        let Some(clients) = cx.clients() else {
            return Outcome::Flash(Err("not connected yet".into()));
        };
        let (bucket, key) = (self.bucket.clone(), key.clone());
        let target = self.url(&key);
        let done = format!("deleted {target}");
        Outcome::Act(
            ActionRequest::new(&catalog::S3_DELETE, target, move |approval| {
                Box::pin(async move {
                    clients.s3.delete(&approval, &bucket, &key).await?;
                    Ok(done)
                })
            })
            .with_detail(format!("size {}", human_size(*size))),
        )
    }

    fn download(&self, key: &str, cx: &mut Ctx) -> Outcome {
        let Some(clients) = cx.clients() else {
            return Outcome::Flash(Err("not connected yet".into()));
        };
        let (bucket, key) = (self.bucket.clone(), key.to_string());
        let file_name = key.rsplit('/').next().unwrap_or("object").to_string();
        Outcome::Ask(
            Prompt::new(
                format!("Download s3://{bucket}/{key} to"),
                format!("./{file_name}"),
                move |path| {
                    let local = paths::expand_home(path.trim());
                    let s3 = clients.s3.clone();
                    Outcome::later("downloading…", async move {
                        Outcome::Flash(download(s3, bucket, key, local).await)
                    })
                },
            )
            .path()
            .history("download"),
        )
    }
}

async fn download(s3: S3, bucket: String, key: String, local: PathBuf) -> Result<String, String> {
    s3.download(&bucket, &key, &local, IfExists::Refuse)
        .await
        .map(|size| format!("saved {} ({})", local.display(), human_size(size)))
        .map_err(|e| e.to_string())
}

fn detail_lines(bucket: &str, d: &ObjectDetail) -> Vec<DocLine> {
    let field = |k: &str, v: String| DocLine::Field(k.to_string(), v);
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut lines = vec![
        DocLine::Section("Object".into()),
        field("URL", format!("s3://{bucket}/{}", d.key)),
        field("Size", format!("{} ({} bytes)", human_size(d.size), d.size)),
        field("Content type", opt(&d.content_type)),
        field(
            "Last modified",
            d.last_modified
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| "-".into()),
        ),
        field("ETag", opt(&d.etag)),
        field("Storage class", opt(&d.storage_class)),
        field("Version", opt(&d.version_id)),
        field("Encryption", opt(&d.server_side_encryption)),
        DocLine::Section("Metadata".into()),
    ];
    if d.metadata.is_empty() {
        lines.push(DocLine::Text("  (none)".into()));
    }
    lines.extend(d.metadata.iter().map(|(k, v)| field(k, v.clone())));
    lines.push(DocLine::Section("Tags".into()));
    if d.tags.is_empty() {
        lines.push(DocLine::Text("  (none)".into()));
    }
    lines.extend(d.tags.iter().map(|(k, v)| field(k, v.clone())));
    lines
}

impl Resource for Objects {
    type Item = Entry;

    fn title(&self) -> String {
        if self.whole_path {
            return format!("{}/{}", self.bucket, self.prefix);
        }
        let trimmed = self.prefix.trim_end_matches('/');
        match trimmed.rsplit('/').next() {
            Some(last) if !last.is_empty() => format!("{last}/"),
            _ => self.bucket.clone(),
        }
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            // `/` looks at names only: a filter for "2024" should not match every date.
            Column::new("NAME", Constraint::Min(30), |this: &Self, e: &Entry| {
                this.name(e).to_string()
            }),
            Column::new("SIZE", Constraint::Length(10), |_, e: &Entry| match e {
                Entry::Prefix { .. } => "<dir>".into(),
                Entry::Object { size, .. } => human_size(*size),
            })
            .by_number(|_, e: &Entry| match e {
                Entry::Object { size, .. } => *size as f64,
                Entry::Prefix { .. } => -1.0,
            })
            .not_searched(),
            Column::new(
                "LAST MODIFIED",
                Constraint::Length(20),
                |_, e: &Entry| match e {
                    Entry::Object {
                        last_modified: Some(t),
                        ..
                    } => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                    _ => String::new(),
                },
            )
            .by_number(|_, e: &Entry| match e {
                Entry::Object { last_modified, .. } => {
                    last_modified.map(|t| t.timestamp() as f64).unwrap_or(0.0)
                }
                Entry::Prefix { .. } => 0.0,
            })
            .not_searched(),
            Column::new("CLASS", Constraint::Length(12), |_, e: &Entry| match e {
                Entry::Object {
                    storage_class: Some(c),
                    ..
                } => c.clone(),
                _ => String::new(),
            })
            .not_searched(),
        ]
    }

    fn identity(&self, entry: &Entry) -> String {
        entry.key().to_string()
    }

    fn copy_text(&self, entry: &Entry) -> Copied {
        Copied::new("S3 URI", format!("s3://{}/{}", self.bucket, entry.key()))
    }

    fn web_url(&self, entry: &Entry, env: &Env) -> Option<String> {
        let bucket = web::encode(&self.bucket);
        let key = web::encode(entry.key());
        Some(match entry {
            Entry::Prefix { .. } => {
                format!(
                    "{}&prefix={key}",
                    web::console(env, &format!("s3/buckets/{bucket}"))
                )
            }
            Entry::Object { .. } => {
                format!(
                    "{}&prefix={key}",
                    web::console(env, &format!("s3/object/{bucket}"))
                )
            }
        })
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Entry>,
    ) -> BoxFuture<'static, ()> {
        let (bucket, prefix) = (self.bucket.clone(), self.prefix.clone());
        sink.pages(clients, move |c| {
            c.s3.list_stream(bucket, prefix.clone(), Some("/".into()))
                .map_ok(move |mut page| {
                    // The zero-byte "folder" marker of the prefix itself is not a row.
                    page.entries
                        .retain(|e| e.key() != prefix || prefix.is_empty());
                    page.entries
                })
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Entry>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Upload, _) => self.upload(cx),
            (Cmd::Enter, Some(Entry::Prefix { prefix })) => {
                Outcome::Push(view(&self.bucket, prefix))
            }
            (Cmd::Enter | Cmd::Preview, Some(Entry::Object { key, .. })) => {
                Outcome::Push(boxed(PreviewView::new(&self.bucket, key)))
            }
            (Cmd::Detail, Some(Entry::Object { key, .. })) => Outcome::Push(self.detail(key)),
            (Cmd::Download, Some(Entry::Object { key, .. })) => self.download(key, cx),
            (Cmd::Delete, Some(entry)) => self.delete(entry, cx),
            (Cmd::Preview | Cmd::Detail | Cmd::Download | Cmd::Delete, _) => {
                Outcome::Flash(Err("select an object first".into()))
            }
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "open prefix / preview object"),
            KeyHelp::new(Cmd::Preview, "preview (text, CSV table, gzip, hex)"),
            KeyHelp::new(Cmd::Detail, "metadata and tags"),
            KeyHelp::new(Cmd::Download, "download to a local path"),
            KeyHelp::new(Cmd::Upload, "upload a local file into this prefix"),
            KeyHelp::new(Cmd::Delete, "delete the object (asks first)"),
        ]
    }

    fn row_style(&self, entry: &Entry, theme: &Theme) -> Option<Style> {
        matches!(entry, Entry::Prefix { .. }).then_some(theme.header)
    }
}

#[cfg(test)]
mod tests {}
