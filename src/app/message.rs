//! Everything that changes the app's state arrives as one of these messages.

use std::any::Any;
use std::sync::Arc;

use crate::clients::Clients;
use crate::gate::Finished;

pub type ViewId = u64;

pub enum Msg {
    /// A key press, resize or other terminal event.
    Terminal(crossterm::event::Event),
    /// The result of work a view started; routed to that view if it still exists.
    Data {
        view: ViewId,
        payload: Box<dyn Any + Send>,
    },
    /// A gated action finished (its audit record is written).
    ActionFinished(Finished),
    /// The clients of a context are ready (or could not be built).
    ClientsReady {
        generation: u64,
        result: Result<Arc<Clients>, String>,
    },
    /// A message for the status line from background work that belongs to no view.
    Flash(Result<String, String>),
    /// What background work started by a view decided (e.g. confirm an action after a dry run),
    /// handled as if the view had returned it from a key. Dropped if that view was closed.
    Outcome {
        view: ViewId,
        outcome: crate::app::view::Outcome,
    },
}
