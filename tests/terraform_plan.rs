//! The plan model (`show -json`) over two documents: one recorded from real Terraform
//! 1.15.5 (tests/terraform/recorded/show_replace.json: a replace with a sensitive
//! attribute, updates, a create, sensitive variable and output in clear, as Terraform writes
//! them) and one SYNTHETIC document in the shape of infra/ with the AWS provider
//! (tests/terraform/synthetic/aws_plan.json), which cannot be installed here.

use std::path::PathBuf;

use platform_tui::terraform::plan::{Mode, PathStep, Value};
use platform_tui::terraform::{Action, AttrPath, Plan, ResourceChange};

fn load(relative: &str) -> (String, Plan) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let plan = Plan::from_json(&text).unwrap();
    (text, plan)
}

fn row<'a>(change: &'a ResourceChange, path: &str) -> (&'a Value, &'a Value, bool) {
    let row = change
        .attributes
        .iter()
        .find(|r| r.path.to_string() == path)
        .unwrap_or_else(|| panic!("no {path} in {:#?}", change.attributes));
    (&row.before, &row.after, row.forces_replacement)
}

fn known(json: &str) -> Value {
    Value::Known(json.into())
}

#[test]
fn terraform_plan_recorded_replace_masks_what_terraform_marks() {
    let (text, plan) = load("tests/terraform/recorded/show_replace.json");
    assert!(
        text.contains("s3cr3t-value"),
        "the recording holds the secret in clear"
    );
    assert!(!format!("{plan:?}").contains("s3cr3t-value"));
    assert_eq!(plan.terraform_version, "1.15.5");

    let token = plan.change("terraform_data.token").unwrap();
    assert_eq!(
        token.action,
        Action::Replace {
            create_before_destroy: false
        }
    );
    assert_eq!(
        token.replace_paths,
        [AttrPath(vec![PathStep::Key("triggers_replace".into())])]
    );
    assert_eq!(
        row(token, "triggers_replace.token"),
        (&Value::Sensitive, &Value::Sensitive, true)
    );
    assert_eq!(
        row(token, "triggers_replace.name"),
        (&known("\"demo\""), &known("\"other\""), true)
    );
    assert_eq!(row(token, "id").1, &Value::Unknown);
    assert!(
        !row(token, "input").2,
        "input does not force the replacement"
    );

    let broken = plan.change("terraform_data.broken[0]").unwrap();
    assert_eq!(broken.action, Action::Create);
    assert_eq!(broken.index.as_deref(), Some("0"));
    assert_eq!(row(broken, "input"), (&Value::Absent, &Value::Null, false));

    let item = plan.change("module.child.terraform_data.item").unwrap();
    assert_eq!(item.module_address.as_deref(), Some("module.child"));
    let changed: Vec<String> = item
        .changed_attributes()
        .map(|r| r.path.to_string())
        .collect();
    assert_eq!(changed, ["input", "output"]);

    let token_output = plan.outputs.iter().find(|o| o.name == "token").unwrap();
    assert!(token_output.sensitive);
    assert_eq!(
        (&token_output.before, &token_output.after),
        (&Value::Sensitive, &Value::Sensitive)
    );
}

