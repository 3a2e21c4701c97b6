fn main() -> std::process::ExitCode {
    lodestar::cli::main()
}
