//! The command line: every command, every option and its default. What the
//! options mean together is checked in [`crate::options`]: an option that
//! would be ignored or overridden is rejected with a one-line error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::export::ExportArgs;

/// logprof: see where parallel code waits.
///
/// Runs the Julia-set fractal of the lecture under many schedulers, records
/// every column on every thread, and shows the imbalance of each schedule as
/// timelines and numbers. It also draws and summarises any Chrome trace file.
#[derive(Debug, Parser)]
#[command(name = "logprof", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// What each schedule does, for `--help` (docs/compare.md has the same
/// table). A macro, so that `concat!` can put it into each help text.
macro_rules! schedules {
    () => {
        "The schedules (one column of the image is one unit of work):
  serial      every column in order on one worker (worker-0): the baseline
  static      one equal contiguous block a thread, block t on worker t
              (Julia's `@threads :static`)
  dynamic     as many equal contiguous blocks as threads, handed out on
              demand from a shared counter (Julia's `@threads :dynamic`):
              no more blocks than threads, so as uneven as static
  chunked     each thread takes the next --chunk columns from a shared
              counter until none is left (OpenMP `schedule(dynamic, k)`)
  guided      as chunked, each chunk the remaining columns / threads,
              shrinking as the work runs out (OpenMP `schedule(guided)`)
  forkjoin    halve the columns recursively with rayon::join until a piece
              has at most N / --ntasks columns (the lecture's recursive
              spawn)
  rayon       a rayon parallel iterator: split adaptively as idle threads
              steal, never finer than --basesize columns (FLoops
              `ThreadedEx`)
  depthfirst  one task a --basesize chunk, spawned in column order into a
              FIFO scope, so the chunks start left to right (FoldsThreads
              `DepthFirstEx`)"
    };
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the fractal under every scheduler: time, record, draw, compare.
    #[command(long_about = concat!(
        "Run the fractal under every scheduler: time, record, draw, compare.\n\n",
        schedules!()
    ))]
    Compare(CompareArgs),
    /// Run the fractal under one scheduler: time, record, draw.
    #[command(long_about = concat!(
        "Run the fractal under one scheduler: time, record, draw.\n\n",
        schedules!()
    ))]
    Run(RunArgs),
    /// Time one scheduler against a swept parameter, as a table and a chart.
    Sweep(SweepArgs),
    /// Draw a trace file (Chrome JSON, ours or another tool's, .pftrace or .lpt) as a timeline.
    Render(RenderArgs),
    /// Summarise a trace file (Chrome JSON, .pftrace or .lpt): busy and idle per thread, load balance,
    /// parallel efficiency, the functions that take the most time.
    Report(ReportArgs),
    /// Convert a trace file between Chrome JSON (.json), Perfetto's
    /// protobuf (.pftrace) and logprof's compact .lpt: the input's format
    /// is told by its content, the output's by its extension.
    Convert(ConvertArgs),
    /// Merge the files the ranks of an MPI run streamed (one each,
    /// `run.rank-N.lpt`) into one trace: one process per rank, times on
    /// rank 0's clock, messages paired across ranks.
    Merge(MergeArgs),
    /// The lecture's process experiments on MPI ranks: time, record every
    /// rank into one trace, draw, compare (needs the `mpi` feature).
    Processes(ProcessesArgs),
    /// The lecture's "sending data": the same strings in four shapes and a
    /// matrix or its recipe, sent rank 1 → rank 0 and timed, every rank's
    /// recording written as `sending.trace.json` (each message a flow
    /// arrow) with its timeline (needs the `mpi` feature).
    Sending(SendingArgs),
    /// Byte histogram of a folder's files, serially, on threads and (with
    /// --ranks) on MPI processes, with hash-map and array counters; with
    /// --ranks, every rank's counting and reduce (one more run of each
    /// counter, recorded) is written as `histogram.trace.json` with its
    /// timeline.
    Histogram(HistogramArgs),
    /// Predict each schedule on P virtual cores from one recorded run (the
    /// fractal's serial run, or a trace file region by region).
    #[command(long_about = concat!(
        "Predict each schedule on P virtual cores from one recorded run (the fractal's \
         serial run, or a trace file region by region).\n\n",
        schedules!()
    ))]
    Simulate(SimulateArgs),
}

