//! Timing shared by the in-process benchmarks: run a closure n times, report best and median.

use std::time::{Duration, Instant};

/// "best … ms, median … ms" of the runs.
pub fn stats(mut runs: Vec<Duration>) -> String {
    runs.sort();
    format!(
        "best {:>9.1} ms, median {:>9.1} ms",
        runs[0].as_secs_f64() * 1e3,
        runs[runs.len() / 2].as_secs_f64() * 1e3
    )
}

/// Runs `f` `n` times (n > 0); the time of each run, and the last result.
pub fn time<T>(n: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        last = Some(std::hint::black_box(f()));
        runs.push(t.elapsed());
    }
    (runs, last.expect("n > 0"))
}
