#!/usr/bin/env bash
# Stops the daemons test/services/slurm-start.sh started, by their own pids.
set -u
dir=$1
squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null
for f in slurmd slurmctld; do [ -f "$dir/$f.pid" ] && kill "$(cat "$dir/$f.pid")" 2>/dev/null; done
if [ -f "$dir/munged.started" ]; then
  pkill -x munged
  # gone before we return: a start right after must not take a dying munged for a live one
  for _ in $(seq 50); do pgrep -x munged >/dev/null || break; sleep 0.1; done
fi
rm -rf "$dir"
