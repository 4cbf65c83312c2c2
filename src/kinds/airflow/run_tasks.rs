//! What the grid and the Gantt chart of a run's screen draw: the recent runs of its DAG with
//! their task instances, loaded with a few requests at once; the instances of finished runs
//! are cached between refreshes, so only running runs are asked again.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use futures::StreamExt;

use super::grid::{GridModel, GridRun};
use crate::airflow::{Airflow, DagRun, RunQuery, State, Task, TaskInstance};
use crate::errors::UiError;

/// The run a screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRef {
    pub env: Option<String>,
    pub dag_id: String,
    pub run_id: String,
}

/// Runs in the grid.
pub const GRID_RUNS: usize = 25;
/// Task-instance lists fetched at once for the grid.
const CONCURRENT_REQUESTS: usize = 4;

/// Recent runs of a DAG with their task instances: what the grid and the Gantt chart draw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunTasks {
    pub tasks: Vec<Task>,
    /// Oldest first.
    pub runs: Vec<DagRun>,
    /// The task instances of each run, same order as `runs`.
    pub instances: Vec<Vec<TaskInstance>>,
}

impl RunTasks {
    /// Task ids in dependency order, then any only the instances know (removed tasks).
    pub fn task_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.tasks.iter().map(|t| t.task_id.clone()).collect();
        let mut seen: HashSet<String> = ids.iter().cloned().collect();
        for ti in self.instances.iter().flatten() {
            if seen.insert(ti.key.task_id.clone()) {
                ids.push(ti.key.task_id.clone());
            }
        }
        ids
    }

    /// The grid's model, built in one pass over the instances (once per load, not per frame).
    pub fn grid(&self) -> GridModel {
        let tasks = self.task_ids();
        let row: HashMap<&str, usize> = tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i))
            .collect();
        let states = self
            .instances
            .iter()
            .map(|run| {
                let mut cells: Vec<Option<&TaskInstance>> = vec![None; tasks.len()];
                for ti in run {
                    let cell = &mut cells[row[ti.key.task_id.as_str()]];
                    if shows_instead(ti, *cell) {
                        *cell = Some(ti);
                    }
                }
                cells
                    .into_iter()
                    .map(|ti| ti.map(|ti| ti.state.clone()))
                    .collect()
            })
            .collect();
        GridModel {
            runs: self
                .runs
                .iter()
                .map(|r| GridRun {
                    run_id: r.run_id.clone(),
                    state: r.state.clone(),
                })
                .collect(),
            tasks,
            states,
        }
    }

    pub fn run_index(&self, run_id: &str) -> Option<usize> {
        self.runs.iter().position(|r| r.run_id == run_id)
    }

    /// The instance of `task` in run `run` (the unmapped one, or the first map index).
    pub fn instance(&self, run: usize, task: &str) -> Option<&TaskInstance> {
        instance(self.instances.get(run)?, task)
    }

    /// The Gantt rows of run `run`, in dependency order.
    pub fn gantt(&self, run: usize) -> Vec<&TaskInstance> {
        let ids = self.task_ids();
        let position: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i))
            .collect();
        let mut rows: Vec<&TaskInstance> = self.instances.get(run).into_iter().flatten().collect();
        rows.sort_by_key(|ti| (position.get(ti.key.task_id.as_str()), ti.key.map_index));
        rows
    }
}

/// Whether a grid cell shows `candidate` rather than `current`: the unmapped instance, else a
/// failed map index, else the first.
fn shows_instead(candidate: &TaskInstance, current: Option<&TaskInstance>) -> bool {
    match current {
        None => true,
        Some(current) if current.key.map_index < 0 => false,
        Some(current) => candidate.state.is_failure() && !current.state.is_failure(),
    }
}

fn instance<'a>(run: &'a [TaskInstance], task: &str) -> Option<&'a TaskInstance> {
    run.iter()
        .filter(|ti| ti.key.task_id == task)
        .fold(None, |shown, ti| {
            if shows_instead(ti, shown) {
                Some(ti)
            } else {
                shown
            }
        })
}

/// The instances of finished runs never change: kept between refreshes so that only running
/// runs are asked again.
pub type FinishedCache = Arc<Mutex<HashMap<String, Vec<TaskInstance>>>>;

/// The instances of one run, from the cache when it finished before.
async fn cached_instances(
    airflow: Airflow,
    dag_id: String,
    run_id: String,
    finished: bool,
    cache: FinishedCache,
) -> Result<Vec<TaskInstance>, UiError> {
    // A cleared run is active again: what was cached of it is no longer true.
    let known = if finished {
        cache.lock().unwrap().get(&run_id).cloned()
    } else {
        cache.lock().unwrap().remove(&run_id)
    };
    if let (true, Some(known)) = (finished, known) {
        return Ok(known);
    }
    let listed = airflow.task_instances(&dag_id, &run_id).await?;
    if finished {
        cache.lock().unwrap().insert(run_id, listed.clone());
    }
    Ok(listed)
}

