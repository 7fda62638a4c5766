//! A thread pool for blocking file I/O: reading the content files, writing the output.
//!
//! Compute stages use rayon's global pool, one thread per core. A thread waiting on the disk
//! uses no core, so with only that pool a 2-core machine keeps two requests in flight and
//! the disk idles between them; on a cold cache, reading 100,000 posts took 9 s that way. More
//! threads than cores keep the disk's queue full (and on a warm cache cost nothing).

use std::sync::OnceLock;

/// Threads for I/O: enough requests in flight for an SSD or a virtual disk.
const IO_THREADS: usize = 16;

/// Runs `work` on the I/O pool (rayon's `par_iter` inside it uses the pool's threads), or on
/// the current pool if the I/O pool cannot be started.
pub fn run<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(IO_THREADS.max(rayon::current_num_threads()))
            .thread_name(|index| format!("quire-io-{index}"))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}