/// Which implementation computes a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KernelArg {
    /// Several pixels of a column at once in vector lanes (AVX-512 or AVX2 when
    /// the CPU has them, chosen at run time).
    Simd,
    /// The lecture's scalar loop, one pixel at a time.
    Scalar,
}

impl KernelArg {
    /// The kernel this option names.
    pub fn kernel(self) -> logprof_kernels::Kernel {
        match self {
            KernelArg::Simd => logprof_kernels::Kernel::Simd,
            KernelArg::Scalar => logprof_kernels::Kernel::Scalar,
        }
    }
}

/// Which scheduling overheads `simulate` charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OverheadsArg {
    /// Measured on this machine when the command starts (about 15 ms), with
    /// the real schedulers' code: dispatch, spawn, steal, wake.
    Measured,
    /// None: the exact model, the work alone.
    Zero,
}

/// The default `--size` of compare, run and sweep.
pub const DEFAULT_SIZE: usize = 3000;

/// The workload and how it is timed; shared by compare, run and sweep.
#[derive(Clone, Debug, Args)]
pub struct WorkloadArgs {
    /// Image size: the fractal is N×N pixels, N columns of work (at most
    /// 16384: fractal.png has a pixel per column, and a PNG at most 16384 px
    /// a side).
    ///
    /// The default is 3× the lecture's 1000, so that each timed run lasts
    /// tens of milliseconds even on all cores of a laptop: shorter runs
    /// measure the OS scheduler as much as the schedule.
    #[arg(long, short = 'n', default_value_t = DEFAULT_SIZE, value_name = "N")]
    pub size: usize,
    /// Worker threads of the pool (checked before the run: the timelines,
    /// a lane per thread, must fit a PNG).
    #[arg(long, short = 't', default_value_t = 4, value_name = "T")]
    pub threads: usize,
    /// Real part of the constant c in z = z² + c.
    #[arg(long, default_value_t = -0.79, allow_hyphen_values = true, value_name = "RE")]
    pub c_re: f64,
    /// Imaginary part of the constant c.
    #[arg(
        long,
        default_value_t = 0.15,
        allow_hyphen_values = true,
        value_name = "IM"
    )]
    pub c_im: f64,
    /// Column kernel.
    #[arg(long, value_enum, default_value_t = KernelArg::Simd)]
    pub kernel: KernelArg,
    /// Timed runs per measurement (at least 1): mean ± σ and min … max are
    /// reported, with a warning when the runs are noisy.
    #[arg(long, default_value_t = 10, value_name = "RUNS")]
    pub runs: usize,
    /// Untimed runs before the timed ones.
    #[arg(long, default_value_t = 3, value_name = "RUNS")]
    pub warmup: usize,
}

/// The folder every command's default output directory is in.
pub const OUT_ROOT: &str = "logprof-out";

/// The output directory of a command that writes one.
#[derive(Clone, Debug, Args)]
pub struct OutArgs {
    /// Directory for traces, pictures and tables (default: one a command
    /// in logprof-out/, as logprof-out/compare, logprof-out/run-static,
    /// logprof-out/sweep-chunk, logprof-out/simulate, so no command
    /// replaces another's). Built beside it and swapped in at the end, so
    /// an interrupted run leaves the old one whole; an existing directory
    /// must be empty or an earlier logprof output, which is replaced whole.
    #[arg(long = "out", short = 'o', value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl OutArgs {
    /// `--out`, or `logprof-out/<name>` when it is left out.
    pub fn dir_or(&self, name: &str) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| std::path::Path::new(OUT_ROOT).join(name))
    }
}

/// Scheduler parameters, each used by the schedulers that take it. Giving
/// one to a command that would not use it is an error (as `run -s static
/// --chunk 8`), never silently ignored.
#[derive(Clone, Debug, Args)]
pub struct ScheduleParams {
    /// Columns a thread takes at a time under `chunked`.
    #[arg(long, default_value_t = logprof_kernels::DEFAULT_CHUNK, value_name = "K")]
    pub chunk: usize,
    /// Pieces `forkjoin` halves the columns into (at most N/K columns a piece).
    #[arg(long, default_value_t = logprof_kernels::DEFAULT_NTASKS, value_name = "K")]
    pub ntasks: usize,
    /// Fewest columns a task gets under `rayon` and `depthfirst`.
    #[arg(long, default_value_t = logprof_kernels::DEFAULT_BASESIZE, value_name = "K")]
    pub basesize: usize,
}

