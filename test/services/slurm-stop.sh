#!/usr/bin/env bash
# Stops the daemons test/services/slurm-start.sh started, by their own pids.
set -u
dir=$1
squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null
for f in slurmd slurmctld; do [ -f "$dir/$f.pid" ] && kill "$(cat "$dir/$f.pid")" 2>/dev/null; done
[ -f "$dir/munged.started" ] && pkill -x munged
rm -rf "$dir"
