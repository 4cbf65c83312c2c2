//! The provisioning views. Snapshots (TestBackend + insta) of the plan tree and the diff of a
//! replaced resource with its sensitive attribute masked, from the SYNTHETIC aws-shaped plan
//! (tests/terraform/synthetic, hand-written: the AWS provider cannot be installed here); a
//! failing apply's progress and diagnostic with its source snippet, from a recorded stream;
//! the typed confirmation of a destroying apply. Then a real end-to-end flow through the app
//! with real Terraform 1.15.5 and our test provider on the sandbox demo configuration:
//! init → plan → review → apply → replace (typed confirmation) with a failing resource →
//! drift after changing the provider's "cloud".

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use platform_tui::app::keys::KeyMap;
use platform_tui::app::message::Msg;
use platform_tui::app::view::boxed;
use platform_tui::app::{App, Mode};
use platform_tui::config::Context;
use platform_tui::gate::{AuditLog, Outcome as AuditOutcome};
use platform_tui::kinds::terraform::actions::{self, Reply};
use platform_tui::kinds::terraform::{OpKind, Pane, ProvisioningView};
use platform_tui::terraform::{parse_line, Plan, PlanFile, RunEvent, Target, Terraform};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

#[path = "support/screen.rs"]
mod screen;
use screen::{draw_view, screen, AppHarness};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn synthetic_plan() -> Plan {
    let text =
        std::fs::read_to_string(repo().join("tests/terraform/synthetic/aws_plan.json")).unwrap();
    Plan::from_json(&text).unwrap()
}

/// A root module that does not exist here (only its name is shown).
const PROD_DIR: &str = "/srv/platform/infra/envs/prod";

fn prod_target() -> Option<Target> {
    Some(Target {
        dir: PROD_DIR.into(),
        program: None,
        demo: false,
    })
}

fn recorded(name: &str) -> Vec<RunEvent> {
    std::fs::read_to_string(repo().join("tests/terraform/recorded").join(name))
        .unwrap()
        .lines()
        .map(|l| RunEvent::Ui(parse_line(l)))
        .collect()
}

#[test]
fn plan_tree_and_diff_of_a_replace_with_a_masked_secret() {
    let mut view = ProvisioningView::new(prod_target(), "prod", false, Pane::Plan)
        .reviewing(synthetic_plan(), false);
    view.select("module.redshift.aws_redshift_cluster.this");
    let text = screen(&draw_view(&mut view, 150, 30));
    assert!(text.contains("-/+ aws_redshift_cluster.this"), "{text}");
    assert!(text.contains("database_name forces replacement"), "{text}");
    assert!(text.contains("(sensitive value)"), "{text}");
    assert!(
        !text.contains("synthetic-master-pw"),
        "a secret reached the screen"
    );
    insta::assert_snapshot!("terraform_plan_tree_and_replace_diff", text);
}

#[test]
fn diff_marks_unknown_values_and_all_attributes_on_detail() {
    let mut view = ProvisioningView::new(prod_target(), "prod", false, Pane::Plan)
        .reviewing(synthetic_plan(), false);
    view.select("module.glue.aws_glue_job.process_to_staging");
    let text = screen(&draw_view(&mut view, 150, 30));
    assert!(text.contains("(known after apply)"), "{text}");
    insta::assert_snapshot!("terraform_diff_of_a_create", text);
}

#[test]
fn drift_review_lists_what_changed_outside_terraform() {
    let mut view = ProvisioningView::new(prod_target(), "prod", false, Pane::Plan)
        .reviewing(synthetic_plan(), true);
    let text = screen(&draw_view(&mut view, 150, 20));
    assert!(
        text.contains("Drift: 1 change(s) made outside Terraform"),
        "{text}"
    );
    assert!(text.contains("someone-in-the-console"), "{text}");
    insta::assert_snapshot!("terraform_drift_review", text);
}

