//! The runner and plan model with real Terraform 1.15.5 and a real provider of ours
//! (sandbox/tfprovider, PyPI `tf`, installed from a filesystem mirror) on
//! tests/terraform/provider: update in place, a sensitive attribute, a replace forced by an
//! attribute, drift made behind Terraform's back, import, and a failing create.

#[path = "terraform/support.rs"]
mod support;

use platform_tui::gate::catalog;
use platform_tui::terraform::plan::Value;
use platform_tui::terraform::stream::{ChangeAction, Event};
use platform_tui::terraform::{Action, PlanOptions, ResourceChange, TerraformError, Workdir};
use support::gate::approval;
use support::{plan, plan_and_apply, run, ui_events, vars, Fixture};

const API_KEY: &str = "cloud-s3cr3t";
const REPORT: &str = "cloud_object.report";

/// An initialised copy of tests/terraform/provider with the report object applied.
async fn applied() -> (Fixture, Workdir) {
    let fixture = Fixture::with_cloud_provider("provider");
    let workdir = fixture.init().await;
    plan_and_apply(&workdir, &PlanOptions::default()).await;
    assert!(fixture.cloud().join("report.json").exists());
    (fixture, workdir)
}

fn row<'a>(change: &'a ResourceChange, path: &str) -> (&'a Value, &'a Value, bool) {
    let row = change
        .attributes
        .iter()
        .find(|r| r.path.to_string() == path)
        .unwrap_or_else(|| panic!("no {path} in {:#?}", change.attributes));
    (&row.before, &row.after, row.forces_replacement)
}

fn known(s: &str) -> Value {
    Value::Known(format!("{s:?}"))
}

/// Changes an object in the "cloud" as someone outside Terraform would.
fn edit_cloud_object(fixture: &Fixture, id: &str, field: &str, value: &str) {
    let path = fixture.cloud().join(format!("{id}.json"));
    let mut object: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    object[field] = value.into();
    std::fs::write(&path, object.to_string()).unwrap();
}

#[tokio::test]
async fn terraform_provider_update_in_place_and_replace_keep_the_secret_masked() {
    let (_fixture, workdir) = applied().await;

    let (_, file) = plan(&workdir, &vars(&[("content", "v2")])).await;
    let update = workdir.show(&file).await.unwrap();
    let report = update.change(REPORT).unwrap();
    assert_eq!(report.action, Action::Update);
    let changed: Vec<String> = report
        .changed_attributes()
        .map(|r| r.path.to_string())
        .collect();
    assert_eq!(changed, ["content"], "the unchanged secret is not a change");
    assert_eq!(row(report, "content"), (&known("v1"), &known("v2"), false));
    assert_eq!(
        row(report, "secret"),
        (&Value::Sensitive, &Value::Sensitive, false)
    );
    assert!(!format!("{update:?}").contains(API_KEY));
    // Applied with content of another length: the computed size follows (planned from the
    // content, so the result is what the plan said: no "inconsistent result after apply").
    let longer = vars(&[("content", "a schedule of another length")]);
    let (_, file) = plan(&workdir, &longer).await;
    let planned = workdir.show(&file).await.unwrap();
    let size = row(planned.change(REPORT).unwrap(), "size").1;
    assert_eq!(size, &Value::Known("28".into()));
    plan_and_apply(&workdir, &longer).await;

    let (_, file) = plan(&workdir, &vars(&[("report_name", "renamed")])).await;
    let replace = workdir.show(&file).await.unwrap();
    let report = replace.change(REPORT).unwrap();
    assert_eq!(
        report.action,
        Action::Replace {
            create_before_destroy: false
        }
    );
    assert_eq!(
        row(report, "name"),
        (&known("report"), &known("renamed"), true)
    );
    assert_eq!(row(report, "id").1, &Value::Unknown);
    assert!(!format!("{replace:?}").contains(API_KEY));
}

