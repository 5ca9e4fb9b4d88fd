#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying the job array (and
# for its test): munge, slurmctld and slurmd, with every file (key, sockets,
# state, logs, pid files) in one folder, started and stopped by process id.
# Needs root (slurmd starts jobs as their user) and Debian's slurm-wlm.
#
#   cluster/slurm/one-node.sh start DIR   start, wait until the node takes jobs,
#                                         print the line to source (SLURM_CONF=...)
#   cluster/slurm/one-node.sh stop DIR    stop the three daemons started in DIR
set -euo pipefail

die() { echo "one-node.sh: $*" >&2; exit 1; }

free_port() { # a TCP port nothing listens on, from a range above the usual services
    local p
    for p in $(shuf -i 20000-40000 -n 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    die "no free TCP port found"
}

write_conf() {
    local dir=$1 host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    cat > "$dir/slurm.conf" <<CONF
ClusterName=alloclab
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/linear
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
    local dir=$1
    [ "$(id -u)" = 0 ] || die "slurmd needs root"
    for b in munged slurmctld slurmd sinfo; do command -v "$b" >/dev/null || die "$b is not installed (apt-get install slurm-wlm)"; done
    mkdir -p "$dir/state" "$dir/spool"
    dir=$(cd "$dir" && pwd)
    chmod 700 "$dir"
    head -c 1024 /dev/urandom > "$dir/munge.key"
    chmod 400 "$dir/munge.key"
    munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" \
        --log-file="$dir/munged.log" --seed-file="$dir/munged.seed"
    write_conf "$dir"
    export SLURM_CONF=$dir/slurm.conf
    slurmctld -i -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    local i
    for i in $(seq 1 100); do # up to 20 s for the node to report idle
        if sinfo -h -N -o '%T' 2>/dev/null | grep -q '^idle'; then
            echo "export SLURM_CONF=$SLURM_CONF"
            return 0
        fi
        sleep 0.2
    done
    stop "$dir"
    die "the node never became idle (see $dir/slurmctld.log and $dir/slurmd.log)"
}

stop() {
    local dir=$1 name pid i
    for name in slurmd slurmctld munged; do
        [ -s "$dir/$name.pid" ] || continue
        pid=$(cat "$dir/$name.pid")
        kill "$pid" 2>/dev/null || continue
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}

case "${1:-}" in
start) [ -n "${2:-}" ] || die "usage: one-node.sh start DIR"; start "$2" ;;
stop) [ -n "${2:-}" ] || die "usage: one-node.sh stop DIR"; stop "$2" ;;
*) die "usage: one-node.sh start|stop DIR" ;;
esac