#[test]
fn failing_apply_shows_progress_and_the_diagnostic_with_its_snippet() {
    let events = recorded("apply2.jsonl");
    let mut view = ProvisioningView::new(prod_target(), "prod", false, Pane::Apply).with_events(
        OpKind::Apply,
        &events,
        Some(Err("terraform apply failed (exit 1)".into())),
    );
    let text = screen(&draw_view(&mut view, 150, 40));
    assert!(text.contains("FAILED"), "{text}");
    assert!(
        text.contains("Error: local-exec provisioner error"),
        "{text}"
    );
    assert!(text.contains("on main.tf:"), "{text}");
    assert!(text.contains(" │ "), "the snippet's source lines: {text}");
    insta::assert_snapshot!("terraform_failing_apply", text);
}

#[test]
fn live_plan_progress_lists_resources_refreshing_and_planned() {
    let events = recorded("plan2.jsonl");
    let mut view = ProvisioningView::new(prod_target(), "prod", false, Pane::Plan).with_events(
        OpKind::Plan {
            refresh_only: false,
        },
        &events[..8],
        None,
    );
    let text = screen(&draw_view(&mut view, 120, 16));
    assert!(text.contains("plan running"), "{text}");
    assert!(text.contains("refreshed"), "{text}");
    insta::assert_snapshot!("terraform_plan_progress", text);
}

#[test]
fn invalid_configuration_shows_the_diagnostic_with_file_line_and_highlighted_snippet() {
    let events = recorded("plan_invalid.jsonl");
    let mut view = ProvisioningView::new(prod_target(), "prod", false, Pane::Plan).with_events(
        OpKind::Plan {
            refresh_only: false,
        },
        &events,
        Some(Err("terraform plan failed (exit 1)".into())),
    );
    let terminal = draw_view(&mut view, 100, 16);
    let text = screen(&terminal);
    assert!(text.contains("Error: Invalid operand"), "{text}");
    assert!(text.contains("on main.tf:5, in output \"x\""), "{text}");
    assert!(text.contains("5 │   value = local.a + \"nope\""), "{text}");
    assert!(text.contains("a number is required"), "{text}");
    // the operand Terraform points at is highlighted
    let buffer = terminal.backend().buffer();
    let (_, row) = screen::position_of(&terminal, "value = local.a").unwrap();
    let highlighted: String = (0..buffer.area.width)
        .filter(|&x| buffer[(x, row)].style().bg == screen::theme().highlight.bg)
        .map(|x| buffer[(x, row)].symbol())
        .collect();
    assert_eq!(highlighted, "\"nope\"");
    insta::assert_snapshot!("terraform_invalid_configuration", text);
}

#[test]
fn init_shows_terraforms_progress_messages() {
    let events = recorded("init.jsonl");
    let mut view = ProvisioningView::new(prod_target(), "prod", false, Pane::Home).with_events(
        OpKind::Init,
        &events,
        Some(Ok("Terraform initialised".into())),
    );
    let text = screen(&draw_view(&mut view, 120, 20));
    assert!(text.contains("init finished"), "{text}");
    assert!(
        text.contains("Terraform has been successfully initialized!"),
        "{text}"
    );
    insta::assert_snapshot!("terraform_init", text);
}

