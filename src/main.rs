// jemalloc, not the system allocator: a 100,000-user load frees tens of megabytes of page and index
// buffers, and glibc kept most of them resident; jemalloc's background thread returns them about a second
// later (its settings: .cargo/config.toml). Windows keeps its own allocator.
#[cfg(not(windows))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    seats::commands::main()
}

#[cfg(all(test, not(windows)))]
mod tests {
    /// The settings that hand freed memory back are compiled into the allocator; without them (a build
    /// outside this folder's .cargo/config.toml) a loaded console stays ~50 MB larger.
    #[test]
    fn the_allocator_hands_freed_pages_back_in_the_background() {
        let conf = tikv_jemalloc_ctl::config::malloc_conf::read()
            .expect("jemalloc's compiled-in settings");
        assert!(conf.contains("dirty_decay_ms:1000"), "{conf}");
        assert!(conf.contains("muzzy_decay_ms:0"), "{conf}");
        assert!(tikv_jemalloc_ctl::opt::background_thread::read().expect("opt.background_thread"));
    }
}
