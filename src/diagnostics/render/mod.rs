//! Renderers: diagnostics → text in each output format. They return strings; the CLI prints.
