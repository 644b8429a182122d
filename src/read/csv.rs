//! CSV tables (in progress).
