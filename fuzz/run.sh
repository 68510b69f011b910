#!/usr/bin/env bash
# Fuzzes each target for SECONDS (default 120), one after the other, then prints a table:
# target, execs, execs/s, crashes. Usage: fuzz/run.sh [SECONDS]   (docs/fuzzing.md)
#
# libFuzzer runs in fork mode with -ignore_crashes=1, so a known crash does not end a target's time
# budget: every crash is still counted and saved under fuzz/artifacts/<target>/.
set -euo pipefail

SECONDS_PER_TARGET=${1:-120}
CARGO_FUZZ_VERSION=0.13.2
TARGETS=(webhook_verify order_token ledger)

cd "$(dirname "$0")"
# cargo-fuzz keeps its sanitizer build in fuzz/target, apart from the workspace's.
unset CARGO_TARGET_DIR

if [[ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz/run.sh: needs a nightly toolchain (libFuzzer's sanitizer flags): rustup toolchain install nightly" >&2
    exit 1
fi

cargo +nightly fuzz build

declare -A EXECS RATE CRASHES
for target in "${TARGETS[@]}"; do
    log="target/logs/$target.log"
    # New inputs go to the scratch corpus (first directory); the committed seeds stay small.
    mkdir -p "target/corpus/$target" "corpus/$target" "$(dirname "$log")"
    echo "== $target: ${SECONDS_PER_TARGET}s (log: fuzz/$log)"
    cargo +nightly fuzz run "$target" "target/corpus/$target" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -fork=1 -ignore_crashes=1 -timeout=10 >"$log" 2>&1 || true
    # Fork-mode status line: "#<execs>: cov: … oom/timeout/crash: 0/0/<n> time: <s>s job: …".
    last=$(grep -E '^#[0-9]+: ' "$log" | tail -n 1 || true)
    if [[ -z "$last" ]]; then
        echo "   no status line; see fuzz/$log" >&2
        EXECS[$target]=- RATE[$target]=- CRASHES[$target]=-
        continue
    fi
    execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    secs=$(sed -E 's/.* time: ([0-9]+)s.*/\1/' <<<"$last")
    EXECS[$target]=$execs
    RATE[$target]=$((execs / (secs > 0 ? secs : 1)))
    CRASHES[$target]=$(sed -E 's|.*oom/timeout/crash: [0-9]+/[0-9]+/([0-9]+).*|\1|' <<<"$last")
done

printf '\n%-16s %12s %10s %8s\n' target execs execs/s crashes
for target in "${TARGETS[@]}"; do
    printf '%-16s %12s %10s %8s\n' "$target" "${EXECS[$target]}" "${RATE[$target]}" "${CRASHES[$target]}"
done
if compgen -G 'artifacts/*/crash-*' >/dev/null; then
    echo "crash inputs: fuzz/artifacts/<target>/crash-*; replay: cargo +nightly fuzz run <target> <file>"
fi
