//! The Glue views' actions end to end against the emulator: the key on the resource, the
//! prompt's validation, the gate (approval, confirmation, read-only refusal) and the call.

mod support;

use std::sync::Arc;

use platform_tui::app::keys::Cmd;
use platform_tui::app::mount::with_offline_cx;
use platform_tui::app::view::{Ctx, Env, Outcome};
use platform_tui::aws::glue::JobRun;
use platform_tui::clients::Clients;
use platform_tui::config::Context;
use platform_tui::gate::catalog;
use platform_tui::gate::{ActionRequest, AuditLog, Decision, Gate, Outcome as AuditOutcome, Risk};
use platform_tui::kinds::glue::crawlers::Crawlers;
use platform_tui::kinds::glue::job_runs::JobRuns;
use platform_tui::kinds::glue::jobs::Jobs;
use platform_tui::views::table::Resource;
use support::gate::approval;
use support::Emulator;

const JOB: &str = "process_to_staging_nyc";
const CRAWLER: &str = "nyc-raw-crawler";

struct Fixture {
    _emulator: Emulator,
    _dir: tempfile::TempDir,
    env: Env,
}

impl Fixture {
    async fn new(read_only: bool) -> Fixture {
        let emulator = Emulator::start();
        let context = Context {
            name: "sandbox".into(),
            region: Some("us-east-1".into()),
            endpoint_url: Some(emulator.endpoint()),
            sandbox: true,
            read_only,
            ..Context::default()
        };
        let clients = Clients::connect(&context).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let gate = Gate::new(
            "sandbox",
            read_only,
            AuditLog::new(dir.path().join("audit.jsonl")),
        );
        let fixture = Fixture {
            env: Env {
                context,
                clients: Some(Arc::new(clients)),
                gate,
                contexts: Vec::new(),
                log_line_cap: platform_tui::config::DEFAULT_LOG_LINE_CAP,
            },
            _dir: dir,
            _emulator: emulator,
        };
        fixture.create_job_and_crawler().await;
        fixture
    }

    /// A plain SDK client with the clients' settings, for setting up data.
    async fn sdk(&self) -> aws_sdk_glue::Client {
        let settings = platform_tui::clients::settings_for(&self.env.context);
        aws_sdk_glue::Client::new(&platform_tui::aws::sdk_config(&settings).await)
    }

