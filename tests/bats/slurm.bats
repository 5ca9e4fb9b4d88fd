#!/usr/bin/env bats
# Many machines through the scheduler a lab already has: on a one-node Slurm
# started here (munge, slurmctld, slurmd, by process id, every file in a
# temporary folder), a two-task job array of the test profile writes two run
# folders to a shared folder, and the job that waits for it merges them.
# Where Slurm cannot be installed or started, the test says so and skips.

setup() {
    ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

teardown() {
    if [ -n "${SLURM_DIR:-}" ]; then
        "$ROOT/cluster/slurm/one-node.sh" stop "$SLURM_DIR" || true
        rm -rf "$SLURM_DIR"
    fi
}

@test "submit.sh refuses what it cannot run, in one line" {
    run "$ROOT/cluster/slurm/submit.sh"
    [ "$status" -eq 2 ] && grep -q "usage" <<< "$output"
    run "$ROOT/cluster/slurm/submit.sh" "$BATS_TEST_TMPDIR/s" --tasks 0
    [ "$status" -eq 2 ]
    [ "$(grep -c . <<< "$output")" -eq 1 ]
}

@test "a two-task job array of the test profile on a one-node Slurm, merged by the job after it" {
    for b in munged slurmctld slurmd sbatch; do
        command -v "$b" >/dev/null ||
            skip "Slurm is not installed here ($b missing; apt-get install slurm-wlm): the job array was not tested"
    done
    [ "$(id -u)" = 0 ] || skip "starting slurmd needs root: the job array was not tested"
    SLURM_DIR=$(mktemp -d /tmp/alloclab-slurm.XXXXXX) # short: munge's socket path has a length limit
    start=$("$ROOT/cluster/slurm/one-node.sh" start "$SLURM_DIR") ||
        skip "the one-node Slurm did not start here: $(tail -3 "$SLURM_DIR"/slurmctld.log 2>/dev/null)"
    eval "$start"
    shared=$BATS_TEST_TMPDIR/shared
    run "$ROOT/cluster/slurm/submit.sh" "$shared" --profile test --tasks 2
    echo "$output"
    [ "$status" -eq 0 ]
    read -r array merge <<< "$(tail -1 <<< "$output")"
    for _ in $(seq 1 300); do # up to 10 minutes: two test benches, one after the other, and the merge
        [ -z "$(squeue -h 2>/dev/null)" ] && break
        sleep 2
    done
    [ -z "$(squeue -h)" ] || { squeue; echo "the jobs did not finish"; false; }
    host=$(hostname -s)
    for task in 0 1; do
        run_dir=$shared/$host-${array}_$task
        cat "$shared/slurm-${array}_$task.out"
        [ -s "$run_dir/summary.csv" ] && [ -s "$run_dir/report.md" ] && [ -s "$run_dir/calibrate.csv" ]
        grep -q "^profile: test$" "$run_dir/meta.txt"
    done
    merged=$shared/merged-$array
    cat "$shared/slurm-merge-$merge.out"
    [ -s "$merged/merged.md" ] && [ -s "$merged/merged.csv" ]
    [ "$(tail -n +2 "$merged/machines.csv" | wc -l)" -eq 2 ] # one line per run: the same host twice, told apart
    grep -q "^2 runs" "$shared/slurm-merge-$merge.out"
    grep -q "$host:$host-${array}_0" "$merged/merged.md"
    grep -q "$host:$host-${array}_1" "$merged/merged.md"
}
