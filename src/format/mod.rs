//! Canonical printers for both syntaxes (`lodestar fmt`, `lodestar convert`).
