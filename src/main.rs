fn main() -> std::process::ExitCode {
    seats::commands::main()
}
