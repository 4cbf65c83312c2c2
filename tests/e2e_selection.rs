//! The keys every table shares, in the real binary in a pseudo-terminal against the emulator:
//! `y` shows the selected bucket's raw JSON, `c` copies its S3 URI with an OSC 52 sequence (read
//! from the raw terminal output) and says so in the status bar.

mod e2e;
mod support;

use std::fs;

use base64::Engine;
use e2e::console::{keys, Console};
use platform_tui::aws::sdk_config;
use support::Emulator;
use tempfile::TempDir;

const BUCKET: &str = "raw-json-bucket";

async fn make_bucket(emulator: &Emulator) {
    let config = sdk_config(&emulator.settings()).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
}

fn console(home: &std::path::Path, emulator: &Emulator) -> Console {
    let config = home.join("config.toml");
    fs::write(
        &config,
        format!(
            "[contexts.emulator]\nsandbox = true\nregion = \"us-east-1\"\nendpoint_url = \"{}\"\n",
            emulator.endpoint()
        ),
    )
    .unwrap();
    let config = config.to_string_lossy().into_owned();
    Console::start(home, &["--config", &config, "--context", "emulator"])
}

#[tokio::test(flavor = "multi_thread")]
async fn y_shows_raw_json_and_c_copies_with_osc52() {
    let emulator = Emulator::start();
    make_bucket(&emulator).await;
    let home = TempDir::new().unwrap();
    let mut console = console(home.path(), &emulator);
    console.wait_for(BUCKET);

    console.send("y");
    let screen = console.wait_for("(raw JSON)");
    let text = screen.contents();
    assert!(
        text.contains(&format!("\"name\": \"{BUCKET}\"")),
        "raw JSON shows the bucket's fields:\n{text}"
    );
    // `/` searches the document: only matching lines stay.
    console.send("/name");
    console.send(keys::ENTER);
    let screen = console.wait_until("the filter keeps the name line", |s| {
        !s.contents().contains("\"created\"")
    });
    assert!(screen
        .contents()
        .contains(&format!("\"name\": \"{BUCKET}\"")));
    console.send(keys::ESC);
    console.wait_for("\"created\""); // esc clears the filter first
    console.send(keys::ESC);
    console.wait_until("back on the buckets", |s| {
        !s.contents().contains("(raw JSON)")
    });

    console.send("c");
    let screen = console.wait_for("copied S3 URI");
    assert!(screen
        .contents()
        .contains(&format!("copied S3 URI s3://{BUCKET}")));
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("s3://{BUCKET}"));
    let osc52 = format!("\x1b]52;c;{encoded}\x07");
    let raw = console.raw_output();
    assert!(
        raw.windows(osc52.len()).any(|w| w == osc52.as_bytes()),
        "the terminal received the OSC 52 sequence {osc52:?}"
    );
    console.send("q");
    console.wait_exit();
}