/// The recent runs of `run`'s DAG with their task instances; `run` itself is added as the
/// oldest column when it is older than the recent ones (opened from the failures view), so
/// that its Gantt chart can be drawn.
pub async fn load_run_tasks(
    airflow: Airflow,
    run: RunRef,
    cache: FinishedCache,
) -> Result<RunTasks, UiError> {
    let dag_id = run.dag_id.clone();
    let query = RunQuery {
        limit: GRID_RUNS,
        ..RunQuery::default()
    };
    let (tasks, runs) = futures::join!(airflow.tasks(&dag_id), airflow.dag_runs(&dag_id, &query));
    let tasks = tasks?;
    let mut runs: Vec<DagRun> = runs?.items.into_iter().rev().collect();
    let older = !runs.iter().any(|r| r.run_id == run.run_id);
    if older {
        let instances = airflow.task_instances(&dag_id, &run.run_id).await?;
        runs.insert(0, placeholder_run(&run, &instances));
    }
    let fetches: Vec<_> = runs
        .iter()
        .map(|run| {
            cached_instances(
                airflow.clone(),
                dag_id.clone(),
                run.run_id.clone(),
                !run.state.is_active(),
                cache.clone(),
            )
        })
        .collect();
    let instances = futures::stream::iter(fetches)
        .buffered(CONCURRENT_REQUESTS)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, UiError>>()?;
    Ok(RunTasks {
        tasks,
        runs,
        instances,
    })
}

/// A run known only by its id and task instances: its state is read from them.
pub fn placeholder_run(run: &RunRef, instances: &[TaskInstance]) -> DagRun {
    let states = || instances.iter().map(|ti| &ti.state);
    let state = if states().any(State::is_failure) {
        State::Failed
    } else if states().any(State::is_active) {
        State::Running
    } else if states().all(|s| matches!(s, State::Success | State::Skipped)) {
        State::Success
    } else {
        State::None
    };
    DagRun {
        dag_id: run.dag_id.clone(),
        run_id: run.run_id.clone(),
        state,
        run_type: String::new(),
        logical_date: None,
        run_after: None,
        queued_at: None,
        start_date: instances.iter().filter_map(|ti| ti.start_date).min(),
        end_date: None,
        conf: serde_json::Value::Null,
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::airflow::tasks::tests::{task, ti};

    #[test]
    fn an_older_run_gets_its_state_from_its_tasks() {
        let run = RunRef {
            env: None,
            dag_id: "d".into(),
            run_id: "r".into(),
        };
        let state = |states: &[State]| {
            let tis: Vec<TaskInstance> = states.iter().map(|s| ti("t", -1, s.clone())).collect();
            placeholder_run(&run, &tis).state
        };
        assert_eq!(
            state(&[State::Success, State::UpstreamFailed]),
            State::Failed
        );
        assert_eq!(state(&[State::Success, State::Queued]), State::Running);
        assert_eq!(state(&[State::Success, State::Skipped]), State::Success);
        assert_eq!(state(&[State::Success, State::None]), State::None);
    }

    #[test]
    fn a_big_grid_has_a_state_per_run_and_task() {
        let tasks: Vec<Task> = (0..2_000).map(|i| task(&format!("t{i}"))).collect();
        let run = |r: usize| -> Vec<TaskInstance> {
            (0..2_000)
                .map(|i| {
                    let state = if i == r {
                        State::Failed
                    } else {
                        State::Success
                    };
                    ti(&format!("t{i}"), -1, state)
                })
                .collect()
        };
        let data = RunTasks {
            tasks,
            runs: Vec::new(),
            instances: (0..GRID_RUNS).map(run).collect(),
        };
        let model = data.grid();
        assert_eq!(model.states.len(), GRID_RUNS);
        assert_eq!(model.state(3, 3), Some(&State::Failed));
        assert_eq!(model.state(3, 4), Some(&State::Success));
    }

    #[test]
    fn a_mapped_task_shows_a_failed_map_index_in_the_grid() {
        let data = RunTasks {
            tasks: vec![task("m")],
            runs: vec![],
            instances: vec![vec![ti("m", 0, State::Success), ti("m", 1, State::Failed)]],
        };
        assert_eq!(data.instance(0, "m").unwrap().state, State::Failed);
        assert!(data.instance(0, "other").is_none());
    }
}
