fn main() -> std::process::ExitCode {
    seats::cli::main()
}