#[tokio::test]
async fn terraform_provider_drift_made_outside_terraform_is_found_and_accepted() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (fixture, workdir) = applied().await;
    edit_cloud_object(&fixture, "report", "content", "edited in the console");
    edit_cloud_object(&fixture, "report", "secret", "rotated-by-hand");

    let options = PlanOptions {
        refresh_only: true,
        ..PlanOptions::default()
    };
    let (events, file) = plan(&workdir, &options).await;
    let drifted: Vec<(&str, &ChangeAction)> = ui_events(&events)
        .filter_map(|e| match e {
            Event::ResourceDrift(c) => Some((c.resource.addr.as_str(), &c.action)),
            _ => None,
        })
        .collect();
    assert_eq!(drifted, [(REPORT, &ChangeAction::Update)]);
    let drift = workdir.show(&file).await.unwrap();
    assert_eq!(drift.drift.len(), 1);
    let report = &drift.drift[0];
    assert_eq!(
        row(report, "content"),
        (&known("v1"), &known("edited in the console"), false)
    );
    assert_eq!(row(report, "secret").1, &Value::Sensitive);
    let changed: Vec<String> = report
        .changed_attributes()
        .map(|r| r.path.to_string())
        .collect();
    assert_eq!(
        changed,
        ["content", "secret"],
        "a changed secret is a change"
    );
    let debug = format!("{drift:?}");
    assert!(!debug.contains("rotated-by-hand") && !debug.contains(API_KEY));

    // accepting the drift updates the state only; the next plan puts the object back
    run(workdir.apply(&apply_approval, &file).unwrap())
        .await
        .1
        .unwrap();
    let (_, file) = plan(&workdir, &PlanOptions::default()).await;
    let repair = workdir.show(&file).await.unwrap();
    assert!(repair.drift.is_empty(), "{:?}", repair.drift);
    let report = repair.change(REPORT).unwrap();
    assert_eq!(report.action, Action::Update);
    assert_eq!(
        row(report, "content"),
        (&known("edited in the console"), &known("v1"), false)
    );
}

#[tokio::test]
async fn terraform_provider_import_of_an_existing_object() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (fixture, workdir) = applied().await;
    std::fs::write(
        fixture.cloud().join("legacy.json"),
        r#"{"id":"legacy","name":"legacy","content":"made by hand","secret":null,"fail":null,"size":12}"#,
    )
    .unwrap();
    std::fs::write(
        fixture.dir.join("import.tf"),
        "import {\n  to = cloud_object.legacy\n  id = \"legacy\"\n}\n\n\
         resource \"cloud_object\" \"legacy\" {\n  name    = \"legacy\"\n  content = \"made by hand\"\n}\n",
    )
    .unwrap();

    let (events, file) = plan(&workdir, &PlanOptions::default()).await;
    let imported = ui_events(&events).find_map(|e| match e {
        Event::PlannedChange(c) if c.resource.addr == "cloud_object.legacy" => c.importing.clone(),
        _ => None,
    });
    assert_eq!(imported.and_then(|i| i.id).as_deref(), Some("legacy"));
    assert_eq!(file.summary.map(|s| s.import), Some(1));
    let plan = workdir.show(&file).await.unwrap();
    let legacy = plan.change("cloud_object.legacy").unwrap();
    assert_eq!(
        legacy.importing.as_ref().and_then(|i| i.id.as_deref()),
        Some("legacy")
    );
    assert_eq!(plan.counts().imported, 1);

    run(workdir.apply(&apply_approval, &file).unwrap())
        .await
        .1
        .unwrap();
    let state = workdir.state_list().await.unwrap();
    assert!(
        state.contains(&"cloud_object.legacy".to_string()),
        "{state:?}"
    );
}

#[tokio::test]
async fn terraform_provider_failing_create_reports_the_providers_diagnostic() {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let (_fixture, workdir) = applied().await;
    let (_, file) = plan(&workdir, &vars(&[("fail", "true")])).await;
    let (events, result) = run(workdir.apply(&apply_approval, &file).unwrap()).await;
    assert!(ui_events(&events).any(
        |e| matches!(e, Event::ApplyErrored(h) if h.resource.addr == "cloud_object.broken[0]")
    ));
    let Err(TerraformError::Failed { diagnostics, .. }) = &result else {
        panic!("{result:?}")
    };
    let d = &diagnostics[0];
    assert_eq!(d.summary, "The cloud refused to create broken");
    assert_eq!(d.detail, "The object is configured with fail = true.");
    assert_eq!(d.address.as_deref(), Some("cloud_object.broken[0]"));
    let snippet = d.snippet.as_ref().expect("a snippet of main.tf");
    assert_eq!(
        snippet.context.as_deref(),
        Some(r#"resource "cloud_object" "broken""#)
    );
    assert!(result
        .unwrap_err()
        .to_string()
        .contains("The cloud refused to create broken"));
}
