//! The line of a log or message that says what went wrong, for one-line summaries: the first
//! line of a service's own error message, or in a log (a Python or JVM traceback, a Spark
//! driver's stderr) the exception line, which comes last in a traceback.

/// Longest error line kept (characters); the rest is cut and marked with `…`.
pub const MAX_ERROR_CHARS: usize = 300;

/// The first non-empty line of a service's error message, cut to [`MAX_ERROR_CHARS`].
pub fn first_line(message: &str) -> Option<String> {
    message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(cut)
}

/// The error line of a log: the last exception line (`KeyError: 'x'`,
/// `org.apache.spark.SparkException: ...`, `AirflowException`), else the last line that says
/// ERROR; `None` when no line does.
pub fn in_log<S: AsRef<str>>(lines: &[S]) -> Option<String> {
    let lines = || lines.iter().rev().map(|l| l.as_ref().trim());
    lines()
        .find(|l| is_exception_line(l))
        .or_else(|| lines().find(|l| l.contains("ERROR") || l.contains("Error:")))
        .map(cut)
}

/// `Name: message` or `Name` alone, where the dotted name ends in Error, Exception, Exit,
/// Interrupt or Failure (Python and JVM exception classes).
fn is_exception_line(line: &str) -> bool {
    let name = line.split(':').next().unwrap_or_default().trim_end();
    let last = name.rsplit('.').next().unwrap_or_default();
    let is_identifier = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$');
    is_identifier
        && ["Error", "Exception", "Exit", "Interrupt", "Failure"]
            .iter()
            .any(|suffix| last.ends_with(suffix))
}

fn cut(line: &str) -> String {
    if line.chars().count() <= MAX_ERROR_CHARS {
        return line.to_owned();
    }
    let mut out: String = line.chars().take(MAX_ERROR_CHARS).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceback_gives_its_exception_line() {
        let log = [
            "24/11/26 04:00:00 ERROR ProcessLauncher: Error from Python",
            "Traceback (most recent call last):",
            r#"  File "/tmp/glue_process_to_staging.py", line 87, in <module>"#,
            "    main()",
            "KeyError: 'fare_amount'",
            "24/11/26 04:00:01 INFO ShutdownHookManager: Shutdown hook called",
        ];
        assert_eq!(in_log(&log).as_deref(), Some("KeyError: 'fare_amount'"));
        let jvm = ["org.apache.spark.sql.AnalysisException: [PATH_NOT_FOUND] raw/"];
        assert_eq!(in_log(&jvm).as_deref(), Some(jvm[0]));
    }

    #[test]
    fn without_an_exception_the_last_error_line_is_taken() {
        let log = ["INFO start", "ERROR the disk is full", "INFO shutdown"];
        assert_eq!(in_log(&log).as_deref(), Some("ERROR the disk is full"));
        assert_eq!(in_log(&["INFO all good"]), None);
        assert!(!is_exception_line("Traceback (most recent call last):"));
        assert!(
            !is_exception_line("Error from Python: x y"),
            "not an identifier"
        );
    }

    #[test]
    fn messages_give_their_first_line_cut_to_size() {
        assert_eq!(
            first_line("\n  KeyError: 'x'\nmore").as_deref(),
            Some("KeyError: 'x'")
        );
        assert_eq!(first_line("  \n"), None);
        let long = "x".repeat(1000);
        assert_eq!(
            first_line(&long).unwrap().chars().count(),
            MAX_ERROR_CHARS + 1
        );
    }
}
