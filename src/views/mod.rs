pub mod document;
pub mod log_viewer;
pub mod preview;
pub mod selection;
pub mod table;
