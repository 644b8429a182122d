//! `ties`: a keyboard-first terminal explorer for relationship graphs.
//! Everything lives in the library; this only hands over the command line.

fn main() -> std::process::ExitCode {
    ties::cli::main()
}