/// What `compare` and `run` both take: the workload, where the results
/// go, the schedulers' parameters, the colours and the table exports.
#[derive(Clone, Debug, Args)]
pub struct MeasureArgs {
    /// The workload.
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Where it writes.
    #[command(flatten)]
    pub out: OutArgs,
    /// The schedulers' parameters.
    #[command(flatten)]
    pub params: ScheduleParams,
    /// What the timelines' colours say.
    #[arg(long, value_enum, default_value_t = ColorArg::Name)]
    pub color: ColorArg,
    /// Table exports.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// `logprof compare`.
#[derive(Clone, Debug, Args)]
pub struct CompareArgs {
    /// The workload, output and parameters.
    #[command(flatten)]
    pub measure: MeasureArgs,
}

/// `logprof run`.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// The scheduler: serial, static, dynamic (equal blocks handed out on
    /// demand, as Julia's `:dynamic`), chunked, guided, forkjoin, rayon or
    /// depthfirst (`run --help` says what each does); a parameter may be
    /// given inline,
    /// as in `chunked(8)` or `rayon(basesize=32)`, or with its option, not
    /// both (an error), and only to a scheduler that takes it (else an
    /// error).
    #[arg(long, short = 's', value_name = "NAME")]
    pub schedule: String,
    /// The workload, output and parameter.
    #[command(flatten)]
    pub measure: MeasureArgs,
}

/// The parameter a sweep varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SweepParam {
    /// forkjoin's number of tasks: 4, 8, ..., 512 (the lecture's table).
    Ntasks,
    /// rayon's smallest task in columns: 1, 2, ..., 128 (the lecture's table).
    Basesize,
    /// chunked's columns per grab: 1, 2, ..., 128.
    Chunk,
    /// Worker threads, 1 to 2× the cores, for every scheduler (speed-up).
    Threads,
}

/// `logprof sweep`.
#[derive(Clone, Debug, Args)]
pub struct SweepArgs {
    /// What to vary. The varied option itself (`sweep threads -t 2`,
    /// `sweep chunk --chunk 4`) and the parameters of schedulers the sweep
    /// does not run are errors: give the values with --values.
    #[arg(value_enum)]
    pub param: SweepParam,
    /// The values to try, comma-separated (default: the lecture's).
    #[arg(long, value_delimiter = ',', value_name = "V,V,...")]
    pub values: Option<Vec<usize>>,
    /// The workload.
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Where it writes.
    #[command(flatten)]
    pub out: OutArgs,
    /// The schedulers' parameters (`sweep threads` only).
    #[command(flatten)]
    pub params: ScheduleParams,
    /// Table exports.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// What a timeline's bar colours say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// The span's name: a function has one colour in every picture.
    Name,
    /// The span's cost, light to dark: its result (args.result, a column's
    /// iterations) on a linear scale from 0 when the trace has results, else
    /// its duration on a log scale.
    Cost,
}

impl From<ColorArg> for logprof_viz::ColorBy {
    fn from(c: ColorArg) -> Self {
        match c {
            ColorArg::Name => logprof_viz::ColorBy::Name,
            ColorArg::Cost => logprof_viz::ColorBy::Cost,
        }
    }
}

/// How a timeline groups its lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LaneGrouping {
    /// One lane per thread.
    Thread,
    /// One lane per task (span identity), slices coloured by thread: shows
    /// tasks that migrate between threads.
    Task,
}

/// `logprof render`.
#[derive(Clone, Debug, Args)]
pub struct RenderArgs {
    /// The trace file: Chrome JSON, or logprof's compact `.lpt`, told apart
    /// by its first bytes whatever its name.
    pub trace: PathBuf,
    /// SVG output (default: the trace's name with .svg, unless --png or
    /// --html is given).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// PNG output.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// HTML output: one page with the timeline on a canvas (zoom with the
    /// wheel, pan by dragging, click a span for its function's figures) and
    /// the summary's tables, everything inline. Its timeline has a lane a
    /// thread, coloured by name, whatever --by, --color and --width say.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Lanes by thread or by task.
    #[arg(long, value_enum, default_value_t = LaneGrouping::Thread)]
    pub by: LaneGrouping,
    /// What the bars' colours say (thread lanes; task lanes are coloured by
    /// thread).
    #[arg(long, value_enum, default_value_t = ColorArg::Name)]
    pub color: ColorArg,
    /// Picture title (default: the trace file's name).
    #[arg(long)]
    pub title: Option<String>,
    /// Picture width in pixels (480 to 16384).
    #[arg(long, default_value_t = 1400, value_name = "PX")]
    pub width: u32,
    /// Read the trace in one pass, chunk by chunk, without holding its
    /// spans (an .lpt file only): the default for .lpt files above 64 MiB
    /// (LOGPROF_STREAM_ABOVE bytes). Figures that need the whole trace
    /// are left out, and the output says which.
    #[arg(long, conflicts_with = "whole")]
    pub stream: bool,
    /// Read the trace whole into memory, whatever its size (about 30 times
    /// an .lpt file's size).
    #[arg(long)]
    pub whole: bool,
}