#[test]
fn terraform_plan_synthetic_aws_plan_model() {
    let (text, plan) = load("tests/terraform/synthetic/aws_plan.json");
    assert!(text.contains("SYNTHETIC"));
    for secret in ["synthetic-master-pw", "synthetic-secret-string"] {
        assert!(text.contains(secret));
        assert!(!format!("{plan:?}").contains(secret), "{secret} leaked");
    }

    let counts = plan.counts();
    assert_eq!(
        (
            counts.create,
            counts.update,
            counts.replace,
            counts.delete,
            counts.read,
            counts.forget,
            counts.no_op
        ),
        (1, 2, 2, 1, 1, 1, 3)
    );
    assert_eq!((counts.moved, counts.imported), (1, 1));
    assert!(plan.destroys());
    // everything but the untouched state bucket is worth showing
    assert_eq!(plan.actionable().count(), plan.changes.len() - 1);

    let cluster = plan
        .change("module.redshift.aws_redshift_cluster.this")
        .unwrap();
    assert_eq!(
        cluster.action,
        Action::Replace {
            create_before_destroy: false
        }
    );
    assert_eq!(
        cluster.action_reason.as_deref(),
        Some("replace_because_cannot_update")
    );
    assert_eq!(
        row(cluster, "database_name"),
        (&known("\"nyc\""), &known("\"nyc_taxi\""), true)
    );
    assert_eq!(
        row(cluster, "master_password"),
        (&Value::Sensitive, &Value::Sensitive, false)
    );
    assert_eq!(
        row(cluster, "endpoint"),
        (&Value::Absent, &Value::Unknown, false)
    );
    assert_eq!(row(cluster, "tags.Project").1, &known("\"nyc-taxi\""));

    let crawler = plan.change("module.glue.aws_glue_crawler.raw").unwrap();
    assert_eq!(
        crawler.action,
        Action::Replace {
            create_before_destroy: true
        }
    );

    let versioning = plan
        .change("module.s3.module.raw.aws_s3_bucket_versioning.this")
        .unwrap();
    let changed: Vec<String> = versioning
        .changed_attributes()
        .map(|r| r.path.to_string())
        .collect();
    assert_eq!(changed, ["versioning_configuration[0].status"]);

    let secret = plan
        .change("module.redshift.aws_secretsmanager_secret_version.admin")
        .unwrap();
    assert_eq!(row(secret, "secret_string").0, &Value::Sensitive);
    assert_eq!(row(secret, "version_stages[0]").1, &known("\"AWSCURRENT\""));

    let moved = plan.change("module.mwaa.aws_s3_object.dag").unwrap();
    assert_eq!(
        moved.moved_from.as_deref(),
        Some("module.s3.aws_s3_object.dag")
    );
    assert_eq!(moved.action, Action::NoOp);
    let imported = plan.change("module.kms.aws_kms_alias.this").unwrap();
    assert_eq!(
        imported.importing.as_ref().and_then(|i| i.id.as_deref()),
        Some("alias/nyc-taxi-prod")
    );
    let read = plan
        .change("module.iam.data.aws_iam_policy_document.glue")
        .unwrap();
    assert_eq!((read.mode, &read.action), (Mode::Data, &Action::Read));
    let nat = plan.change("module.vpc.aws_nat_gateway.this[1]").unwrap();
    assert_eq!(row(nat, "subnet_id").1, &Value::Absent);
    assert_eq!(
        plan.change("module.emr.aws_emr_security_configuration.this")
            .unwrap()
            .action,
        Action::Forget
    );

    assert_eq!(plan.drift.len(), 1);
    assert_eq!(
        row(&plan.drift[0], "tags.Owner"),
        (&Value::Absent, &known("\"someone-in-the-console\""), false)
    );

    let outputs: Vec<(&str, &Value, &Value)> = plan
        .outputs
        .iter()
        .map(|o| (o.name.as_str(), &o.before, &o.after))
        .collect();
    assert_eq!(
        outputs,
        [
            (
                "glue_job_name",
                &Value::Absent,
                &known("\"nyc-taxi-prod-process-to-staging\"")
            ),
            (
                "redshift_admin_password",
                &Value::Sensitive,
                &Value::Sensitive
            ),
            (
                "redshift_endpoint",
                &known("\"nyc-taxi-prod.abc.us-east-1.redshift.amazonaws.com:5439\""),
                &Value::Unknown
            ),
        ]
    );
}

#[test]
fn terraform_plan_groups_changes_by_module_for_a_tree() {
    let (_, plan) = load("tests/terraform/synthetic/aws_plan.json");
    let groups: Vec<(String, usize, Vec<String>)> = plan
        .by_module()
        .into_iter()
        .map(|g| {
            let names = g
                .changes
                .iter()
                .map(|&i| plan.changes[i].address.clone())
                .collect();
            (g.address, g.depth, names)
        })
        .collect();
    let modules: Vec<(&str, usize)> = groups.iter().map(|(a, d, _)| (a.as_str(), *d)).collect();
    assert_eq!(
        modules,
        [
            ("", 0),
            ("module.emr", 1),
            ("module.glue", 1),
            ("module.iam", 1),
            ("module.kms", 1),
            ("module.mwaa", 1),
            ("module.redshift", 1),
            ("module.s3", 1),
            ("module.s3.module.raw", 2),
            ("module.vpc", 1),
        ]
    );
    assert_eq!(groups[0].2, ["aws_s3_bucket.terraform_state"]);
    assert!(
        groups[7].2.is_empty(),
        "module.s3 is there for the tree only"
    );
    assert_eq!(
        groups[2].2,
        [
            "module.glue.aws_glue_job.process_to_staging",
            "module.glue.aws_glue_crawler.raw"
        ]
    );
}

#[test]
fn terraform_plan_rejects_what_is_not_a_plan() {
    assert!(Plan::from_json("not json").is_err());
    assert!(Plan::from_json(r#"{"resource_changes":[{"address":"a"}]}"#).is_err());
    let empty = Plan::from_json("{}").unwrap();
    assert!(empty.changes.is_empty() && empty.applyable);
}
