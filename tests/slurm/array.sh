#!/usr/bin/env bash
# The study's Slurm recipe for real: starts a single-node Slurm here (Debian's slurm-wlm, which
# scripts/setup.sh installs), runs a tiny study's job list as a job array through
# scripts/study.sbatch, merges the reports, and checks the summary equals the same study run
# locally. Its own slurm.conf, state and logs live in a temporary folder (SLURM_CONF), and the
# daemons it started are stopped at the end. Needs root (the daemons) and target/debug/study.
set -euo pipefail
cd "$(dirname "$0")/../.."
study=target/debug/study
work=$(mktemp -d /tmp/bayes-renorm-slurm.XXXXXX)
node_name=$(hostname -s)
cat >"$work/slurm.conf" <<CONF
ClusterName=bayes-renorm-test
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$node_name NodeAddr=localhost CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$node_name Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF=$work/slurm.conf

stop() {
  local pid_file pid pids=()
  for pid_file in "$work/slurmd.pid" "$work/slurmctld.pid" ${munge_pid_file:+"$munge_pid_file"}; do
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  rm -f "$work"/*.pid
  # Until each has exited (a zombie waiting for its parent counts as exited).
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do
      grep -qs '^[^)]*) [^Z]' "/proc/$pid/stat" || break
      sleep 0.1
    done
  done
}
trap stop EXIT
# munged authenticates slurm's messages; a running one is used as it is.
munge_pid_file=
if ! (munge -n | unmunge) >/dev/null 2>&1; then
  mkdir -p /run/munge
  chown munge:munge /run/munge 2>/dev/null || true
  munged --force
  munge_pid_file=/run/munge/munged.pid
fi
slurmctld
slurmd
for _ in $(seq 60); do
  sinfo --noheader --states=idle --format=%N 2>/dev/null | grep -q . && break
  sleep 0.5
done
sinfo --noheader --states=idle --format=%N | grep -q . ||
  { echo "slurm: the node did not come up (logs in $work)" >&2; exit 1; }

grid=(--seeds 1-2 --latent 3,6 -- --subset 300 --epochs 1 --eval-examples 200 --random-seeds 1
  --grid-points 8 --batch 100)
"$study" --out "$work/local" "${grid[@]}" 2>"$work/local.log"
"$study" --out "$work/array" --emit-jobs "${grid[@]}" >"$work/jobs.txt"
lines=$(wc -l <"$work/jobs.txt")
sbatch --wait --quiet --array=1-"$lines" --chdir="$PWD" --output="$work/task-%a.log" \
  scripts/study.sbatch "$work/jobs.txt"
for task in $(seq "$lines"); do
  grep -qF "task $task: $(sed -n "${task}p" "$work/jobs.txt")" "$work/task-$task.log" ||
    { echo "slurm: task $task did not run line $task (see $work/task-$task.log)" >&2; exit 1; }
done
"$study" --out "$work/merged" --merge "$work/array" 2>"$work/merged.log"
python3 - "$work/local/summary.json" "$work/merged/summary.json" <<'PY'
import json, sys
local, merged = (json.load(open(p)) for p in sys.argv[1:])
assert merged["cells"] == local["cells"], "the array's summary differs from the local one"
assert not merged["missing"] and not merged["failed"], merged
print(f"slurm: {len(merged['cells'])} cells from a {sum(len(c['seeds']) for c in merged['cells'])}-task array equal the local study's")
PY
stop
rm -rf "$work"
