#!/usr/bin/env bash
# A real single-node SLURM cluster (munge, slurmctld, slurmd from Debian's slurm-wlm) for
# the SLURM executor's tests, as in shared/slurm-local.md. Run as root. Prints the
# environment to export; stop it with test/services/slurm-stop.sh <dir>.
set -euo pipefail
dir=${1:-$(mktemp -d /tmp/flow-slurm.XXXXXX)}
mkdir -p "$dir"
host=$(hostname -s)

if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! pgrep -x munged >/dev/null || [ ! -S /run/munge/munge.socket.2 ]; then
  su munge -s /bin/sh -c "munged --force"
  touch "$dir/munged.started" # ours to stop
fi

mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
NodeName=$host CPUs=$(nproc) RealMemory=20000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld
slurmd
for _ in $(seq 100); do
  state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || { echo "SLURM node is '$state', not idle" >&2; exit 1; }
echo "export FLOW_TEST_SLURM_DIR=$dir"
echo "export FLOW_TEST_SLURM=1"
