//! Drawing the provisioning panes: the header and status line, home, plan (tree and the
//! selected change), apply progress, state and workspaces. Pure functions of the view's state.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::tree::TreeRow;
use super::{render, tree, Op, OpKind, ProvisioningView, Review};
use crate::sanitize;
use crate::theme::Theme;

impl ProvisioningView {
    pub(super) fn header_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let clean = |s: &str| sanitize::line(s).into_owned();
        let Some(target) = &self.target else {
            return vec![Line::styled(
                format!(
                    "context '{}' has no Terraform directory",
                    clean(&self.context)
                ),
                theme.warning,
            )];
        };
        let mut about = vec![Span::styled(
            clean(&target.dir.display().to_string()),
            theme.base,
        )];
        if target.demo {
            about.push(Span::styled("  (sandbox demo)", theme.muted));
        }
        let program = match &self.connection {
            Some(c) => format!(
                "{} · workspace {}",
                c.version,
                clean(&self.current_workspace())
            ),
            None if self.connecting => self.connecting_note.into(),
            None => self
                .load
                .error
                .as_ref()
                .map_or_else(String::new, |e| clean(&e.message)),
        };
        let mut lines = vec![
            Line::from(about),
            Line::styled(
                program,
                if self.connection.is_none() && self.load.error.is_some() {
                    theme.error
                } else {
                    theme.muted
                },
            ),
            self.status_line(theme),
        ];
        let mut keys = String::from("I init · P plan · A drift mode");
        keys.push_str(match (self.read_only, self.can_apply()) {
            (true, _) => "",
            (false, true) => " · ctrl-a apply this plan",
            (false, false) => "",
        });
        keys.push_str(" · ctrl-k cancel · v next pane · ? help");
        if self.drift_mode {
            keys.push_str(" · DRIFT MODE");
        }
        lines.push(Line::styled(keys, theme.muted));
        if self.read_only {
            lines.push(Line::styled(
                "READ-ONLY context: plan and look; apply is refused",
                theme.warning,
            ));
        }
        lines
    }

    pub(super) fn status_line(&self, theme: &Theme) -> Line<'static> {
        let Some(op) = &self.op else {
            return match &self.last_plan {
                Some(plan) => Line::styled(format!("last plan: {plan}"), theme.muted),
                None => Line::styled("no plan yet", theme.muted),
            };
        };
        let clean = |s: &str| sanitize::line(s).into_owned();
        match &op.result {
            None => Line::styled(
                format!(
                    "{} running {}s…",
                    op.kind.name(),
                    op.started.elapsed().as_secs()
                ),
                theme.state_running,
            ),
            Some(Ok(message)) => Line::styled(
                format!(
                    "{} finished in {}s: {}",
                    op.kind.name(),
                    op.elapsed_seconds.unwrap_or(0),
                    clean(message)
                ),
                theme.state_success,
            ),
            Some(Err(message)) => Line::styled(
                format!(
                    "{} {}: {}",
                    op.kind.name(),
                    if op.interrupted {
                        "interrupted"
                    } else {
                        "failed"
                    },
                    clean(message)
                ),
                theme.state_failed,
            ),
        }
    }

    pub(super) fn draw_lines(&self, frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            area,
        );
    }

    pub(super) fn op_of(&self, kinds: &[fn(OpKind) -> bool]) -> Option<&Op> {
        self.op
            .as_ref()
            .filter(|op| kinds.iter().any(|k| k(op.kind)))
    }

    pub(super) fn home_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        match &self.connection {
            Some(c) if !c.initialised => lines.push(Line::styled(
                "not initialised yet: press I to run terraform init",
                theme.warning,
            )),
            Some(_) => lines.push(Line::styled(
                "press P to plan; A switches to drift checks; v shows state and workspaces",
                theme.muted,
            )),
            None => {}
        }
        if let Some(op) = self.op_of(&[|k| k == OpKind::Init]) {
            lines.push(Line::raw(""));
            lines.push(Line::styled("init", theme.header));
            lines.extend(
                op.progress
                    .log
                    .iter()
                    .flat_map(|message| message.lines())
                    .map(|l| Line::styled(format!("  {}", sanitize::line(l)), theme.base)),
            );
            lines.push(Line::raw(""));
            lines.extend(render::diagnostics_lines(&op.progress.diagnostics, theme));
        }
        lines
    }

    pub(super) fn apply_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let apply = self.op_of(&[|k| k == OpKind::Apply]);
        let Some(op) = apply.or(self.last_apply.as_ref()) else {
            return vec![Line::styled(
                "no apply yet: plan (P), review the plan, then ctrl-a",
                theme.muted,
            )];
        };
        let mut lines = render::progress_lines(&op.progress, theme);
        if !op.progress.outputs.is_empty() && op.result.as_ref().is_some_and(|r| r.is_ok()) {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Outputs", theme.header));
            lines.extend(render::apply_output_lines(&op.progress.outputs, theme));
        }
        if !op.progress.diagnostics.is_empty() {
            lines.push(Line::raw(""));
            lines.extend(render::diagnostics_lines(&op.progress.diagnostics, theme));
        }
        lines
    }

    pub(super) fn state_lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let Some((resources, outputs)) = &self.state else {
            return vec![Line::styled(
                match &self.load.error {
                    Some(e) => format!("⚠ {}", sanitize::line(&e.message)),
                    None => "loading the state…".into(),
                },
                theme.muted,
            )];
        };
        let mut lines = vec![Line::styled(
            format!("Resources ({})", resources.len()),
            theme.header,
        )];
        lines.extend(
            resources
                .iter()
                .map(|r| Line::styled(format!("  {}", sanitize::line(r)), theme.base)),
        );
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Outputs ({})", outputs.len()),
            theme.header,
        ));
        lines.extend(render::state_output_lines(outputs, theme));
        lines
    }

    pub(super) fn draw_workspaces(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let mut lines = vec![Line::styled(
            "enter selects the workspace under the cursor",
            theme.muted,
        )];
        for (i, ws) in self.workspaces.iter().enumerate() {
            let text = format!(
                "{} {}",
                if ws.current { "*" } else { " " },
                sanitize::line(&ws.name)
            );
            let style = if i == self.workspace_row {
                theme.selected
            } else {
                theme.base
            };
            lines.push(Line::styled(text, style));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    pub(super) fn draw_plan(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let running = self.op_of(&[|k| matches!(k, OpKind::Plan { .. })]);
        let Some(review) = self
            .review
            .as_ref()
            .filter(|_| !running.is_some_and(Op::running))
        else {
            let mut lines = match running {
                Some(op) => render::progress_lines(&op.progress, theme),
                None => vec![Line::styled(
                    "no plan yet: press P to plan (A: drift mode)",
                    theme.muted,
                )],
            };
            if let Some(op) = running {
                if !op.progress.diagnostics.is_empty() {
                    lines.push(Line::raw(""));
                    lines.extend(render::diagnostics_lines(&op.progress.diagnostics, theme));
                }
            }
            return self.draw_lines(frame, area, lines);
        };
        let diagnostics = running
            .map(|op| render::diagnostics_lines(&op.progress.diagnostics, theme))
            .unwrap_or_default();
        let diag_height = match diagnostics.len() {
            0 => 0,
            n => (n as u16 + 1).min(area.height / 3),
        };
        let heading = Self::review_heading(review, theme);
        let [top, main, bottom] = Layout::vertical([
            Constraint::Length(heading.len() as u16),
            Constraint::Min(3),
            Constraint::Length(diag_height),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(heading), top);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(main);
        self.draw_tree(frame, left, review, theme);
        let diff = match review.change_at(self.tree_row) {
            Some(change) => render::diff_lines(change, self.all_attributes, theme),
            None if review.rows.is_empty() => Vec::new(),
            None => vec![Line::styled("select a change (j/k)", theme.muted)],
        };
        frame.render_widget(
            Paragraph::new(diff).wrap(Wrap { trim: false }).block(
                Block::default()
                    .borders(Borders::LEFT)
                    .border_style(theme.border),
            ),
            right,
        );
        if diag_height > 0 {
            frame.render_widget(
                Paragraph::new(diagnostics)
                    .wrap(Wrap { trim: false })
                    .block(
                        Block::default()
                            .borders(Borders::TOP)
                            .border_style(theme.border),
                    ),
                bottom,
            );
        }
    }

    /// The counts of the plan on screen (or of the drift) and a drift warning.
    pub(super) fn review_heading(review: &Review, theme: &Theme) -> Vec<Line<'static>> {
        let heading = match review.refresh_only {
            true => format!(
                "Drift: {} change(s) made outside Terraform",
                review.plan.drift.len()
            ),
            false => format!("Plan: {}", tree::counts_text(&review.plan.counts())),
        };
        let mut lines = vec![Line::styled(heading, theme.header)];
        if !review.refresh_only && !review.plan.drift.is_empty() {
            lines.push(Line::styled(
                format!(
                    "{} object(s) changed outside Terraform: A then P checks drift",
                    review.plan.drift.len()
                ),
                theme.warning,
            ));
        }
        lines
    }

    pub(super) fn draw_tree(&self, frame: &mut Frame, area: Rect, review: &Review, theme: &Theme) {
        let mut lines = Vec::new();
        if review.rows.is_empty() {
            lines.push(Line::styled(
                match review.refresh_only {
                    true => "no drift: the infrastructure matches the state",
                    false => "no changes: the infrastructure matches the configuration",
                },
                theme.state_success,
            ));
        }
        let visible = (area.height as usize).saturating_sub(lines.len()).max(1);
        let offset = (self.tree_row + 1).saturating_sub(visible);
        for (i, row) in review.rows.iter().enumerate().skip(offset).take(visible) {
            let selected = i == self.tree_row;
            let line = match row {
                TreeRow::Module { address, depth } => Line::styled(
                    format!("{}▾ {}", "  ".repeat(*depth), sanitize::line(address)),
                    theme.muted,
                ),
                TreeRow::Change { index, depth } => {
                    let change = &review.listed()[*index];
                    let name = change
                        .address
                        .strip_prefix(change.module_address.as_deref().unwrap_or(""))
                        .map(|a| a.trim_start_matches('.'))
                        .unwrap_or(&change.address);
                    let note = tree::row_note(change);
                    let mut spans = vec![
                        Span::raw("  ".repeat(*depth)),
                        Span::styled(
                            format!("{:>3} ", tree::glyph(change)),
                            render::glyph_style(change, theme),
                        ),
                        Span::styled(sanitize::line(name).into_owned(), theme.base),
                    ];
                    if !note.is_empty() {
                        spans.push(Span::styled(
                            format!("  {}", sanitize::line(&note)),
                            theme.muted,
                        ));
                    }
                    Line::from(spans)
                }
            };
            lines.push(match selected {
                true => line.style(theme.selected),
                false => line,
            });
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// What to do when the context has no Terraform.
pub(super) fn unconfigured_lines(context: &str, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::styled(
            "This context does not drive Terraform yet. Add to config.toml:",
            theme.base,
        ),
        Line::raw(""),
    ];
    lines.extend(
        crate::terraform::target::config_snippet(&sanitize::line(context))
            .lines()
            .map(|l| Line::styled(format!("  {l}"), theme.highlight)),
    );
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "(a --sandbox context without it opens the sandbox demo configuration)",
        theme.muted,
    ));
    lines
}
