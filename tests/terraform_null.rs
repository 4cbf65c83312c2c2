//! A real HashiCorp provider, hashicorp/null 2.1.2 (from PyPI, in a filesystem mirror made
//! by scripts/fetch-terraform-extras), with Terraform 1.15.5 and 1.0.3 on
//! tests/terraform/null: installed from the mirror, applied, then replaced by a trigger.

#[path = "terraform/support.rs"]
mod support;

use platform_tui::gate::catalog;
use platform_tui::terraform::plan::{PathStep, Value};
use platform_tui::terraform::stream::Event;
use platform_tui::terraform::{Action, AttrPath, PlanOptions, RunEvent, Terraform};
use support::gate::approval;
use support::{plan, plan_and_apply, run, terraform_1_0_3, vars, Fixture};

const DEPLOY: &str = "null_resource.deploy";

async fn replace_by_trigger(terraform: Terraform, fixture: &Fixture) {
    let apply_approval = approval(&catalog::TERRAFORM_APPLY).await;
    let workdir = terraform.workdir(&fixture.dir);
    let (events, result) = run(workdir.init().unwrap()).await;
    result.unwrap();
    // 1.15 streams `log` messages, 1.0.3 plain text: both name what was installed
    let installed = events.iter().any(|e| match e {
        RunEvent::Ui(Event::Log(m)) => m.text.contains("hashicorp/null v2.1.2"),
        RunEvent::Stdout(line) => line.contains("hashicorp/null v2.1.2"),
        _ => false,
    });
    assert!(installed, "{events:#?}");

    plan_and_apply(&workdir, &PlanOptions::default()).await;
    assert_eq!(workdir.state_list().await.unwrap(), [DEPLOY]);

    let (_, file) = plan(&workdir, &vars(&[("release", "r2")])).await;
    let reviewed = workdir.show(&file).await.unwrap();
    let deploy = reviewed.change(DEPLOY).unwrap();
    assert_eq!(
        deploy.action,
        Action::Replace {
            create_before_destroy: false
        }
    );
    assert_eq!(deploy.provider_name, "registry.terraform.io/hashicorp/null");
    assert_eq!(
        deploy.replace_paths,
        [AttrPath(vec![PathStep::Key("triggers".into())])]
    );
    let release = deploy
        .attributes
        .iter()
        .find(|r| r.path.to_string() == "triggers.release")
        .unwrap();
    assert_eq!(
        (&release.before, &release.after, release.forces_replacement),
        (
            &Value::Known("\"r1\"".into()),
            &Value::Known("\"r2\"".into()),
            true
        )
    );
    let (_, result) = run(workdir.apply(&apply_approval, &file).unwrap()).await;
    let summary = result.unwrap().summary.unwrap();
    assert_eq!((summary.add, summary.remove), (1, 1));
}

#[tokio::test]
async fn terraform_null_provider_with_terraform_1_15() {
    let fixture = Fixture::with_null_provider("null");
    let terraform = fixture.terraform.clone();
    replace_by_trigger(terraform, &fixture).await;
}

#[tokio::test]
async fn terraform_null_provider_with_terraform_1_0_3() {
    let fixture = Fixture::with_null_provider("null");
    let terraform = fixture
        .terraform
        .clone()
        .with_program(terraform_1_0_3())
        .detected()
        .await
        .unwrap();
    replace_by_trigger(terraform, &fixture).await;
}
