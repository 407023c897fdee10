//! Computes the lecture's fractal under every schedule, checks each image
//! against the serial one, and prints how the work is spread over 4 static
//! blocks.
//!
//! ```sh
//! cargo run --release -p logprof-kernels --example juliaset -- [threads] [n]
//! ```

use std::time::Instant;

use logprof_kernels::{
    iterations_per_block, run, Isa, JuliaSet, Kernel, Pool, RunOptions, Schedule,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map_or(Ok(4), |a| a.parse())?;
    let n: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let fractal = JuliaSet::with_size(n)?;
    let pool = Pool::new(threads)?;

    let start = Instant::now();
    let serial = fractal.compute(Kernel::Scalar)?;
    println!("serial scalar: {:.2?}", start.elapsed());
    let millions = |per_column: Vec<u64>| {
        iterations_per_block(&per_column, 4)
            .iter()
            .map(|&b| format!("{:.2}M", b as f64 / 1e6))
            .collect::<Vec<String>>()
            .join(", ")
    };
    println!(
        "4 static blocks: updates {}; escape checks (the lecture's count) {}",
        millions(serial.iterations_per_column()),
        millions(serial.escape_checks_per_column()),
    );
    println!("SIMD instruction set: {}", Isa::detect());

    for kernel in Kernel::ALL {
        for schedule in Schedule::all() {
            run(&pool, &schedule, &fractal, RunOptions::plain(kernel))?; // warm up
            let start = Instant::now();
            let image = run(&pool, &schedule, &fractal, RunOptions::plain(kernel))?;
            let elapsed = start.elapsed();
            assert_eq!(image, serial, "{schedule} {kernel} differs from serial");
            println!("{kernel:>6} {schedule:<22} {threads} threads: {elapsed:.2?}");
        }
    }
    Ok(())
}
