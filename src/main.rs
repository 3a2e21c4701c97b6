/// mimalloc rather than the system allocator: compiling builds and frees many small strings on
/// every core, and glibc's malloc was a third of the time of `compile --dialect all` on a
/// 20,000-metric project (bench/compile.sh).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    lodestar::cli::main()
}