    async fn create_job_and_crawler(&self) {
        let sdk = self.sdk().await;
        sdk.create_job()
            .name(JOB)
            .role("arn:aws:iam::123456789012:role/glue")
            .command(
                aws_sdk_glue::types::JobCommand::builder()
                    .name("glueetl")
                    .script_location("s3://scripts/process_to_staging.py")
                    .build(),
            )
            .default_arguments("--input", "s3://lake/raw/")
            // Runs that take time (the extended emulator) must not block the rerun.
            .execution_property(
                aws_sdk_glue::types::ExecutionProperty::builder()
                    .max_concurrent_runs(3)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        sdk.create_crawler()
            .name(CRAWLER)
            .role("arn:aws:iam::123456789012:role/glue")
            .targets(
                aws_sdk_glue::types::CrawlerTargets::builder()
                    .s3_targets(
                        aws_sdk_glue::types::S3Target::builder()
                            .path("s3://lake/raw/")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    /// Runs `f` with a handler context on this fixture's env (outcomes come back from `f`).
    fn with_ctx<T>(&self, f: impl FnOnce(&mut Ctx) -> T) -> T {
        with_offline_cx::<(), T>(&self.env, |cx| f(cx))
    }

    fn glue(&self) -> &platform_tui::aws::glue::Glue {
        &self.env.clients.as_ref().unwrap().glue
    }

    /// Passes the request through the gate, confirming when asked; the finished result.
    async fn through_gate(&self, request: ActionRequest) -> Result<String, String> {
        match self.env.gate.submit(request) {
            Decision::Refused(message) => Err(format!("refused: {message}")),
            Decision::Approved(approved) => approved.run().await.result,
            Decision::NeedsConfirmation(pending) => {
                self.env.gate.confirm(pending).run().await.result
            }
        }
    }
}

fn act(outcome: Outcome) -> ActionRequest {
    match outcome {
        Outcome::Act(request) => request,
        Outcome::Flash(message) => panic!("expected an action, got a flash: {message:?}"),
        _ => panic!("expected an action"),
    }
}

fn answer(outcome: Outcome, text: &str) -> Outcome {
    match outcome {
        Outcome::Ask(prompt) => (prompt.on_submit)(text.to_string()),
        _ => panic!("expected a prompt"),
    }
}

async fn latest_run(f: &Fixture) -> JobRun {
    f.glue().job_runs(JOB).await.unwrap().remove(0)
}

#[tokio::test]
async fn start_then_rerun_with_edited_arguments() {
    let f = Fixture::new(false).await;
    let jobs = f.glue().jobs().await.unwrap();

    let start = f.with_ctx(|cx| act(Jobs.on_cmd(Cmd::Start, Some(&jobs[0]), cx)));
    assert_eq!(start.spec.id, "glue.start_job_run");
    assert_eq!(start.spec.risk, Risk::Mutating);
    assert_eq!(start.target, JOB);
    let message = f.through_gate(start).await.unwrap();
    assert!(
        message.starts_with(&format!("started {JOB} run jr_")),
        "{message}"
    );
    let first = latest_run(&f).await;

    let mut runs = JobRuns::new(JOB);
    let prompt = f.with_ctx(|cx| runs.on_cmd(Cmd::Edit, Some(&first), cx));
    let Outcome::Ask(prompt) = prompt else {
        panic!("e asks for the arguments")
    };
    assert!(
        prompt.initial.contains("--input=s3://lake/raw/"),
        "{}",
        prompt.initial
    );

    // Malformed input is reported and nothing is sent.
    let bad = answer(
        f.with_ctx(|cx| runs.on_cmd(Cmd::Edit, Some(&first), cx)),
        "--pickup_date",
    );
    let Outcome::Flash(Err(problem)) = bad else {
        panic!("malformed arguments flash an error")
    };
    assert!(
        problem.contains("'--pickup_date' has no value"),
        "{problem}"
    );
    assert_eq!(f.glue().job_runs(JOB).await.unwrap().len(), 1);

    let rerun = act(answer(
        f.with_ctx(|cx| runs.on_cmd(Cmd::Edit, Some(&first), cx)),
        "--input=s3://lake/raw/ --pickup_date=2024-02-01",
    ));
    assert!(rerun
        .details
        .iter()
        .any(|d| d.contains("--pickup_date=2024-02-01")));
    f.through_gate(rerun).await.unwrap();
    let runs_now = f.glue().job_runs(JOB).await.unwrap();
    assert_eq!(runs_now.len(), 2);
    let second = runs_now.iter().find(|r| r.id != first.id).unwrap();
    assert_eq!(
        second.arguments.get("--pickup_date").map(String::as_str),
        Some("2024-02-01")
    );

    let audit = f.env.gate.audit_log().read_all().unwrap();
    let outcome = |o: AuditOutcome| audit.iter().filter(|r| r.outcome == o).count();
    assert_eq!(
        audit.len(),
        4,
        "an attempt and an outcome per start: {audit:?}"
    );
    assert_eq!(outcome(AuditOutcome::Attempted), 2);
    assert_eq!(outcome(AuditOutcome::Succeeded), 2);
    assert!(audit.iter().all(|r| r.action == "glue.start_job_run"));
}

#[tokio::test]
async fn a_finished_run_is_not_stopped() {
    let start_job_run = approval(&catalog::GLUE_START_JOB_RUN).await;
    let f = Fixture::new(false).await;
    f.glue()
        .start_job_run(&start_job_run, JOB, &Default::default())
        .await
        .unwrap();
    let mut run = latest_run(&f).await;
    // As the service reports a run once it has finished.
    run.state = "SUCCEEDED".into();
    let outcome = f.with_ctx(|cx| JobRuns::new(JOB).on_cmd(Cmd::Stop, Some(&run), cx));
    let Outcome::Flash(Err(message)) = outcome else {
        panic!("stopping a finished run is refused before the gate")
    };
    assert!(
        message.contains("only a starting or running run"),
        "{message}"
    );
}

#[tokio::test]
async fn crawler_start_and_stop_through_the_gate() {
    let f = Fixture::new(false).await;
    let crawlers = f.glue().crawlers().await.unwrap();
    let start = f.with_ctx(|cx| act(Crawlers.on_cmd(Cmd::Start, Some(&crawlers[0]), cx)));
    assert_eq!(start.spec.id, "glue.start_crawler");
    assert_eq!(
        f.through_gate(start).await.unwrap(),
        format!("started crawler {CRAWLER}")
    );
    let stop = f.with_ctx(|cx| act(Crawlers.on_cmd(Cmd::Stop, Some(&crawlers[0]), cx)));
    assert_eq!(stop.spec.id, "glue.stop_crawler");
    assert_eq!(stop.spec.risk, Risk::Destructive);
    let Decision::NeedsConfirmation(pending) = f.env.gate.submit(stop) else {
        panic!("stopping a crawler asks first")
    };
    // Whatever state the emulator's crawl reached, the answer is the service's, not ours.
    let result = f.env.gate.confirm(pending).run().await.result;
    match result {
        Ok(message) => assert_eq!(message, format!("stopping crawler {CRAWLER}")),
        Err(message) => assert!(message.contains("CrawlerNotRunning"), "{message}"),
    }
}

#[tokio::test]
async fn read_only_refuses_every_glue_action() {
    let f = Fixture::new(true).await;
    let jobs = f.glue().jobs().await.unwrap();
    let crawlers = f.glue().crawlers().await.unwrap();
    let requests = [
        f.with_ctx(|cx| act(Jobs.on_cmd(Cmd::Start, Some(&jobs[0]), cx))),
        act(answer(
            f.with_ctx(|cx| Jobs.on_cmd(Cmd::Edit, Some(&jobs[0]), cx)),
            "--pickup_date=2024-02-01",
        )),
        f.with_ctx(|cx| act(Crawlers.on_cmd(Cmd::Start, Some(&crawlers[0]), cx))),
        f.with_ctx(|cx| act(Crawlers.on_cmd(Cmd::Stop, Some(&crawlers[0]), cx))),
    ];
    for request in requests {
        let id = request.spec.id;
        let result = f.through_gate(request).await;
        assert!(
            matches!(&result, Err(m) if m.contains("read-only")),
            "{id}: {result:?}"
        );
    }
    assert!(f.glue().job_runs(JOB).await.unwrap().is_empty());
    assert_eq!(f.glue().crawlers().await.unwrap()[0].state, "READY");
}
