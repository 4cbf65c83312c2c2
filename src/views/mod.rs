pub mod document;
pub mod log_viewer;
pub mod preview;
pub mod table;
