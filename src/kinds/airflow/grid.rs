//! The grid of recent runs × tasks, like Airflow's grid view: one column per run (oldest left,
//! newest right), one row per task in dependency order, each cell the state of that task
//! instance. A row on top shows each run's own state; the line below the grid names the
//! selected cell's run and task.

use std::ops::Range;

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::Frame;

use super::{put, state_glyph, state_style, truncate};
use crate::airflow::State;
use crate::theme::Theme;
use crate::ui::grid::scroll_offset;

/// Cells per run column: a glyph and a space.
pub const CELL_WIDTH: u16 = 2;
/// Task names longer than this are cut.
pub const MAX_LABEL: usize = 32;

/// One run column.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRun {
    pub run_id: String,
    pub state: State,
}

/// What the grid shows. `states[run][task]` is `None` where the run has no such task instance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridModel {
    pub tasks: Vec<String>,
    /// Oldest first.
    pub runs: Vec<GridRun>,
    pub states: Vec<Vec<Option<State>>>,
}

impl GridModel {
    pub fn state(&self, run: usize, task: usize) -> Option<&State> {
        self.states.get(run)?.get(task)?.as_ref()
    }
}

/// The cursor: a run column and a task row; `offset` is the first task row shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GridCursor {
    pub run: usize,
    pub task: usize,
    pub offset: usize,
}

impl GridCursor {
    /// Moves by `runs` columns and `tasks` rows, staying inside the model.
    pub fn moved(self, model: &GridModel, runs: isize, tasks: isize) -> Self {
        let clamp = |v: usize, d: isize, len: usize| {
            (v as isize + d).clamp(0, len.saturating_sub(1) as isize) as usize
        };
        Self {
            run: clamp(self.run, runs, model.runs.len()),
            task: clamp(self.task, tasks, model.tasks.len()),
            offset: self.offset,
        }
    }
}

/// The run columns that fit in `fit` columns: the newest ones, unless the selected run is
/// older, in which case the window starts at the selected run.
pub fn visible_runs(total: usize, fit: usize, selected: usize) -> Range<usize> {
    if total <= fit {
        return 0..total;
    }
    let start = selected.min(total - fit);
    start..start + fit
}

/// Width of the task-name column: the longest name, capped.
pub fn label_width(tasks: &[String]) -> u16 {
    tasks
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, MAX_LABEL) as u16
        + 1
}

/// Draws the grid into `area` and returns the first task row shown (keep it for the next frame).
pub fn render(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    model: &GridModel,
    cursor: GridCursor,
) -> usize {
    if area.height < 4 || area.width < 8 {
        return cursor.offset;
    }
    let buf = frame.buffer_mut();
    let label_w = label_width(&model.tasks).min(area.width / 2);
    let fit = ((area.width - label_w) / CELL_WIDTH) as usize;
    let runs = visible_runs(model.runs.len(), fit, cursor.run);
    let rows = (area.height - 3) as usize;
    let offset = scroll_offset(cursor.offset, cursor.task, rows);
    let x0 = area.x + label_w;
    let column_x = |run: usize| x0 + (run - runs.start) as u16 * CELL_WIDTH;

    put(buf, area.x, area.y, label_w, "runs", theme.header);
    for run in runs.clone() {
        let state = &model.runs[run].state;
        let mut style = state_style(state, theme);
        if run == cursor.run {
            style = style.add_modifier(Modifier::UNDERLINED);
        }
        put(buf, column_x(run), area.y, 1, "▆", style);
    }
    let shown_tasks = offset..(offset + rows).min(model.tasks.len());
    for (row, task) in shown_tasks.enumerate() {
        let y = area.y + 1 + row as u16;
        let mut label_style = theme.base;
        if task == cursor.task {
            label_style = theme.selected;
        }
        let label = truncate(&model.tasks[task], (label_w - 1) as usize);
        put(buf, area.x, y, label_w - 1, &label, label_style);
        for run in runs.clone() {
            let (glyph, mut style) = match model.state(run, task) {
                Some(state) => (state_glyph(state), state_style(state, theme)),
                None => (" ", theme.muted),
            };
            if run == cursor.run && task == cursor.task {
                style = style.add_modifier(Modifier::REVERSED);
            }
            put(buf, column_x(run), y, 1, glyph, style);
        }
    }
    let (run_line, task_line) = caption(model, cursor);
    let bottom = area.y + area.height - 1;
    put(buf, area.x, bottom - 1, area.width, &run_line, theme.muted);
    put(buf, area.x, bottom, area.width, &task_line, theme.muted);
    offset
}

/// The states the legend names, in the order it names them.
const LEGEND: [(State, &str); 8] = [
    (State::Success, "success"),
    (State::Failed, "failed"),
    (State::UpstreamFailed, "upstream failed"),
    (State::Running, "running"),
    (State::UpForRetry, "retry"),
    (State::Queued, "queued"),
    (State::Skipped, "skipped"),
    (State::None, "no status"),
];

/// The legend of the state glyphs: `■ success  ✖ failed  ↑ upstream failed …`.
pub fn legend() -> String {
    LEGEND
        .iter()
        .map(|(state, name)| format!("{} {name}", state_glyph(state)))
        .collect::<Vec<_>>()
        .join("  ")
}

