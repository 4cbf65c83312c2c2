//! Everything that changes the app's state arrives as one of these messages. Views' own
//! messages never travel here: they wait in the view's mailbox, and [`Msg::Wake`] says so.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::view::{AppLink, Outcome, ViewId};
use crate::clients::Clients;
use crate::errors::UiError;
use crate::gate::Finished;

pub enum Msg {
    /// A key press, resize or other terminal event.
    Terminal(crossterm::event::Event),
    /// View `view` has messages in its mailbox (dropped if it was closed meanwhile).
    Wake(ViewId),
    /// A gated action finished (its audit record is written).
    ActionFinished(Finished),
    /// The clients of a context are ready (or could not be built).
    ClientsReady {
        generation: u64,
        result: Result<Arc<Clients>, UiError>,
    },
    /// What background work started by a view decided (e.g. confirm an action after a dry run),
    /// handled as if the view had returned it from a key. Dropped if that view was closed.
    Outcome { view: ViewId, outcome: Outcome },
}

/// The app's channel is how views' work reaches it.
impl AppLink for UnboundedSender<Msg> {
    fn wake(&self, view: ViewId) -> bool {
        self.send(Msg::Wake(view)).is_ok()
    }

    fn outcome(&self, view: ViewId, outcome: Outcome) -> bool {
        self.send(Msg::Outcome { view, outcome }).is_ok()
    }
}
