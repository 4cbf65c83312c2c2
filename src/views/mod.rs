pub mod document;
pub mod preview;
pub mod table;
