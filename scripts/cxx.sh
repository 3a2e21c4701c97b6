#!/bin/sh
# C++ compiler for -sys crates (DuckDB's bundled build): through ccache when it is installed, so a
# build that is interrupted resumes where it stopped instead of starting over.
if command -v ccache >/dev/null 2>&1; then exec ccache c++ "$@"; else exec c++ "$@"; fi
