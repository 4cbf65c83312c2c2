//! The runner with an older real Terraform: 1.0.3 (fetched from PyPI by
//! scripts/fetch-terraform-extras into .venv/tf-extras/), whose `-json` stream announces
//! `ui` 0.1.0, whose `init` has no `-json` and whose `show -json` writes format 0.2; with our
//! test provider on tests/terraform/provider.

#[path = "terraform/support.rs"]
mod support;

use platform_tui::gate::catalog;
use platform_tui::terraform::plan::Value;
use platform_tui::terraform::stream::{Event, Program};
use platform_tui::terraform::{Action, PlanOptions, RunEvent, Terraform, TerraformError};
use support::gate::approval;
use support::{plan, run, terraform_1_0_3, ui_events, vars, Fixture};

#[tokio::test]
async fn terraform_legacy_1_0_3_init_plan_show_apply() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let fixture = Fixture::with_cloud_provider("provider");
    let old = fixture
        .terraform
        .clone()
        .with_program(terraform_1_0_3())
        .detected()
        .await
        .unwrap();
    let version = old.version().unwrap();
    assert_eq!(
        (version.program, version.version.as_str()),
        (Program::Terraform, "1.0.3")
    );
    assert!(!version.has_json_init());
    let workdir = old.workdir(&fixture.dir);

    let (events, result) = run(workdir.init().unwrap()).await;
    result.unwrap();
    let text: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Stdout(line) => Some(line.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        text.iter()
            .any(|l| l.contains("Terraform has been successfully initialized!")),
        "{events:#?}"
    );

    let (events, file) = plan(&workdir, &vars(&[("fail", "true")])).await;
    assert!(
        matches!(ui_events(&events).next(), Some(Event::Version(v)) if v.ui == "0.1.0"),
        "{events:#?}"
    );
    assert_eq!(file.summary.map(|s| s.add), Some(2));
    let reviewed = workdir.show(&file).await.unwrap();
    assert_eq!(reviewed.format_version, "0.2");
    let report = reviewed.change("cloud_object.report").unwrap();
    assert_eq!(report.action, Action::Create);
    let secret = report
        .attributes
        .iter()
        .find(|r| r.path.to_string() == "secret")
        .unwrap();
    assert_eq!(secret.after, Value::Sensitive);
    assert!(!format!("{reviewed:?}").contains("cloud-s3cr3t"));

    let (events, result) = run(workdir.apply(&apply_approval, &file).unwrap()).await;
    assert!(ui_events(&events)
        .any(|e| matches!(e, Event::ApplyComplete(h) if h.resource.addr == "cloud_object.report")));
    let Err(TerraformError::Failed { diagnostics, .. }) = result else {
        panic!("{result:?}")
    };
    assert_eq!(diagnostics[0].summary, "The cloud refused to create broken");
    assert_eq!(
        diagnostics[0]
            .snippet
            .as_ref()
            .and_then(|s| s.context.as_deref()),
        Some(r#"resource "cloud_object" "broken""#)
    );

    let (_, refresh) = plan(
        &workdir,
        &PlanOptions {
            refresh_only: true,
            ..PlanOptions::default()
        },
    )
    .await;
    let refreshed = workdir.show(&refresh).await.unwrap();
    assert!(refreshed.drift.is_empty(), "{:?}", refreshed.drift);
}

#[tokio::test]
async fn terraform_legacy_failures_keep_terraforms_words() {
    let fixture = Fixture::new("basic");
    let old = Terraform::detect(Some(&terraform_1_0_3())).await.unwrap();
    let workdir = old
        .cli_config_file(fixture.tmp.path().join("terraformrc"))
        .workdir(&fixture.dir);
    run(workdir.init().unwrap()).await.1.unwrap();
    // terraform_data is newer than 1.0.3: the plan fails with a diagnostic of the stream
    let (_, result) = run(workdir.plan(&PlanOptions::default()).unwrap()).await;
    let Err(TerraformError::Failed { diagnostics, .. }) = &result else {
        panic!("{result:?}")
    };
    // one per terraform_data block, in no fixed order (root module and child module)
    assert!(
        diagnostics
            .iter()
            .all(|d| d.summary == "Invalid resource type"),
        "{diagnostics:#?}"
    );
    let mut files: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d.range.as_ref().map(|r| r.filename.as_str()))
        .collect();
    files.sort();
    files.dedup();
    assert_eq!(files, ["child/main.tf", "main.tf"]);

    // text-mode init of a broken file: the error comes from standard error
    std::fs::write(fixture.dir.join("broken.tf"), "resource \"x\" \"y\" {\n").unwrap();
    let (_, result) = run(workdir.init().unwrap()).await;
    let error = result.unwrap_err();
    let TerraformError::Failed { stderr, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(stderr.contains("broken.tf"), "{stderr}");
    let message = error.to_string();
    assert!(
        message.contains("terraform init failed") && message.contains("broken.tf"),
        "{message}"
    );
}