#[test]
fn a_context_without_terraform_says_how_to_configure_it() {
    let mut view = ProvisioningView::new(None, "prod", false, Pane::Home);
    let text = screen(&draw_view(&mut view, 100, 16));
    assert!(text.contains("[contexts.prod.terraform]"), "{text}");
    insta::assert_snapshot!("terraform_unconfigured", text);
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Msg {
    Msg::Terminal(Event::Key(KeyEvent::new(code, modifiers)))
}

/// The apply request of a destroying plan, as the plan view makes it, in the app: the dialog
/// asks for the workspace name; a wrong word is refused and recorded, nothing runs.
#[tokio::test]
async fn destroying_apply_asks_to_type_the_workspace_name() {
    let view = ProvisioningView::new(prod_target(), "prod", false, Pane::Plan);
    let mut h = AppHarness::new(false, boxed(view), 110, 24).await;
    // never run: the wrong word stops it
    let workdir = Terraform::new("/nonexistent/terraform").workdir(PROD_DIR);
    let file = PlanFile {
        path: Path::new(PROD_DIR).join(".terraform/reviewed.tfplan"),
        dir: workdir.dir().to_path_buf(),
        refresh_only: false,
        summary: None,
    };
    let request = actions::apply_request(
        workdir,
        file,
        &synthetic_plan(),
        "prod",
        1,
        Reply::new(|_| false),
    );
    h.app.handle(platform_tui::app::view::Outcome::Act(request));
    assert!(matches!(h.app.mode, Mode::Confirm(_)));
    h.type_text("yprd");
    let text = h.draw();
    assert!(text.contains("type 'prod' and press enter"), "{text}");
    assert!(text.contains("> yprd"), "y alone does not approve: {text}");
    insta::assert_snapshot!("terraform_typed_confirmation_dialog", text);
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(h.app.mode, Mode::Normal));
    assert!(
        h.flash().contains("refused: typed 'yprd', not 'prod'"),
        "{}",
        h.flash()
    );
    let records = h.app.env.gate.audit_log().read_all().unwrap();
    let last = records.last().unwrap();
    assert_eq!(last.action, "terraform.apply");
    assert_eq!(last.outcome, AuditOutcome::Refused);
}

#[tokio::test]
async fn read_only_context_refuses_apply_and_says_so_first() {
    let view = ProvisioningView::new(prod_target(), "prod", true, Pane::Plan)
        .reviewing(synthetic_plan(), false);
    let mut h = AppHarness::new(true, boxed(view), 120, 24).await;
    let text = h.draw();
    assert!(
        text.contains("READ-ONLY context: plan and look; apply is refused"),
        "{text}"
    );
    assert!(!text.contains("ctrl-a apply"), "{text}");
}

// ---- end to end with real Terraform ---------------------------------------------------------

/// The app on a sandbox context (no terraform settings: the demo), with its message loop.
struct Console {
    app: App,
    rx: mpsc::UnboundedReceiver<Msg>,
    terminal: Terminal<TestBackend>,
    audit: AuditLog,
}

impl Console {
    fn new(home: &Path) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let context = Context {
            name: "sandbox".into(),
            region: Some("us-east-1".into()),
            endpoint_url: Some("http://127.0.0.1:1".into()),
            sandbox: true,
            ..Context::default()
        };
        let audit = AuditLog::new(home.join("audit.jsonl"));
        let app = App::new(
            vec![context.clone()],
            context,
            screen::theme(),
            KeyMap::default(),
            audit.clone(),
            tx,
        );
        Self {
            app,
            rx,
            terminal: Terminal::new(TestBackend::new(160, 45)).unwrap(),
            audit,
        }
    }

    fn draw(&mut self) -> String {
        let app = &mut self.app;
        self.terminal
            .draw(|f| platform_tui::ui::draw(f, app))
            .unwrap();
        screen(&self.terminal)
    }

    fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.app.update(key(code, modifiers));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    fn command(&mut self, line: &str) {
        self.type_text(":");
        self.type_text(line);
        self.press(KeyCode::Enter, KeyModifiers::NONE);
    }

    /// Handles messages until the screen contains `text`; returns the screen and how long.
    async fn until(&mut self, text: &str, limit: Duration) -> (String, Duration) {
        let start = Instant::now();
        loop {
            let screen = self.draw();
            if screen.contains(text) {
                return (screen, start.elapsed());
            }
            assert!(
                start.elapsed() < limit,
                "no {text:?} after {limit:?}; flash {:?}; screen:\n{screen}",
                self.app.flash.as_ref().map(|f| f.text.clone())
            );
            if let Ok(Some(msg)) =
                tokio::time::timeout(Duration::from_millis(200), self.rx.recv()).await
            {
                self.app.update(msg);
                while let Ok(msg) = self.rx.try_recv() {
                    self.app.update(msg);
                }
            }
        }
    }
}