/// `logprof convert`.
#[derive(Clone, Debug, Args)]
pub struct ConvertArgs {
    /// The trace to read: Chrome JSON, Perfetto protobuf or logprof's
    /// compact .lpt, whatever its name (its first bytes tell).
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The file to write, in the format its extension names: .json
    /// (Chrome JSON), .pftrace (Perfetto protobuf; also .perfetto-trace,
    /// .pb) or .lpt (logprof's compact format). Written whole or not at
    /// all; never the input.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
}

/// `logprof merge`.
#[derive(Clone, Debug, Args)]
pub struct MergeArgs {
    /// Each rank's file, in any order: the `.lpt` file it streamed
    /// (`run.rank-N.lpt`, which says its rank and clock), or any trace
    /// file (files that do not say their rank are ranks 0, 1, … in the
    /// order given).
    #[arg(value_name = "IN", required = true)]
    pub inputs: Vec<PathBuf>,
    /// The merged trace, in the format its extension names (.lpt is
    /// written as the inputs are read; another format holds the whole
    /// trace in memory). Written whole or not at all.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Merge the ranks given when some of the run's ranks have no file,
    /// instead of refusing.
    #[arg(long)]
    pub allow_missing: bool,
}

/// `logprof report`.
#[derive(Clone, Debug, Args)]
pub struct ReportArgs {
    /// The trace file: Chrome JSON, or logprof's compact `.lpt`, told apart
    /// by its first bytes whatever its name.
    pub trace: PathBuf,
    /// How many functions to list, the most time first.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// How many regions "where the time goes" lists, the most to save
    /// first (0 leaves the section out; the JSON export has every region).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub regions: usize,
    /// Also write the report as one HTML page to FILE, with the timeline
    /// (zoom with the wheel, pan by dragging) and the tables, everything
    /// inline.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Read the trace in one pass, chunk by chunk, without holding its
    /// spans (an .lpt file only): the default for .lpt files above 64 MiB
    /// (LOGPROF_STREAM_ABOVE bytes). Figures that need the whole trace
    /// are left out, and the output says which.
    #[arg(long, conflicts_with = "whole")]
    pub stream: bool,
    /// Read the trace whole into memory, whatever its size (about 30 times
    /// an .lpt file's size).
    #[arg(long)]
    pub whole: bool,
    /// Table exports (the per-thread table).
    #[command(flatten)]
    pub export: ExportArgs,
}

/// `logprof processes`: the fractal shared over MPI ranks.
#[derive(Clone, Debug, Args)]
pub struct ProcessesArgs {
    /// Ranks to start: `processes` runs `mpirun -n N` on itself (at least
    /// 2; 4 when left out). Leave it out under `mpirun -n N logprof
    /// processes`.
    #[arg(long, value_name = "N")]
    pub ranks: Option<u32>,
    /// Image size: the fractal is N×N pixels, N columns of work.
    #[arg(long, short = 'n', default_value_t = 1000, value_name = "N")]
    pub size: usize,
    /// Timed runs per experiment (at least 1); the median is reported.
    #[arg(long, default_value_t = 5, value_name = "RUNS")]
    pub runs: usize,
    /// Untimed runs before the timed ones.
    #[arg(long, default_value_t = 1, value_name = "RUNS")]
    pub warmup: usize,
    /// Column kernel.
    #[arg(long, value_enum, default_value_t = KernelArg::Simd)]
    pub kernel: KernelArg,
    /// Where it writes.
    #[command(flatten)]
    pub out: OutArgs,
}

