//! Time to the first rows versus time to the whole listing of a 20,000-key prefix in the
//! sandbox's emulator, listed page by page with `S3::list_page` as the console does.
//! Also compares the two ways of getting 20,000 keys into the emulator: its own seeding
//! (`--seed`, straight into moto's backend) and S3 PutObject over HTTP.
//!
//! Run: `cargo bench --bench s3_listing` (prints figures; not a timed test).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use futures::StreamExt;
use platform_tui::aws::s3::S3;
use platform_tui::aws::sdk_config;
use support::Emulator;

/// The seeded 20,000-key prefix (`sandbox/seed.py`: ARCHIVE_PREFIX in DATALAKE_BUCKET).
const SEEDED_BUCKET: &str = "nyctaxi-sandbox-datalake";
const SEEDED_PREFIX: &str = "archive/events/";
const EXPECTED_KEYS: usize = 20_000;
const LISTING_RUNS: usize = 3;
/// PutObject calls timed to estimate the HTTP way of filling a prefix.
const HTTP_PUT_SAMPLE: usize = 1_000;
const PUT_CONCURRENCY: usize = 16;

struct Listing {
    first_page: Duration,
    first_rows: usize,
    full: Duration,
    keys: usize,
    pages: usize,
}

/// Lists `prefix` with a `/` delimiter, page after page, timing the first page and the end.
async fn list_all(s3: &S3, bucket: &str, prefix: &str) -> Listing {
    let started = Instant::now();
    let mut first = None;
    let (mut keys, mut pages, mut token) = (0, 0, None);
    loop {
        let page = s3
            .list_page(bucket, prefix, Some("/"), token, None)
            .await
            .unwrap_or_else(|e| panic!("listing failed: {e}"));
        pages += 1;
        keys += page.entries.len();
        first.get_or_insert((started.elapsed(), page.entries.len()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let (first_page, first_rows) = first.expect("at least one page");
    Listing {
        first_page,
        first_rows,
        full: started.elapsed(),
        keys,
        pages,
    }
}

/// PutObject rate over HTTP with bounded concurrency, in keys per second.
async fn http_put_rate(emulator: &Emulator) -> f64 {
    let config = sdk_config(&emulator.settings()).await;
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    client
        .create_bucket()
        .bucket("bench-puts")
        .send()
        .await
        .expect("create bucket");
    let started = Instant::now();
    futures::stream::iter(0..HTTP_PUT_SAMPLE)
        .for_each_concurrent(PUT_CONCURRENCY, |n| {
            let client = client.clone();
            async move {
                client
                    .put_object()
                    .bucket("bench-puts")
                    .key(format!("events/event-{n:05}.json"))
                    .body(br#"{"event":"bench"}"#.to_vec().into())
                    .send()
                    .await
                    .expect("put object");
            }
        })
        .await;
    HTTP_PUT_SAMPLE as f64 / started.elapsed().as_secs_f64()
}

fn median(durations: impl Iterator<Item = Duration>) -> Duration {
    let mut sorted: Vec<Duration> = durations.collect();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let started = Instant::now();
        let emulator = Emulator::start_seeded();
        let seeded_in = started.elapsed();
        println!(
            "emulator started and seeded (20,000-key prefix included) in {}",
            secs(seeded_in)
        );

        let s3 = S3::new(&sdk_config(&emulator.settings()).await);
        let mut runs = Vec::new();
        for run in 1..=LISTING_RUNS {
            let listing = list_all(&s3, SEEDED_BUCKET, SEEDED_PREFIX).await;
            assert_eq!(listing.keys, EXPECTED_KEYS, "the seeded prefix changed");
            println!(
                "run {run}: first page: {} ({} rows); full listing ({} keys, {} pages): {}",
                secs(listing.first_page),
                listing.first_rows,
                listing.keys,
                listing.pages,
                secs(listing.full)
            );
            runs.push(listing);
        }
        let first_page = median(runs.iter().map(|l| l.first_page));
        let full = median(runs.iter().map(|l| l.full));
        println!(
            "median of {LISTING_RUNS}: first page: {}; full listing ({} keys, {} pages): {}; \
             first rows arrive {:.0}x sooner",
            secs(first_page),
            runs[0].keys,
            runs[0].pages,
            secs(full),
            full.as_secs_f64() / first_page.as_secs_f64()
        );

        let rate = http_put_rate(&emulator).await;
        println!(
            "filling a prefix over HTTP: {rate:.0} PutObject/s ({HTTP_PUT_SAMPLE} puts, {PUT_CONCURRENCY} in flight) \
             → ~{:.0} s for {EXPECTED_KEYS} keys, against {} for the whole seeded start",
            EXPECTED_KEYS as f64 / rate,
            secs(seeded_in)
        );
    });
}