const STEP: Duration = Duration::from_secs(180);

fn edit_cloud_object(cloud: &Path, id: &str, field: &str, value: &str) {
    let path = cloud.join(format!("{id}.json"));
    let mut object: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    object[field] = value.into();
    std::fs::write(&path, object.to_string()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_to_end_plan_review_apply_failure_and_drift_on_the_sandbox_demo() {
    let home = tempfile::tempdir().unwrap();
    // the demo lives under the state directory; this test binary is its only user
    std::env::set_var(platform_tui::paths::HOME_OVERRIDE, home.path());
    let mut console = Console::new(home.path());
    let ctrl = KeyModifiers::CONTROL;

    console.command("terraform");
    let (text, took) = console.until("not initialised yet", STEP).await;
    assert!(text.contains("(sandbox demo)"), "{text}");
    eprintln!("connect (demo prepared, version asked): {took:?}");

    console.type_text("I");
    let (_, took) = console.until("│init finished", STEP).await;
    eprintln!("init: {took:?}");

    console.type_text("P");
    let (text, took) = console.until("│plan finished", STEP).await;
    eprintln!("first plan: {took:?}");
    assert!(
        text.contains("Plan: 5 to add, 0 to change, 0 to replace, 0 to destroy"),
        "{text}"
    );
    assert!(text.contains("▾ module.lake"), "grouped by module: {text}");
    assert!(text.contains("ctrl-a apply this plan"), "{text}");

    console.press(KeyCode::Char('a'), ctrl);
    let text = console.draw();
    assert!(
        text.contains("Apply the reviewed plan?"),
        "asks first: {text}"
    );
    assert!(
        text.contains("Plan: 5 to add"),
        "the dialog shows the counts: {text}"
    );
    console.type_text("y");
    let (text, took) = console.until("│apply finished", STEP).await;
    eprintln!("first apply (5 creates): {took:?}");
    assert!(
        text.contains("Apply complete: 5 added, 0 changed, 0 destroyed"),
        "{text}"
    );
    assert!(
        text.contains("warehouse_password = (sensitive value)"),
        "{text}"
    );
    assert!(
        text.contains("pipeline_id = \"sandbox-pipeline\""),
        "{text}"
    );

    // a replace of the warehouse (its secret masked) and a create that fails
    let root = home.path().join("state/terraform-demo/root");
    std::fs::write(
        root.join("terraform.tfvars"),
        "warehouse_name = \"warehouse-v2\"\nfail = true\n",
    )
    .unwrap();
    console.type_text("P");
    let (text, took) = console.until("│plan finished", STEP).await;
    eprintln!("second plan: {took:?}");
    assert!(
        text.contains("1 to add, 0 to change, 1 to replace, 0 to destroy"),
        "{text}"
    );
    console.type_text("j"); // the tree starts at the first change; find the replace
    let text = loop {
        let text = console.draw();
        if text.contains("replace (destroy, then create)") {
            break text;
        }
        console.type_text("j");
    };
    assert!(text.contains("name forces replacement"), "{text}");
    assert!(text.contains("(sensitive value)"), "{text}");
    assert!(
        !text.contains("demo-warehouse-pw"),
        "the secret reached the screen"
    );

    console.press(KeyCode::Char('a'), ctrl);
    console.type_text("y");
    let text = console.draw();
    assert!(text.contains("type 'default' and press enter"), "{text}");
    console.press(KeyCode::Backspace, KeyModifiers::NONE);
    console.type_text("default");
    console.press(KeyCode::Enter, KeyModifiers::NONE);
    let (text, took) = console.until("│apply failed:", STEP).await;
    eprintln!("second apply (replace + failing create): {took:?}");
    assert!(text.contains("FAILED"), "{text}");
    assert!(
        text.contains("Error: The cloud refused to create sandbox-broken"),
        "{text}"
    );
    assert!(text.contains("cloud_object.broken[0]"), "{text}");
    let outcomes: Vec<_> = console
        .audit
        .read_all()
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "terraform.apply")
        .map(|r| r.outcome)
        .collect();
    // Each apply is recorded as attempted before it runs, then with its outcome.
    assert_eq!(
        outcomes,
        [
            AuditOutcome::Attempted,
            AuditOutcome::Succeeded,
            AuditOutcome::Attempted,
            AuditOutcome::Failed
        ]
    );

    // a drift check in the same view keeps the failed apply's errors on the apply pane
    console.press(KeyCode::Char('A'), KeyModifiers::NONE);
    console.press(KeyCode::Char('P'), KeyModifiers::NONE);
    console
        .until("drift check (refresh-only plan) finished", STEP)
        .await;
    console.press(KeyCode::Char('v'), KeyModifiers::NONE);
    let (text, _) = console.until("1 error(s) below", STEP).await;
    assert!(text.contains("Provisioning · apply"), "{text}");
    assert!(text.contains("FAILED"), "{text}");
    assert!(text.contains("cloud_object.broken[0]"), "{text}");

    // someone changes the cloud behind Terraform's back
    std::fs::remove_file(root.join("terraform.tfvars")).unwrap();
    let cloud = home.path().join("state/terraform-demo/cloud");
    edit_cloud_object(&cloud, "sandbox-pipeline", "content", "edited-outside");
    console.command("drift");
    let (text, took) = console
        .until("drift check (refresh-only plan) finished", STEP)
        .await;
    eprintln!("drift check: {took:?}");
    assert!(
        text.contains("Drift: 1 change(s) made outside Terraform"),
        "{text}"
    );
    assert!(text.contains("cloud_object.pipeline"), "{text}");
    assert!(text.contains("\"@daily\" → \"edited-outside\""), "{text}");

    // the state moves on behind the reviewed plan's back: Terraform refuses it, and says why
    let outside = std::process::Command::new(repo().join("scripts/terraform"))
        .args([
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ])
        .current_dir(&root)
        .env(
            "TF_CLI_CONFIG_FILE",
            home.path().join("state/terraform-demo/terraformrc"),
        )
        .env("TF_VAR_cloud_dir", &cloud)
        .output()
        .unwrap();
    assert!(
        outside.status.success(),
        "{}",
        String::from_utf8_lossy(&outside.stderr)
    );
    console.press(KeyCode::Char('a'), ctrl);
    console.type_text("y");
    let (text, _) = console.until("│apply failed:", STEP).await;
    assert!(text.contains("Saved plan is stale"), "{text}");
    assert!(
        !text.contains("ctrl-a apply this plan"),
        "an applied plan is gone: {text}"
    );

    // state and workspaces
    console.command("tfstate");
    let (text, _) = console.until("Outputs (3)", STEP).await;
    assert!(
        text.contains("module.lake.cloud_object.zone[\"gold\"]"),
        "{text}"
    );
    assert!(
        text.contains("warehouse_password = (sensitive value)"),
        "{text}"
    );
    assert!(!text.contains("demo-warehouse-pw"), "{text}");
    // a workspace made outside (which selects it); enter on `default` selects it back
    let outside = std::process::Command::new(repo().join("scripts/terraform"))
        .args(["workspace", "new", "-no-color", "staging"])
        .current_dir(&root)
        .env(
            "TF_CLI_CONFIG_FILE",
            home.path().join("state/terraform-demo/terraformrc"),
        )
        .output()
        .unwrap();
    assert!(
        outside.status.success(),
        "{}",
        String::from_utf8_lossy(&outside.stderr)
    );
    console.command("workspaces");
    let (text, _) = console.until("* staging", STEP).await;
    assert!(text.contains("enter selects"), "{text}");
    console.press(KeyCode::Enter, KeyModifiers::NONE);
    let (text, _) = console.until("* default", STEP).await;
    assert!(text.contains("workspace default"), "{text}");
    let last = console.audit.read_all().unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.outcome),
        ("terraform.select_workspace", AuditOutcome::Succeeded)
    );
}
