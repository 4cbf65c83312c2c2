//! Non-interactive subcommands for scripts: plain text or `--output json` on stdout.

use crate::aws::s3::Entry;
use crate::cli::Output;
use crate::clients::Clients;
use crate::config::Context;

/// `platform-tui ls [s3://bucket/prefix]`.
pub fn ls(context: &Context, path: Option<&str>, output: Output) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let clients = Clients::connect(context).await.map_err(|e| e.to_string())?;
        let Some(path) = path else {
            let buckets = clients.s3.list_buckets().await.map_err(|e| e.to_string())?;
            for b in buckets {
                let created = b.created.map(|t| t.to_rfc3339()).unwrap_or_default();
                match output {
                    Output::Json => println!(
                        "{}",
                        serde_json::json!({"name": b.name, "region": b.region, "created": created})
                    ),
                    Output::Text => println!("{created}\t{}", b.name),
                }
            }
            return Ok(());
        };
        let path = path.trim_start_matches("s3://");
        let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
        let mut token = None;
        loop {
            let page = clients
                .s3
                .list_page(bucket, prefix, Some("/"), token, None)
                .await
                .map_err(|e| e.to_string())?;
            for entry in &page.entries {
                print_entry(entry, output);
            }
            token = page.next_token;
            if token.is_none() {
                return Ok(());
            }
        }
    })
}

fn print_entry(entry: &Entry, output: Output) {
    match (entry, output) {
        (Entry::Prefix { prefix }, Output::Json) => {
            println!("{}", serde_json::json!({"prefix": prefix}))
        }
        (Entry::Prefix { prefix }, Output::Text) => println!("{:>12}  {prefix}", "PRE"),
        (
            Entry::Object {
                key,
                size,
                last_modified,
                storage_class,
                ..
            },
            Output::Json,
        ) => println!(
            "{}",
            serde_json::json!({"key": key, "size": size,
                "last_modified": last_modified.map(|t| t.to_rfc3339()),
                "storage_class": storage_class})
        ),
        (Entry::Object { key, size, .. }, Output::Text) => println!("{size:>12}  {key}"),
    }
}
