//! Work belongs to the view that started it: leaving a listing that is still paging stops its
//! requests, against the sandbox's emulator over real HTTP, through the real app.

mod support;

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use platform_tui::app::keys::KeyMap;
use platform_tui::app::message::Msg;
use platform_tui::app::view::Outcome;
use platform_tui::app::App;
use platform_tui::aws::sdk_config;
use platform_tui::config::Context;
use platform_tui::gate::AuditLog;
use platform_tui::kinds::s3::objects;
use platform_tui::theme;
use support::Emulator;
use tokio::sync::mpsc;

const KEYS: usize = 4_000; // four pages of 1,000

/// How many ListObjectsV2 requests the emulator has served so far (it logs every request).
fn list_requests(emulator: &Emulator) -> usize {
    emulator
        .stderr()
        .lines()
        .filter(|l| l.contains("GET /big?list-type=2") || l.contains("GET /big/?list-type=2"))
        .count()
}

async fn fill_bucket(emulator: &Emulator) {
    let config = sdk_config(&emulator.settings()).await;
    let sdk = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    sdk.create_bucket().bucket("big").send().await.unwrap();
    futures::stream::iter(0..KEYS)
        .for_each_concurrent(16, |i| {
            let sdk = sdk.clone();
            async move {
                sdk.put_object()
                    .bucket("big")
                    .key(format!("events/part-{i:05}.json"))
                    .body(ByteStream::from_static(b"{}"))
                    .send()
                    .await
                    .unwrap();
            }
        })
        .await;
}

/// Applies the app's messages until `done` holds (at most 30 s).
async fn pump(
    app: &mut App,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    mut done: impl FnMut(&App, &Msg) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the app got what the test waits for within 30 s")
            .expect("the channel stays open");
        let stop = done(app, &msg);
        app.update(msg);
        if stop {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_a_listing_that_is_still_paging_stops_its_requests() {
    let emulator = Emulator::start();
    fill_bucket(&emulator).await;
    let before = list_requests(&emulator);
    assert_eq!(before, 0);

    let dir = tempfile::tempdir().unwrap();
    let context = Context {
        name: "sandbox".into(),
        region: Some("us-east-1".into()),
        endpoint_url: Some(emulator.endpoint()),
        sandbox: true,
        ..Context::default()
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut app = App::new(
        vec![context.clone()],
        context,
        theme::load_theme("dark").unwrap(),
        KeyMap::default(),
        AuditLog::new(dir.path().join("audit.jsonl")),
        tx,
    );
    pump(&mut app, &mut rx, |_, msg| {
        matches!(msg, Msg::ClientsReady { .. })
    })
    .await;
    app.handle(Outcome::Push(objects::view("big", "events/")));
    let listing = app.stack.last().unwrap().id();
    // The first page reaches the view: the listing is under way, three pages to go.
    pump(
        &mut app,
        &mut rx,
        |_, msg| matches!(msg, Msg::Wake(id) if *id == listing),
    )
    .await;
    app.update(Msg::Terminal(Event::Key(KeyEvent::new(
        KeyCode::Esc,
        KeyModifiers::NONE,
    ))));
    assert!(
        app.stack.iter().all(|v| v.id() != listing),
        "esc left the listing"
    );
    let at_leaving = list_requests(&emulator);
    // Three more pages would take about a second here; wait well past that.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = list_requests(&emulator);
    assert!(
        after <= 2,
        "the listing went on after the view was left: {after} list requests \
         ({at_leaving} when it was left; a full listing makes {})",
        KEYS / 1000
    );
}
