//! `Terraform::locate` without an explicit program searches PATH for `terraform`, then
//! `tofu`. Its own test binary: it sets PATH for the whole process.

use std::path::{Path, PathBuf};

use platform_tui::terraform::{Terraform, TerraformError};

/// A directory holding an executable link named `name` to scripts/terraform.
fn dir_with(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(format!("bin-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/terraform");
    std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
    dir
}

fn locate_with_path(dirs: &[&Path]) -> Result<Terraform, TerraformError> {
    std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());
    Terraform::locate(None)
}

#[test]
fn terraform_locate_searches_path_for_terraform_then_tofu() {
    let tmp = tempfile::tempdir().unwrap();
    let tofu = dir_with(tmp.path(), "tofu");
    let terraform = dir_with(tmp.path(), "terraform");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    // not executable: skipped
    std::fs::write(empty.join("terraform"), "").unwrap();

    let found = locate_with_path(&[&tofu, &empty, &terraform]).unwrap();
    assert_eq!(
        found.program(),
        terraform.join("terraform"),
        "terraform before tofu"
    );
    let found = locate_with_path(&[&empty, &tofu]).unwrap();
    assert_eq!(found.program(), tofu.join("tofu"));
    let missing = locate_with_path(&[&empty]).unwrap_err();
    assert!(
        missing.to_string().contains("terraform and tofu in PATH"),
        "{missing}"
    );
    // an explicit bare name is looked up in PATH too
    std::env::set_var("PATH", &tofu);
    let named = Terraform::locate(Some(Path::new("tofu"))).unwrap();
    assert_eq!(named.program(), tofu.join("tofu"));
}