/// Splits a chart's area into the grid and the two lines below it (the selected task's AWS
/// resource, then the legend).
pub fn split_legend(area: Rect) -> (Rect, Rect) {
    let below = area.height.min(2);
    let grid = Rect {
        height: area.height - below,
        ..area
    };
    let lines = Rect {
        y: area.y + grid.height,
        height: below,
        ..area
    };
    (grid, lines)
}

/// Draws the selected task's AWS resource (`→ glue run … FAILED: …`) and the legend in `area`.
pub fn render_below(frame: &mut Frame, area: Rect, theme: &Theme, link: &str) {
    let buf = frame.buffer_mut();
    if area.height >= 2 {
        put(buf, area.x, area.y, area.width, link, theme.base);
    }
    if area.height >= 1 {
        let y = area.y + area.height - 1;
        let mut x = area.x;
        let end = area.x + area.width;
        for (state, name) in LEGEND {
            let glyph = state_glyph(&state);
            let text = format!(" {name}  ");
            let needed = 1 + text.chars().count() as u16;
            if x + needed > end {
                break;
            }
            put(buf, x, y, 1, glyph, state_style(&state, theme));
            put(buf, x + 1, y, needed - 1, &text, theme.muted);
            x += needed;
        }
    }
}

/// Two lines naming the selected cell: `run <id> (<state>) · n/N` and `task <id> (<state>)`.
pub fn caption(model: &GridModel, cursor: GridCursor) -> (String, String) {
    let Some(run) = model.runs.get(cursor.run) else {
        return ("no runs yet".into(), String::new());
    };
    let task = model
        .tasks
        .get(cursor.task)
        .map(String::as_str)
        .unwrap_or("-");
    let task_state = model
        .state(cursor.run, cursor.task)
        .map(State::as_str)
        .unwrap_or("no instance");
    (
        format!(
            "run {} ({}) · {}/{}",
            run.run_id,
            run.state,
            cursor.run + 1,
            model.runs.len()
        ),
        format!("task {task} ({task_state})"),
    )
}

/// The style of the cell of `run` and `task` as drawn (for tests of colour).
pub fn cell_style(model: &GridModel, run: usize, task: usize, theme: &Theme) -> Style {
    model
        .state(run, task)
        .map(|s| state_style(s, theme))
        .unwrap_or(theme.muted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_runs_show_unless_an_older_one_is_selected() {
        assert_eq!(visible_runs(5, 10, 4), 0..5);
        assert_eq!(visible_runs(100, 10, 99), 90..100);
        assert_eq!(visible_runs(100, 10, 95), 90..100);
        assert_eq!(visible_runs(100, 10, 3), 3..13);
        assert!(visible_runs(100, 0, 3).is_empty(), "no room, no runs");
    }

    #[test]
    fn huge_grids_keep_the_window_small() {
        let range = visible_runs(1_000_000, 40, 999_999);
        assert_eq!(range.len(), 40);
        assert_eq!(range.end, 1_000_000);
    }

    #[test]
    fn drawing_a_huge_grid_touches_only_the_visible_window() {
        use ratatui::backend::TestBackend;
        use ratatui::Terminal;
        let (runs, tasks) = (1_000, 1_000);
        let model = GridModel {
            tasks: (0..tasks).map(|t| format!("task_{t}")).collect(),
            runs: (0..runs)
                .map(|r| GridRun {
                    run_id: format!("run_{r}"),
                    state: State::Success,
                })
                .collect(),
            states: vec![vec![Some(State::Success); tasks]; runs],
        };
        let theme = crate::theme::no_color();
        let mut terminal = Terminal::new(TestBackend::new(60, 12)).unwrap();
        let cursor = GridCursor {
            run: runs - 1,
            task: tasks - 1,
            offset: 0,
        };
        let mut offset = 0;
        terminal
            .draw(|f| offset = render(f, f.area(), &theme, &model, cursor))
            .unwrap();
        assert_eq!(offset, tasks - 9, "the last task row is in view");
        let text: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(text.contains("run run_999 (success) · 1000/1000"));
        assert!(text.contains("task_999"));
    }

    #[test]
    fn long_task_names_are_capped() {
        let tasks = vec!["a".repeat(200), "b".into()];
        assert_eq!(label_width(&tasks), MAX_LABEL as u16 + 1);
        assert_eq!(label_width(&[]), 5);
    }

    #[test]
    fn the_cursor_stays_inside_the_model() {
        let model = GridModel {
            tasks: vec!["a".into(), "b".into()],
            runs: vec![
                GridRun {
                    run_id: "r1".into(),
                    state: State::Success,
                };
                3
            ],
            states: vec![vec![None, None]; 3],
        };
        let c = GridCursor::default().moved(&model, 10, 10);
        assert_eq!((c.run, c.task), (2, 1));
        let c = c.moved(&model, -10, -1);
        assert_eq!((c.run, c.task), (0, 0));
        assert_eq!(
            caption(&model, c),
            (
                "run r1 (success) · 1/3".into(),
                "task a (no instance)".into()
            )
        );
    }
}
