//! Every action of the console, in one table: its audit id (`service.verb`), the label people
//! see, and how much care it needs ([`Risk`]). A kind offers an action by naming its entry
//! here (`&catalog::EMR_CANCEL_STEP`); an [`ActionSpec`] cannot be made anywhere else.
//!
//! To add an action: one line below, then the client method it calls takes an `&Approval`
//! (see [`super::Approval`]).
//!
//! A spec made elsewhere does not compile (its fields are readable, but one is private):
//! ```compile_fail
//! use platform_tui::gate::{ActionSpec, Risk};
//! static WIPE: ActionSpec = ActionSpec { id: "s3.wipe", label: "Wipe", risk: Risk::Destructive };
//! ```
//! while a catalog entry is there to use:
//! ```
//! let spec = &platform_tui::gate::catalog::S3_DELETE;
//! assert_eq!((spec.id, spec.label), ("s3.delete", "Delete object"));
//! ```

use super::{ActionSpec, Risk};

macro_rules! catalog {
    ($($name:ident = $id:literal, $label:literal, $risk:ident;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $label, ".")]
            pub static $name: ActionSpec = ActionSpec {
                id: $id,
                label: $label,
                risk: Risk::$risk,
                _in_catalog: (),
            };
        )*

        /// Every action, in the order above.
        pub static ALL: &[&ActionSpec] = &[$(&$name),*];

        /// The name of each entry, as [`ALL`] orders them (checked against the ids).
        #[cfg(test)]
        const NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

catalog! {
    S3_UPLOAD = "s3.upload", "Upload", Mutating;
    S3_OVERWRITE = "s3.overwrite", "Replace object", Destructive;
    S3_DELETE = "s3.delete", "Delete object", Destructive;

    GLUE_START_JOB_RUN = "glue.start_job_run", "Start job run", Mutating;
    GLUE_STOP_JOB_RUN = "glue.stop_job_run", "Stop job run", Destructive;
    GLUE_START_CRAWLER = "glue.start_crawler", "Start crawler", Mutating;
    GLUE_STOP_CRAWLER = "glue.stop_crawler", "Stop crawler", Destructive;

    EMR_ADD_STEP = "emr.add_step", "Add step", Mutating;
    EMR_CANCEL_STEP = "emr.cancel_step", "Cancel step", Destructive;
    EMR_TERMINATE_CLUSTER = "emr.terminate_cluster", "Terminate cluster", Destructive;

    REDSHIFT_PAUSE_CLUSTER = "redshift.pause_cluster", "Pause cluster", Destructive;
    REDSHIFT_RESUME_CLUSTER = "redshift.resume_cluster", "Resume cluster", Mutating;
    REDSHIFT_EXECUTE_SQL = "redshift.execute_sql", "Execute SQL", Mutating;
    REDSHIFT_EXECUTE_DESTRUCTIVE_SQL = "redshift.execute_destructive_sql", "Execute destructive SQL", Destructive;

    AIRFLOW_TRIGGER = "airflow.trigger", "Trigger DAG", Mutating;
    AIRFLOW_PAUSE = "airflow.pause", "Pause DAG", Mutating;
    AIRFLOW_UNPAUSE = "airflow.unpause", "Unpause DAG", Mutating;
    AIRFLOW_CLEAR_TASK = "airflow.clear_task", "Clear task", Destructive;
    AIRFLOW_CLEAR_RUN = "airflow.clear_run", "Clear run", Destructive;
    AIRFLOW_MARK_SUCCESS = "airflow.mark_success", "Mark task success", Destructive;
    AIRFLOW_MARK_FAILED = "airflow.mark_failed", "Mark task failed", Destructive;

    TERRAFORM_APPLY = "terraform.apply", "Apply the reviewed plan", Destructive;
    TERRAFORM_SELECT_WORKSPACE = "terraform.select_workspace", "Select workspace", Mutating;
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const SERVICES: &[&str] = &["s3", "glue", "emr", "redshift", "airflow", "terraform"];

    fn is_snake_case(word: &str) -> bool {
        word.starts_with(|c: char| c.is_ascii_lowercase())
            && !word.ends_with('_')
            && !word.contains("__")
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    #[test]
    fn ids_are_unique() {
        let mut seen = BTreeSet::new();
        for spec in ALL {
            assert!(seen.insert(spec.id), "{} is in the catalog twice", spec.id);
        }
    }

    #[test]
    fn ids_are_service_dot_verb() {
        for spec in ALL {
            let (service, verb) = spec
                .id
                .split_once('.')
                .unwrap_or_else(|| panic!("{}: not service.verb", spec.id));
            assert!(SERVICES.contains(&service), "{}: unknown service", spec.id);
            assert!(is_snake_case(verb), "{}: verb not snake_case", spec.id);
        }
    }

    #[test]
    fn each_name_spells_its_id_and_each_label_is_a_sentence() {
        assert_eq!(NAMES.len(), ALL.len());
        for (name, spec) in NAMES.iter().zip(ALL) {
            assert_eq!(*name, spec.id.to_uppercase().replace('.', "_"));
            assert!(
                spec.label.starts_with(|c: char| c.is_ascii_uppercase()),
                "{}: label '{}'",
                spec.id,
                spec.label
            );
        }
    }

    #[test]
    fn the_checks_refuse_what_they_should() {
        assert!(is_snake_case("start_job_run") && is_snake_case("apply"));
        for bad in [
            "",
            "Start",
            "start-run",
            "_start",
            "start_",
            "start__run",
            "stärt",
        ] {
            assert!(!is_snake_case(bad), "{bad}");
        }
    }
}
