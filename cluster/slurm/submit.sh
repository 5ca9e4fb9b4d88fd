#!/usr/bin/env bash
# Run the bench on every node of a Slurm cluster and merge the runs:
#
#   cluster/slurm/submit.sh SHARED [--profile P] [--tasks N] [--bench-args "..."] [-- sbatch options]
#
# SHARED is a folder every node can write (and reach at the same path). One
# array task per node (N: the nodes of the default partition, unless given),
# each with a node to itself, writes SHARED/HOST-JOB_TASK; a job that waits
# for the whole array then merges them into SHARED/merged-JOB. Slurm, not
# this script, places the tasks: on a busy cluster two may land on one node
# in turn, and the merge names such runs by host and folder. Prints the two
# job ids ("ARRAY MERGE") on the last line.
set -euo pipefail
die() { echo "submit.sh: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || die "usage: submit.sh SHARED [--profile P] [--tasks N] [--bench-args \"...\"] [-- sbatch options]"
shared=$1
shift
profile=default tasks= bench_args=
while [ $# -gt 0 ]; do
    case $1 in
    --profile) profile=${2:?--profile needs a value}; shift 2 ;;
    --tasks) tasks=${2:?--tasks needs a value}; shift 2 ;;
    --bench-args) bench_args=${2?--bench-args needs a value}; shift 2 ;;
    --) shift; break ;;
    *) die "unknown option '$1'" ;;
    esac
done
command -v sbatch >/dev/null || die "sbatch not found: run this on a Slurm login node"
mkdir -p "$shared" || die "cannot make '$shared'"
shared=$(cd "$shared" && pwd)
if [ -z "$tasks" ]; then
    tasks=$(sinfo -h -o '%D' | awk '{n += $1} END {print n + 0}')
fi
[[ "$tasks" =~ ^[1-9][0-9]*$ ]] || die "--tasks must be a whole number from 1, not '$tasks'"
env=ALL,ALLOCLAB_REPO=$repo,ALLOCLAB_SHARED=$shared,ALLOCLAB_PROFILE=$profile,ALLOCLAB_BENCH_ARGS=$bench_args
array=$(sbatch --parsable --array="0-$((tasks - 1))" --export="$env" --output="$shared/slurm-%A_%a.out" "$@" \
    "$here/bench.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterany:$array" --export="$env,ALLOCLAB_ARRAY_JOB=$array" \
    --output="$shared/slurm-merge-%j.out" "$@" "$here/merge.sbatch")
merge=${merge%%;*}
echo "alloclab: array job $array ($tasks tasks, profile $profile) and merge job $merge; runs in $shared," \
     "merged into $shared/merged-$array"
echo "$array $merge"
