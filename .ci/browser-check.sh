#!/usr/bin/env bash
# report.html in a real browser: makes every kind of page with the debug
# `logprof` (compare, run, sweep, simulate, render and report of a trace, a
# real one of another tool when ../shared/realtraces is there; processes,
# sending and histogram --ranks where mpirun and the `mpi` feature build),
# then opens each in headless Chromium (.ci/browser/check.mjs): no console
# error, no request, the timeline's span count equal to the traces' (as
# `logprof report --export-json` counts them), a wheel that narrows the
# view, Enter that selects a span and lists its function's figures, a
# screenshot that is not blank.
#
# Installs Debian's `chromium` with apt when missing (CI runs as root), and
# `playwright-core` with npm into a cache folder; playwright downloads no
# browser: it drives /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}

if [ ! -x /usr/bin/chromium ] || ! command -v npm >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q chromium nodejs npm
fi
pw=${LOGPROF_PLAYWRIGHT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/logprof-playwright}
if [ ! -f "$pw/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$pw"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$pw" --no-audit --no-fund \
    --silent playwright-core@1
fi

features=()
if command -v mpirun >/dev/null && dpkg -s libopenmpi-dev >/dev/null 2>&1 \
  && dpkg -s libclang-dev >/dev/null 2>&1; then
  features=(--features mpi)
fi
cargo build -q "${features[@]}" --bin logprof
bin=$target_dir/debug/logprof
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs a command, its output shown only when it fails.
quiet() { "$@" > "$work/out.log" 2>&1 || { cat "$work/out.log" >&2; return 1; }; }
# The spans of the traces given, as `logprof report` reads them.
spans_of() {
  local total=0 n
  for trace in "$@"; do
    quiet "$bin" report "$trace" --top 1 --regions 0 --export-json "$work/count.json"
    n=$(node -e 'console.log(require(process.argv[1]).spans)' "$work/count.json")
    total=$((total + n))
  done
  echo "$total"
}
# The spans of every trace in a command's output folder.
folder_spans() {
  shopt -s nullglob
  local traces=("$1"/*.trace.json)
  shopt -u nullglob
  if [ ${#traces[@]} -eq 0 ]; then echo 0; else spans_of "${traces[@]}"; fi
}

pages=()
add_folder() { pages+=("$1=$2/report.html=$(folder_spans "$2")"); }

quiet "$bin" compare --size 60 --runs 1 --warmup 0 --out "$work/compare"
add_folder compare "$work/compare"
quiet "$bin" run -s dynamic --size 60 --runs 1 --warmup 0 --out "$work/run"
add_folder run "$work/run"
quiet "$bin" sweep threads --size 40 --values 1,2 --out "$work/sweep"
add_folder sweep "$work/sweep"
quiet "$bin" simulate --size 40 --runs 1 -t 2 --out "$work/simulate"
add_folder simulate "$work/simulate"

# render --html of every real trace of other tools when they are there,
# else of one of ours.
real=../shared/realtraces
traces=("$work/compare/static.trace.json")
if [ -f "$real/SOURCES.md" ]; then
  traces=("$real"/[0-9]*.json)
fi
for trace in "${traces[@]}"; do
  name=$(basename "$trace" .json)
  quiet "$bin" render "$trace" --html "$work/$name.html"
  pages+=("render $name=$work/$name.html=$(spans_of "$trace")")
done
# Instants and counters, as Chrome JSON writes them: 3 instants, 2 tracks.
cat > "$work/instants.json" <<'EOF'
{"traceEvents":[
{"ph":"X","name":"work","pid":1,"tid":1,"ts":0,"dur":100},
{"ph":"X","name":"work","pid":1,"tid":2,"ts":10,"dur":50},
{"ph":"i","name":"steal","pid":1,"tid":1,"ts":20,"s":"t"},
{"ph":"i","name":"steal","pid":1,"tid":2,"ts":30,"s":"t"},
{"ph":"i","name":"wake","pid":1,"tid":2,"ts":40,"s":"t"},
{"ph":"C","name":"queue","pid":1,"ts":0,"args":{"queued":3}},
{"ph":"C","name":"queue","pid":1,"ts":50,"args":{"queued":1}},
{"ph":"C","name":"mem","pid":1,"ts":5,"args":{"bytes":1000}}
]}
EOF
quiet "$bin" render "$work/instants.json" --html "$work/instants.html"
pages+=("instants and counters=$work/instants.html=2=3=2")
quiet "$bin" report "$work/compare/guided.trace.json" --html "$work/report.html"
pages+=("report=$work/report.html=$(spans_of "$work/compare/guided.trace.json")")

if [ ${#features[@]} -gt 0 ]; then
  mpi() { quiet timeout 300 mpirun --allow-run-as-root --oversubscribe "$@"; }
  mpi -n 2 "$bin" processes --size 100 --runs 1 --out "$work/processes"
  add_folder processes "$work/processes"
  mpi -n 2 "$bin" sending --runs 1 --matrix 20 --out "$work/sending"
  add_folder sending "$work/sending"
  mpi -n 2 --bind-to none "$bin" histogram --files src/commands --runs 1 --out "$work/histogram"
  add_folder histogram "$work/histogram"
else
  echo "browser: processes, sending, histogram skipped (no mpirun, or no libopenmpi-dev and libclang-dev for the mpi feature)"
fi

node .ci/browser/check.mjs "$pw" "${pages[@]}"
