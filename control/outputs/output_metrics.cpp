#include "control/outputs/output_metrics.hpp"

#include "control/outputs/cdr_writer.hpp"
#include "control/outputs/hep_exporter.hpp"

namespace rv::control {
namespace {

double get(const std::atomic<uint64_t>& a) { return double(a.load(std::memory_order_relaxed)); }

void cdr_metrics(MetricsWriter& w, const CdrWriter* cdr) {
  if (cdr == nullptr) return;
  const CdrCounters& c = cdr->counters();
  w.counter("rvoip_cdr_records_total", "Call detail records written to control.cdr.path", {}, get(c.records));
  w.counter("rvoip_cdr_bytes_total", "Bytes of call detail records written", {}, get(c.bytes));
  w.counter("rvoip_cdr_write_errors_total", "Failed writes, opens or renames of the CDR file", {},
            get(c.write_errors));
  w.counter("rvoip_cdr_dropped_total", "Call detail records (or calls and streams) the CDR output could not keep, by reason",
            {{"reason", "write_error"}}, get(c.dropped_io));
  w.counter("rvoip_cdr_dropped_total", "Call detail records (or calls and streams) the CDR output could not keep, by reason",
            {{"reason", "table_full"}}, get(c.dropped_full));
  w.counter("rvoip_cdr_early_total", "Records written before every stream of the call ended (wait bound, Call-ID reuse, shutdown)", {},
            get(c.early));
  w.counter("rvoip_cdr_rotations_total", "Size rotations of the CDR file", {}, get(c.rotations));
  w.gauge("rvoip_cdr_pending_calls", "Calls the CDR output tracks now (running, or ended and waiting for their streams)", {},
          get(c.pending));
}

void hep_metrics(MetricsWriter& w, const HepExporter* hep) {
  if (hep == nullptr) return;
  const HepCounters& c = hep->counters();
  w.counter("rvoip_hep_packets_total", "HEPv3 packets sent to control.hep.address, by payload",
            {{"payload", "sip"}}, get(c.sip));
  w.counter("rvoip_hep_packets_total", "HEPv3 packets sent to control.hep.address, by payload",
            {{"payload", "stream_report"}}, get(c.reports));
  w.counter("rvoip_hep_sent_packets_total", "HEPv3 packets written to the socket", {}, get(c.packets));
  w.counter("rvoip_hep_sent_bytes_total", "HEPv3 bytes written to the socket", {}, get(c.bytes));
  const char* help = "HEPv3 packets dropped, by reason";
  w.counter("rvoip_hep_dropped_total", help, {{"reason", "queue_full"}}, get(c.dropped_queue));
  w.counter("rvoip_hep_dropped_total", help, {{"reason", "too_large"}}, get(c.dropped_size));
  w.counter("rvoip_hep_dropped_total", help, {{"reason", "send_error"}}, get(c.dropped_error));
  w.counter("rvoip_hep_send_errors_total", "Failed HEP send or connect calls", {}, get(c.send_errors));
  w.counter("rvoip_hep_connects_total", "HEP TCP connections established", {}, get(c.connects));
  w.gauge("rvoip_hep_queued_packets", "HEPv3 packets waiting to be sent", {}, get(c.queued));
}

}  // namespace

void collect_output_metrics(MetricsWriter& w, const CdrWriter* cdr, const HepExporter* hep) {
  cdr_metrics(w, cdr);
  hep_metrics(w, hep);
}

}  // namespace rv::control
