//! Every schedule gives the serial scalar image, for any size and thread
//! count, and bad parameters are errors.

use logprof_kernels::{
    run, run_into, Image, JuliaSet, Kernel, KernelError, Pool, RunOptions, Schedule,
};

const THREADS: [usize; 7] = [1, 2, 3, 4, 7, 16, 64];
const SIZES: [usize; 6] = [1, 2, 3, 5, 17, 100];

/// The default schedules, and each parametrised one with parameters from
/// the smallest (1) through a few small odd ones to one larger than every
/// size (1000).
fn schedules() -> Vec<Schedule> {
    let mut all = Schedule::all().to_vec();
    for p in [1, 3, 5, 7, 1000] {
        all.extend(with_parameter(p));
    }
    all
}

/// The four parametrised schedules, each with parameter `p`.
fn with_parameter(p: usize) -> [Schedule; 4] {
    [
        Schedule::Chunked { chunk: p },
        Schedule::ForkJoin { ntasks: p },
        Schedule::Rayon { basesize: p },
        Schedule::DepthFirst { basesize: p },
    ]
}

#[test]
fn every_schedule_gives_the_serial_image() {
    let fractals: Vec<(JuliaSet, Image)> = SIZES
        .iter()
        .map(|&n| {
            let f = JuliaSet::with_size(n).unwrap();
            let serial = f.compute(Kernel::Scalar).unwrap();
            (f, serial)
        })
        .collect();
    for threads in THREADS {
        let pool = Pool::new(threads).unwrap();
        assert_eq!(pool.threads(), threads);
        for schedule in schedules() {
            for (f, serial) in &fractals {
                for kernel in Kernel::ALL {
                    let image = run(&pool, &schedule, f, RunOptions::plain(kernel)).unwrap();
                    assert!(
                        image == *serial,
                        "{schedule} {kernel} with {threads} threads at n={}",
                        f.n
                    );
                }
            }
        }
    }
}

#[test]
fn other_constants_and_repeated_runs_into_one_image() {
    let pool = Pool::new(3).unwrap();
    let mut image = Image::new(1).unwrap();
    for (n, c_re, c_im) in [(64, -0.4, 0.6), (31, 0.285, 0.01), (50, -0.79, 0.15)] {
        let f = JuliaSet::new(n, c_re, c_im).unwrap();
        let serial = f.compute(Kernel::Scalar).unwrap();
        for schedule in Schedule::all() {
            // Dirty the image first: every pixel must be written.
            image.as_bytes_mut().fill(0xAB);
            run_into(
                &pool,
                &schedule,
                &f,
                RunOptions::plain(Kernel::Simd),
                &mut image,
            )
            .unwrap();
            assert!(image == serial, "{schedule} at n={n}");
        }
    }
}

#[test]
fn bad_parameters_are_errors_not_panics() {
    assert_eq!(Pool::new(0).unwrap_err(), KernelError::ZeroThreads);
    assert!(Pool::new(0).unwrap_err().to_string().contains("threads"));
    let pool = Pool::new(2).unwrap();
    let f = JuliaSet::with_size(10).unwrap();
    for (schedule, param) in with_parameter(0)
        .into_iter()
        .zip(["chunk", "ntasks", "basesize", "basesize"])
    {
        let err = run(&pool, &schedule, &f, RunOptions::plain(Kernel::Simd)).unwrap_err();
        assert_eq!(
            err,
            KernelError::InvalidParameter {
                schedule: schedule.name(),
                param,
                value: 0
            }
        );
        let msg = err.to_string();
        assert!(
            msg.contains(schedule.name()) && msg.contains(&format!("{param}=0")),
            "{msg}"
        );
    }
    let zero = JuliaSet {
        n: 0,
        ..JuliaSet::default()
    };
    assert_eq!(
        run(
            &pool,
            &Schedule::Static,
            &zero,
            RunOptions::plain(Kernel::Simd)
        )
        .unwrap_err(),
        KernelError::InvalidSize { n: 0 }
    );
    let mut image = Image::new(4).unwrap();
    assert!(run_into(
        &pool,
        &Schedule::Static,
        &zero,
        RunOptions::plain(Kernel::Simd),
        &mut image
    )
    .is_err());
    // A failed run leaves the image as it was.
    assert_eq!(image.n(), 4);
}

#[test]
fn huge_parameters_are_fine() {
    let pool = Pool::new(2).unwrap();
    let f = JuliaSet::with_size(9).unwrap();
    let serial = f.compute(Kernel::Scalar).unwrap();
    for schedule in with_parameter(usize::MAX) {
        assert_eq!(
            run(&pool, &schedule, &f, RunOptions::plain(Kernel::Simd)).unwrap(),
            serial
        );
    }
}
