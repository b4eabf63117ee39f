# Sourced by the Benchmarks/run* scripts: the one release build they share and the rows they
# print. Not a command of its own.
#
# The build: `swift build -c release --static-swift-stdlib` into .build-static (never the default
# .build), for fieldaudit and fieldaudit-bench: the statically linked Swift runtime is how the
# README tells auditors to build fieldaudit, and it halves process start-up. When Benchmarks/run
# has already built, it exports BENCH_BIN and the scripts skip the build.
#
# A row is one measurement beside its reference from the same run, as tab-separated fields:
#   measure, FieldAudit's figure, the reference and its figure, the ratio, the target, the verdict
# appended to $BENCH_ROWS. A script run on its own prints its rows as a table when it ends.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# bench_build: builds both products unless BENCH_BIN is set; sets `bin` to their folder.
bench_build() {
    if [[ -n "${BENCH_BIN:-}" ]]; then
        bin="$BENCH_BIN"
        return
    fi
    local flags=(-c release --static-swift-stdlib --scratch-path .build-static)
    echo "building fieldaudit and fieldaudit-bench (release, static Swift runtime, .build-static)…" >&2
    swift build "${flags[@]}" --product fieldaudit >&2
    swift build "${flags[@]}" --product fieldaudit-bench >&2
    bin="$(swift build "${flags[@]}" --show-bin-path)"
}

# bench_reference: compiles the C reference program into $1 (a folder) with the system compiler.
bench_reference() {
    cc -std=c11 -O2 -o "$1/apply_reference" Benchmarks/apply_reference.c -lsqlite3
}

# bench_rows_begin: makes sure $BENCH_ROWS names a file; remembers whether this script owns it.
bench_rows_begin() {
    if [[ -z "${BENCH_ROWS:-}" ]]; then
        BENCH_ROWS="$(mktemp "${TMPDIR:-/tmp}/fieldaudit-bench-rows.XXXXXX")"
        bench_owns_rows=1
    else
        bench_owns_rows=0
    fi
    export BENCH_ROWS
}

# bench_rows_end: prints the table if this script owns the rows (it was run on its own).
bench_rows_end() {
    if [[ "$bench_owns_rows" == 1 ]]; then
        python3 Benchmarks/table.py "$BENCH_ROWS"
        rm -f "$BENCH_ROWS"
    fi
}
