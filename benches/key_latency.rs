//! Key-to-frame time of the real console in a pseudo-terminal while its requests hang: the
//! time from writing a key (`?` opens the help, esc closes it) to the parsed screen showing
//! the result, with the emulator reached directly through the proxy (baseline), through the
//! proxy holding every answer (requests hang until the attempt timeout), and through the
//! proxy delaying every answer 5 s, a refresh (ctrl-r) started before each sample.
//!
//! Run: `cargo bench --bench key_latency` (prints figures; not a timed test).

#[path = "../tests/e2e/mod.rs"]
mod e2e;
#[path = "../tests/support/mod.rs"]
mod support;

use std::fs;
use std::time::{Duration, Instant};

use e2e::console::{keys, Console};
use e2e::proxy::{Mode, Proxy};
use support::Emulator;

const SAMPLES: usize = 40;
const HELP: &str = "This view:";
const CTRL_R: &str = "\x12";

fn main() {
    let emulator = Emulator::start();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(emulator.put_object("bench-bucket", "object.txt", "body"));
    let proxy = Proxy::start(emulator.port());
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("config.toml"),
        format!(
            "[contexts.proxied]\nregion = \"us-east-1\"\nsandbox = true\nendpoint_url = \"{}\"\n",
            proxy.endpoint()
        ),
    )
    .unwrap();
    let mut console = Console::start(home.path(), &["--context", "proxied"]);
    console.wait_for("bench-bucket");

    println!("key-to-frame, {SAMPLES} samples per key (open help `?`, close it esc):");
    for mode in [Mode::Forward, Mode::Hang, Mode::Delay] {
        proxy.set(mode);
        let mut samples = Vec::with_capacity(2 * SAMPLES);
        for _ in 0..SAMPLES {
            console.send(CTRL_R);
            samples.push(time_key(&mut console, "?", true));
            samples.push(time_key(&mut console, keys::ESC, false));
        }
        report(&format!("{mode:?}"), &mut samples);
    }
    proxy.set(Mode::Forward);
    console.send("q");
    console.wait_exit();
}

/// Sends `key` and waits until the help is shown (`open`) or gone.
fn time_key(console: &mut Console, key: &str, open: bool) -> Duration {
    let started = Instant::now();
    console.send(key);
    console.wait_until("the help to open or close", move |screen| {
        screen.contents().contains(HELP) == open
    });
    started.elapsed()
}

fn report(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "  {label:<8} median {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(1.0))
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
