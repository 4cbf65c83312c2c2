//! The Terraform runner against real Terraform (1.15.5, `scripts/terraform`), on the test
//! configuration in tests/terraform/basic (built-in terraform_data, local-exec and a local
//! module: nothing is downloaded). Each test works on its own copy in a temporary directory
//! with an empty CLI configuration file.

#[path = "terraform/support.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use platform_tui::gate::catalog;
use platform_tui::terraform::plan::Value;
use platform_tui::terraform::progress::{Progress, Status};
use platform_tui::terraform::stream::{ChangeAction, Event, Severity};
use platform_tui::terraform::{Action, PlanOptions, RunEvent, Terraform, TerraformError, Workdir};
use support::gate::approval;
use support::{plan, plan_and_apply, repo, run, ui_events, vars, Fixture, STEP_TIMEOUT};

const SECRET: &str = "s3cr3t-value";

/// An initialised private copy of tests/terraform/basic.
async fn basic() -> (Fixture, Workdir) {
    let fixture = Fixture::new("basic");
    let workdir = fixture.init().await;
    (fixture, workdir)
}

#[tokio::test]
async fn terraform_plan_show_apply_with_sensitive_values_masked() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (_fixture, workdir) = basic().await;

    let (events, file) = plan(&workdir, &PlanOptions::default()).await;
    let mut ui = ui_events(&events);
    assert!(
        matches!(ui.next(), Some(Event::Version(v)) if v.is_supported()),
        "{events:#?}"
    );
    let planned: Vec<&str> = ui_events(&events)
        .filter_map(|e| match e {
            Event::PlannedChange(c) if c.action == ChangeAction::Create => {
                Some(c.resource.addr.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(planned.len(), 3, "{planned:?}");
    assert!(planned.contains(&"module.child.terraform_data.item"));
    let summary = file.summary.expect("plan summary");
    assert_eq!((summary.add, summary.change, summary.remove), (3, 0, 0));

    let plan = workdir.show(&file).await.unwrap();
    assert!(plan.applyable && !plan.errored);
    assert_eq!(plan.counts().create, 3);
    let modules: Vec<(String, usize)> = plan
        .by_module()
        .into_iter()
        .map(|g| (g.address, g.changes.len()))
        .collect();
    assert_eq!(modules, [("".into(), 2), ("module.child".into(), 1)]);
    let token = plan.change("terraform_data.token").unwrap();
    let row = |path: &str| {
        token
            .attributes
            .iter()
            .find(|r| r.path.to_string() == path)
            .unwrap_or_else(|| panic!("no {path} in {:?}", token.attributes))
    };
    assert_eq!(row("triggers_replace.token").after, Value::Sensitive);
    assert_eq!(
        row("triggers_replace.name").after,
        Value::Known("\"demo\"".into())
    );
    assert_eq!(row("id").after, Value::Unknown);
    let output = plan.outputs.iter().find(|o| o.name == "token").unwrap();
    assert!(output.sensitive);
    assert_eq!(output.after, Value::Sensitive);
    assert!(!format!("{plan:?}").contains(SECRET), "{plan:#?}");

    let (events, result) = run(workdir.apply(&apply_approval, &file).unwrap()).await;
    let applied = result.unwrap();
    let completed: Vec<&str> = ui_events(&events)
        .filter_map(|e| match e {
            Event::ApplyComplete(h) => Some(h.resource.addr.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(completed.len(), 3, "{events:#?}");
    let started = ui_events(&events)
        .filter(|e| matches!(e, Event::ApplyStart(_)))
        .count();
    assert_eq!(started, 3);
    assert!(matches!(events.last(), Some(RunEvent::Finished(f)) if f.exit_code == Some(0)));
    let mut progress = Progress::default();
    events.iter().for_each(|e| progress.apply_run_event(e));
    assert_eq!(progress.count(Status::Done), 3, "{progress:#?}");
    assert!(progress.diagnostics.is_empty());
    assert_eq!(applied.summary.map(|s| s.add), Some(3));
    let greeting = applied
        .outputs
        .iter()
        .find(|o| o.name == "greeting")
        .unwrap();
    assert_eq!(greeting.value, Some(serde_json::json!("hello demo")));
    let token = applied.outputs.iter().find(|o| o.name == "token").unwrap();
    assert!(token.sensitive && token.value.is_none());

    let mut state = workdir.state_list().await.unwrap();
    state.sort();
    assert_eq!(
        state,
        [
            "module.child.terraform_data.item",
            "terraform_data.greeting",
            "terraform_data.token"
        ]
    );
    let outputs = workdir.outputs().await.unwrap();
    let names: Vec<&str> = outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["child_item", "greeting", "token"]);
    assert!(outputs[2].sensitive && outputs[2].value.is_none());
    assert!(!format!("{outputs:?}").contains(SECRET));
}

#[tokio::test]
async fn terraform_replace_shows_its_cause_and_a_failing_create_its_diagnostic() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (_fixture, workdir) = basic().await;
    plan_and_apply(&workdir, &PlanOptions::default()).await;

    let (_, file) = plan(&workdir, &vars(&[("name", "other"), ("fail", "true")])).await;
    let plan = workdir.show(&file).await.unwrap();
    let counts = plan.counts();
    assert_eq!(
        (counts.create, counts.update, counts.replace),
        (1, 2, 1),
        "{counts:?}"
    );
    assert!(plan.destroys());
    let token = plan.change("terraform_data.token").unwrap();
    assert_eq!(
        token.action,
        Action::Replace {
            create_before_destroy: false
        }
    );
    let replace_paths: Vec<String> = token.replace_paths.iter().map(|p| p.to_string()).collect();
    assert_eq!(replace_paths, ["triggers_replace"]);
    let changed: Vec<(String, bool)> = token
        .changed_attributes()
        .map(|r| (r.path.to_string(), r.forces_replacement))
        .collect();
    assert!(
        changed.contains(&("triggers_replace.name".into(), true)),
        "{changed:?}"
    );
    let secret_row = token
        .attributes
        .iter()
        .find(|r| r.path.to_string() == "triggers_replace.token")
        .unwrap();
    assert_eq!(
        (&secret_row.before, &secret_row.after),
        (&Value::Sensitive, &Value::Sensitive)
    );
    assert!(!format!("{plan:?}").contains(SECRET));

    let (events, result) = run(workdir.apply(&apply_approval, &file).unwrap()).await;
    let errored: Vec<&str> = ui_events(&events)
        .filter_map(|e| match e {
            Event::ApplyErrored(h) => Some(h.resource.addr.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(errored, ["terraform_data.broken[0]"]);
    let Err(TerraformError::Failed { diagnostics, .. }) = result else {
        panic!("{result:?}")
    };
    let failure = &diagnostics[0];
    assert_eq!(failure.severity, Severity::Error);
    assert_eq!(failure.summary, "local-exec provisioner error");
    assert!(failure.detail.contains("exit status 3"), "{failure:?}");
    assert_eq!(failure.address.as_deref(), Some("terraform_data.broken[0]"));
    let range = failure.range.as_ref().unwrap();
    assert_eq!(range.filename, "main.tf");
    let snippet = failure.snippet.as_ref().unwrap();
    assert_eq!(
        snippet.context.as_deref(),
        Some(r#"resource "terraform_data" "broken""#)
    );
    assert!(snippet.code.contains("provisioner \"local-exec\""));
    let main_tf = std::fs::read_to_string(workdir.dir().join("main.tf")).unwrap();
    let line = main_tf.lines().nth(range.start.line as usize - 1).unwrap();
    assert_eq!(line, snippet.code, "the range points at the snippet's line");
}

#[tokio::test]
async fn terraform_stale_plan_is_refused_with_terraforms_message() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (_fixture, workdir) = basic().await;
    let (_, first) = plan(&workdir, &vars(&[("name", "first")])).await;
    let (_, second) = plan(&workdir, &vars(&[("name", "second")])).await;
    run(workdir.apply(&apply_approval, &second).unwrap())
        .await
        .1
        .unwrap();

    let (_, result) = run(workdir.apply(&apply_approval, &first).unwrap()).await;
    let error = result.unwrap_err();
    let TerraformError::Failed { diagnostics, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(diagnostics[0].summary, "Saved plan is stale");
    let message = error.to_string();
    assert!(
        message.contains("terraform apply failed") && message.contains("Saved plan is stale"),
        "{message}"
    );
    let state = workdir.state_list().await.unwrap();
    assert_eq!(
        state.len(),
        3,
        "nothing of the stale plan was applied: {state:?}"
    );
}

#[tokio::test]
async fn terraform_refresh_only_plan_reports_refreshes_and_no_drift() {
    let (_fixture, workdir) = basic().await;
    plan_and_apply(&workdir, &PlanOptions::default()).await;

    let options = PlanOptions {
        refresh_only: true,
        ..PlanOptions::default()
    };
    let (events, file) = plan(&workdir, &options).await;
    assert!(file.refresh_only);
    let refreshed = ui_events(&events)
        .filter(|e| matches!(e, Event::RefreshComplete(_)))
        .count();
    assert_eq!(refreshed, 3, "{events:#?}");
    let plan = workdir.show(&file).await.unwrap();
    // terraform_data has nothing behind it that could change: no drift, nothing to apply
    assert!(plan.drift.is_empty(), "{:?}", plan.drift);
    assert_eq!(plan.actionable().count(), 0);
    assert!(plan.outputs.iter().all(|o| o.action == Action::NoOp));
}

#[tokio::test]
async fn terraform_cancel_interrupts_a_long_apply_promptly() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (_fixture, workdir) = basic().await;
    let (_, file) = plan(&workdir, &vars(&[("sleep_seconds", "30")])).await;
    let mut apply = workdir.apply(&apply_approval, &file).unwrap();
    let mut events = Vec::new();
    tokio::time::timeout(STEP_TIMEOUT, async {
        while let Some(event) = apply.events.recv().await {
            let provisioning = matches!(&event, RunEvent::Ui(Event::ProvisionStart(h))
                if h.resource.addr == "terraform_data.slow[0]");
            events.push(event);
            if provisioning {
                break;
            }
        }
    })
    .await
    .expect("the slow resource's provisioner never started");

    let cancelled_at = Instant::now();
    apply.cancel();
    let (rest, result) = run(apply).await;
    let took = cancelled_at.elapsed();
    assert!(took < Duration::from_secs(15), "cancel took {took:?}");
    assert!(
        matches!(result, Err(TerraformError::Cancelled { .. })),
        "{result:?}"
    );
    assert!(
        ui_events(&rest)
            .any(|e| matches!(e, Event::Log(m) if m.text.contains("Interrupt received"))),
        "{rest:#?}"
    );
    assert!(matches!(rest.last(), Some(RunEvent::Finished(f)) if f.cancelled));
    // Terraform stopped gracefully: the state was saved, with the interrupted resource
    // tainted (its provisioner failed), so the next plan replaces it
    let state = workdir.state_list().await.unwrap();
    assert!(
        state.contains(&"terraform_data.slow[0]".to_string()),
        "{state:?}"
    );
    let (_, file) = plan(&workdir, &vars(&[("sleep_seconds", "30")])).await;
    let next = workdir.show(&file).await.unwrap();
    let slow = next.change("terraform_data.slow[0]").unwrap();
    assert!(matches!(slow.action, Action::Replace { .. }), "{slow:?}");
    assert_eq!(
        slow.action_reason.as_deref(),
        Some("replace_because_tainted")
    );
}

#[tokio::test]
async fn terraform_one_operation_at_a_time_per_directory() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (fixture, workdir) = basic().await;
    let other = Fixture::new("basic");
    let (_, file) = plan(&workdir, &vars(&[("sleep_seconds", "30")])).await;
    let apply = workdir.apply(&apply_approval, &file).unwrap();

    // the same directory, even spelled differently, is busy for every command
    let same = fixture.terraform.workdir(fixture.dir.join("child/.."));
    let busy = same.plan(&PlanOptions::default()).unwrap_err();
    assert!(matches!(busy, TerraformError::Busy { .. }), "{busy:?}");
    assert!(busy
        .to_string()
        .contains("another Terraform operation is running"));
    assert!(matches!(
        workdir.state_list().await,
        Err(TerraformError::Busy { .. })
    ));
    // another directory is not
    let (_, result) = run(other.workdir().init().unwrap()).await;
    result.unwrap();

    apply.cancel();
    apply.cancel(); // a second cancel kills
    let (_, result) = run(apply).await;
    assert!(
        matches!(result, Err(TerraformError::Cancelled { .. })),
        "{result:?}"
    );
    let workspaces = workdir.workspaces().await;
    assert!(workspaces.is_ok(), "the lock is released: {workspaces:?}");
}

#[tokio::test]
async fn terraform_workspaces_list_and_select() {
    let select_approval = approval(&catalog::TERRAFORM_SELECT_WORKSPACE).await;
    let (_fixture, workdir) = basic().await;
    let listed = workdir.workspaces().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].name == "default" && listed[0].current);

    workdir
        .select_workspace(&select_approval, "staging", true)
        .await
        .unwrap();
    let listed = workdir.workspaces().await.unwrap();
    let current: Vec<&str> = listed
        .iter()
        .filter(|w| w.current)
        .map(|w| w.name.as_str())
        .collect();
    assert_eq!(current, ["staging"]);
    assert_eq!(listed.len(), 2);

    let missing = workdir
        .select_workspace(&select_approval, "nope", false)
        .await
        .unwrap_err();
    let message = missing.to_string();
    assert!(
        message.contains("workspace select") && message.contains("nope"),
        "{message}"
    );
}

#[tokio::test]
async fn terraform_locate_takes_an_explicit_program_first() {
    let program = repo().join("scripts/terraform");
    let found = Terraform::detect(Some(&program)).await.unwrap();
    assert_eq!(found.program(), program);
    let version = found.version().unwrap();
    assert_eq!(version.version, "1.15.5");
    assert!(version.has_json_init());
    let missing = Terraform::locate(Some(Path::new("/nonexistent/terraform"))).unwrap_err();
    assert!(matches!(missing, TerraformError::NotFound { .. }));
    assert!(missing.to_string().contains("/nonexistent/terraform"));
}

#[tokio::test]
async fn terraform_plan_file_belongs_to_its_directory_and_can_be_discarded() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (fixture, workdir) = basic().await;
    let (_, file) = plan(&workdir, &PlanOptions::default()).await;
    let other = Fixture::new("basic");
    let error = other.workdir().apply(&apply_approval, &file).unwrap_err();
    assert!(
        matches!(error, TerraformError::ForeignPlan { .. }),
        "{error:?}"
    );
    let error = other.workdir().show(&file).await.unwrap_err();
    assert!(
        matches!(error, TerraformError::ForeignPlan { .. }),
        "{error:?}"
    );
    assert!(file.path.starts_with(fixture.dir.join(".terraform")));
    let path = file.path.clone();
    file.discard().unwrap();
    assert!(!path.exists());
}

/// A program that is not Terraform: it announces a UI protocol 2.0, then would run for 30 s.
/// The runner must stop it at its first line rather than misread what follows.
#[tokio::test]
async fn terraform_unsupported_ui_version_stops_the_program_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let program = tmp.path().join("terraform");
    std::fs::write(
        &program,
        "#!/bin/sh\necho '{\"terraform\":\"9.0.0\",\"type\":\"version\",\"ui\":\"2.0\"}'\nexec sleep 30\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();

    let started = Instant::now();
    let workdir = Terraform::new(&program).workdir(tmp.path());
    let op = workdir.plan(&PlanOptions::default()).unwrap();
    let canceller = op.canceller();
    let (_, result) = run(op).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let Err(TerraformError::UnsupportedUi { ui, version, .. }) = &result else {
        panic!("{result:?}")
    };
    assert_eq!((ui.as_str(), version.as_str()), ("2.0", "9.0.0"));
    canceller.cancel(); // after the end: nothing left to signal, nothing happens
}

#[tokio::test]
async fn terraform_destroy_plan_deletes_everything() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (_fixture, workdir) = basic().await;
    plan_and_apply(&workdir, &PlanOptions::default()).await;
    let options = PlanOptions {
        destroy: true,
        ..PlanOptions::default()
    };
    let (_, file) = plan(&workdir, &options).await;
    let reviewed = workdir.show(&file).await.unwrap();
    assert_eq!(reviewed.counts().delete, 3);
    assert!(reviewed.destroys());
    let (_, result) = run(workdir.apply(&apply_approval, &file).unwrap()).await;
    assert_eq!(result.unwrap().summary.map(|s| s.remove), Some(3));
    assert!(workdir.state_list().await.unwrap().is_empty());
}