/// `logprof sending`: data sent between two MPI ranks.
#[derive(Clone, Debug, Args)]
pub struct SendingArgs {
    /// Ranks to start: `sending` runs `mpirun -n N` on itself (at least 2,
    /// ranks past 2 only wait; 2 when left out). Leave it out under
    /// `mpirun -n N logprof sending`.
    #[arg(long, value_name = "N")]
    pub ranks: Option<u32>,
    /// Timed transfers per row (at least 1); the median is reported.
    #[arg(long, default_value_t = 10, value_name = "RUNS")]
    pub runs: usize,
    /// Untimed transfers before the timed ones.
    #[arg(long, default_value_t = 1, value_name = "RUNS")]
    pub warmup: usize,
    /// Side of the square matrix of the recipe-or-matrix pair (the
    /// lecture's 1000; 1 to 8192).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub matrix: usize,
    /// Seed of the random strings and matrix.
    #[arg(long, default_value_t = 1, value_name = "SEED")]
    pub seed: u64,
    /// Where it writes.
    #[command(flatten)]
    pub out: OutArgs,
    /// Table exports.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// `logprof histogram`: threads against processes on allocation-heavy work.
#[derive(Clone, Debug, Args)]
pub struct HistogramArgs {
    /// Folder whose files (those directly in it) are counted (default: a
    /// generated folder of 64 files, 16 KiB to 1 MiB each, always the same
    /// bytes).
    #[arg(long, value_name = "DIR")]
    pub files: Option<PathBuf>,
    /// Also count on N MPI processes: runs `mpirun -n N` on itself (needs
    /// the `mpi` feature). Leave it out under `mpirun -n N logprof histogram`.
    #[arg(long, value_name = "N")]
    pub ranks: Option<u32>,
    /// Threads of the threads rows (default: as many as ranks, 4 without).
    #[arg(long, short = 't', value_name = "T")]
    pub threads: Option<usize>,
    /// Timed runs per row (at least 1); the median is reported.
    #[arg(long, default_value_t = 5, value_name = "RUNS")]
    pub runs: usize,
    /// Untimed runs before the timed ones (the first also reads the files
    /// into the page cache).
    #[arg(long, default_value_t = 1, value_name = "RUNS")]
    pub warmup: usize,
    /// Where it writes.
    #[command(flatten)]
    pub out: OutArgs,
    /// Table exports.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// `logprof simulate`.
#[derive(Clone, Debug, Args)]
pub struct SimulateArgs {
    /// A trace file (Chrome JSON, `.pftrace` or `.lpt`), predicted region by region (each region's units on
    /// their own, a serial region kept serial; default: record a serial run
    /// of the fractal, a unit a column).
    pub trace: Option<PathBuf>,
    /// With a trace: the units of each region are the spans named NAME in
    /// it (default: its work spans where its work splits).
    #[arg(long, value_name = "NAME")]
    pub unit: Option<String>,
    /// Virtual cores to predict, comma-separated.
    #[arg(
        long,
        short = 't',
        value_delimiter = ',',
        default_value = "1,2,4,8,16",
        value_name = "P,P,..."
    )]
    pub threads: Vec<usize>,
    /// A schedule (`chunked(8)`, `rayon(basesize=32)`, ...; `simulate
    /// --help` says what each does) or `all`.
    #[arg(long, short = 's', default_value = "all", value_name = "NAME")]
    pub schedule: String,
    /// Image size of the recorded fractal (not with a trace file; at most 16384).
    #[arg(long, short = 'n', value_name = "N")]
    pub size: Option<usize>,
    /// Column kernel of the recorded serial run and of the timed runs that
    /// check the predictions (default simd; not with a trace file).
    #[arg(long, value_enum, value_name = "KERNEL")]
    pub kernel: Option<KernelArg>,
    /// Scheduling overheads the model charges: `measured` on this machine, or
    /// `zero` (the work alone, the exact model).
    #[arg(long, value_enum, default_value_t = OverheadsArg::Measured, value_name = "WHICH")]
    pub overheads: OverheadsArg,
    /// Timed runs of each real schedule that checks a prediction, at every P
    /// up to this machine's cores (the median is compared; not with a trace
    /// file; default 20).
    #[arg(long, value_name = "N")]
    pub runs: Option<usize>,
    /// Where it writes.
    #[command(flatten)]
    pub out: OutArgs,
    /// Table exports.
    #[command(flatten)]
    pub export: ExportArgs,
}
