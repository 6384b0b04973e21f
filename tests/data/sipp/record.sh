#!/bin/sh
# Regenerates the SIPp test captures of tests/data/sipp on loopback (needs root for tcpdump).
# Usage: tests/data/sipp/record.sh   (from the repository root or anywhere)
# Outcomes the tests assert are listed in EXPECTED.md.
set -eu
cd "$(dirname "$0")"
UAS=5180
UAC=5181
SIPP="sipp -i 127.0.0.1 -mi 127.0.0.1 -nostdin -timeout 20s"

capture() {  # capture FILE FILTER, then run the rest of the arguments as a function
  out=$1 filter=$2
  shift 2
  tcpdump -i lo -U -s 0 -w "$out" "$filter" >/dev/null 2>&1 &
  tcpdump_pid=$!
  sleep 1
  "$@"
  sleep 1
  kill "$tcpdump_pid"
  wait "$tcpdump_pid" || true
}

pair() {  # pair UAS_ARGS -- UAC_ARGS
  uas_args=$1 uac_args=$2
  # shellcheck disable=SC2086
  $SIPP $uas_args -p $UAS -m "${3:-1}" >/dev/null 2>&1 &
  uas_pid=$!
  sleep 0.5
  # shellcheck disable=SC2086
  $SIPP $uac_args -p $UAC 127.0.0.1:$UAS -m "${3:-1}" -r 5 >/dev/null 2>&1 || true
  wait "$uas_pid" || true
}

udp_basic() { pair "-sn uas" "-sn uac -d 1000" 3; }
udp_outcomes() {
  pair "-sf uas_busy.xml" "-sf uac_final.xml" 2
  pair "-sf uas_unavailable.xml" "-sf uac_final.xml" 1
  pair "-sf uas_decline.xml" "-sf uac_final.xml" 1
  pair "-sf uas_cancel.xml" "-sf uac_cancel.xml" 2
  pair "-sf uas_auth.xml" "-sf uac_auth.xml" 1
  pair "-sf uas_noanswer.xml" "-sf uac_noanswer.xml" 1
}
udp_retrans() { pair "-sf uas_slow.xml" "-sf uac_slow.xml" 1; }
tcp_basic() { pair "-sn uas -t t1" "-sn uac -t t1 -d 500" 3; }

capture sipp_basic_udp.pcap "udp port $UAS" udp_basic
capture sipp_outcomes_udp.pcap "udp port $UAS" udp_outcomes
capture sipp_retrans_udp.pcap "udp port $UAS" udp_retrans
capture sipp_basic_tcp.pcap "tcp port $UAS" tcp_basic
ls -l ./*.pcap
