#!/bin/bash
# Where the time of an import to an S3 primary store goes (issue 14): starts a
# SeaweedFS `weed mini` of its own on fixed loopback ports (18333 for S3), makes
# an archive with `init --objects`, imports CORPUS under /usr/bin/time, and prints
# the CPU the store used meanwhile (from /proc/PID/stat). With BIG=FILE it then
# imports that file too (its peak RSS). WRAP="perf record -g -o F" profiles custos.
#   C=target/release/custos CORPUS=/tmp/pbench/corpus/files bash bench/primary-cpu.sh
# Everything it makes is under /tmp/primrun, removed at the next run.
D=/tmp/primrun; rm -rf $D; mkdir -p $D/data
C=${C:-$(pwd)/target/release/custos}
CORPUS=${CORPUS:?give CORPUS=FOLDER to import}
cat > $D/s3.json <<J
{"identities":[{"name":"b","credentials":[{"accessKey":"AKB","secretKey":"SKB"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
J
cd $D
weed mini -dir=$D/data -ip=127.0.0.1 -ip.bind=127.0.0.1 -bucket=bkt -s3.config=$D/s3.json -master.port=19333 -volume.port=18080 -filer.port=18888 -s3.port=18333 -admin.port=23646 -s3.port.iceberg=18181 -s3.port.lance=18182 -webdav=false -admin.ui=false > $D/weed.log 2>&1 &
WP=$!
for i in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:18333/bkt && break; sleep 1; done
sleep 2
export AWS_ACCESS_KEY_ID=AKB AWS_SECRET_ACCESS_KEY=SKB
for t in 1 2 3 4 5; do $C init $D/arch --intake open --objects s3://bkt/p --endpoint http://127.0.0.1:18333 && break; sleep 3; done
cpu() { awk '{print $14+$15}' /proc/$WP/stat; }
w0=$(cpu)
$WRAP /usr/bin/time -f "custos wall %e s user %U sys %S maxrss %M KB" $C --archive $D/arch import "$CORPUS" 2>&1 | tail -1
w1=$(cpu)
echo "weed cpu: $(( w1 - w0 )) ticks (1/100 s)"
[ -n "$BIG" ] && { /usr/bin/time -f "big: wall %e s user %U sys %S maxrss %M KB" $C --archive $D/arch import "$BIG" 2>&1 | tail -1; }
kill $WP; sleep 3; kill -9 $WP 2>/dev/null; rm -f /tmp/seaweedfs-s3-18333.sock
