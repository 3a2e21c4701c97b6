//! The documentation site: an index of products and a page per product with a picture of its
//! metric tree.

pub mod text;
