#include <cmath>
#include <nlohmann/json.hpp>

#include "pgsift/analyze_output.h"
#include "pgsift/findings_json.h"
#include "pgsift/i18n.h"

namespace pgsift {
namespace {

using Json = nlohmann::ordered_json;

// Durations are rounded to microseconds so goldens do not depend on the
// order floating-point sums were made in.
double Ms(double v) { return std::round(v * 1000.0) / 1000.0; }

Json Breakdowns(const BreakdownMap& m) {
  std::vector<std::pair<std::string, Breakdown>> v(m.begin(), m.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out = Json::object();
  for (const auto& [k, b] : v) out[k] = Json{{"calls", b.calls}, {"total_ms", Ms(b.total_ms())}};
  return out;
}

Json Counts(const std::map<std::string, uint64_t>& m) {
  Json out = Json::object();
  for (const auto& [k, n] : m) out[k] = n;
  return out;
}

// The languages the server wrote its messages in (lc_messages), detected.
Json MessageLanguages(uint32_t mask) {
  Json out = Json::array();
  for (size_t b = 0; b < 32; ++b) {
    if ((mask >> b) & 1) out.push_back(std::string(i18n::LanguageName(b)));
  }
  return out;
}

}  // namespace

void WriteAnalyzeJson(const AnalyzeResult& r, const TableOptions& options, std::ostream& out) {
  const Workload& w = r.workload;
  const WorkloadSummary& s = w.summary;
  Json inputs = Json::array();
  for (const InputReport& in : r.inputs) {
    Json skipped = Json::object();
    for (size_t k = 0; k < in.counts.skipped_lines.size(); ++k) {
      if (in.counts.skipped_lines[k] > 0) {
        skipped[std::string(SkipReasonName(static_cast<SkipReason>(k)))] = in.counts.skipped_lines[k];
      }
    }
    Json j = {{"name", in.name},
              {"format", std::string(LogFormatName(in.format))},
              {"lines", in.lines},
              {"bytes", in.bytes},
              {"records", in.counts.records},
              {"lines_in_records", in.counts.lines_in_records},
              {"lines_skipped", in.counts.skipped_total()},
              {"skipped_by_reason", skipped},
              {"messages", MessageLanguages(i18n::DetectedLanguages(in.counts.message_languages,
                                                                    in.counts.message_languages_shared))}};
    if (!in.prefix.empty() || in.format == LogFormat::kStderr) {
      j["log_line_prefix"] = in.prefix;
      j["prefix_inferred"] = in.prefix_inferred;
      if (in.prefix_inferred) {
        j["prefix_sampled_lines"] = in.prefix_fit.lines;
        j["prefix_disagreeing_lines"] = in.prefix_fit.disagreeing;
      }
    }
    if (std::string zone = ZoneNote(in); !zone.empty()) {
      j["time_zone"] = {{"zone", in.counts.doubtful_zone},
                        {"records_unknown_zone", in.counts.unknown_time_zone},
                        {"records_ambiguous_zone", in.counts.ambiguous_time_zone},
                        {"note", zone}};
    }
    if (!in.source.empty()) j["source"] = in.source;
    if (!in.error.empty()) j["error"] = in.error;
    inputs.push_back(std::move(j));
  }
  Json events = Json::object();
  for (size_t k = 0; k < static_cast<size_t>(EventKind::kCount_); ++k) {
    events[std::string(EventKindName(static_cast<EventKind>(k)))] = s.events_by_kind[k];
  }
  std::vector<const QueryStats*> sorted = w.Sorted("total");
  Json summary = {{"inputs", inputs},
                  {"lines_total", r.lines_total},
                  {"lines_in_records", r.lines_in_records},
                  {"lines_skipped", r.lines_skipped},
                  {"records", r.records},
                  {"events", events},
                  {"filtered_out", s.filtered_out},
                  {"pgsift_left_out", s.pgsift_left_out},
                  {"pgsift_left_out_ms", Ms(NsToMs(s.pgsift_left_out_ns))},
                  {"calls", s.calls},
                  {"distinct_fingerprints", sorted.size()},
                  {"total_duration_ms", Ms(s.total_ms())},
                  {"first_seen", FormatIsoTime(s.first_us)},
                  {"last_seen", FormatIsoTime(s.last_us)},
                  {"errors", s.errors},
                  {"errors_by_sqlstate", Counts(s.errors_by_sqlstate)},
                  {"temp_files", s.temp_files},
                  {"temp_bytes", s.temp_bytes},
                  {"durations_without_statement", s.durations_without_statement},
                  {"percentile_relative_error", DurationSketch::kRelativeError},
                  {"by_database", Breakdowns(s.by_database)},
                  {"by_user", Breakdowns(s.by_user)},
                  {"by_application", Breakdowns(s.by_application)},
                  {"fingerprint_cache",
                   {{"statements", r.fingerprints.statements},
                    {"fallbacks", r.fingerprints.fallbacks},
                    {"truncated_statements", r.fingerprints.truncated},
                    {"overflow_statements", r.fingerprints.overflow},
                    {"too_complex_statements", r.fingerprints.too_complex}}}};
  if (options.cache_stats) {
    Json& cache = summary["fingerprint_cache"];
    cache["cache_hits"] = r.fingerprints.cache_hits;
    cache["parser_calls"] = r.fingerprints.parser_calls;
    cache["shapes"] = r.fingerprints.shapes;
    cache["uncacheable_shapes"] = r.fingerprints.uncacheable;
  }
  Json skipped_by_reason = Json::object();
  for (size_t k = 0; k < static_cast<size_t>(SkipReason::kCount_); ++k) {
    uint64_t n = 0;
    for (const InputReport& in : r.inputs) n += in.counts.skipped_lines[k];
    if (n > 0) skipped_by_reason[std::string(SkipReasonName(static_cast<SkipReason>(k)))] = n;
  }
  summary["skipped_by_reason"] = skipped_by_reason;
  uint32_t languages = 0;
  for (const InputReport& in : r.inputs) {
    languages |= i18n::DetectedLanguages(in.counts.message_languages, in.counts.message_languages_shared);
  }
  summary["messages"] = MessageLanguages(languages);
  // The queries are written one at a time, not built into one document: a
  // workload of --max-shapes distinct shapes would otherwise hold all of
  // their JSON at once (kilobytes each). The bytes are those of dump(2) of
  // the whole document.
  const auto dump = [](const Json& j, size_t depth) {
    std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string indent = "\n" + std::string(2 * depth, ' ');
    std::string shifted;
    shifted.reserve(text.size());
    for (char c : text) {
      if (c == '\n') {
        shifted += indent;
      } else {
        shifted += c;
      }
    }
    return shifted;
  };
  out << "{\n  \"schema\": " << dump(Json(kAnalyzeSchema), 1) << ",\n  \"summary\": " << dump(summary, 1)
      << ",\n  \"queries\": " << (sorted.empty() ? "[]" : "[");
  for (size_t i = 0; i < sorted.size(); ++i) {
    const QueryStats* q = sorted[i];
    Json hourly = Json::array();
    for (const auto& [h, b] : q->hourly) {
      hourly.push_back({{"hour", FormatIsoTime(h * 1000000)}, {"calls", b.calls}, {"total_ms", Ms(b.total_ms())}});
    }
    Json j = {{"fingerprint", FingerprintHex(q->fingerprint)},
              {"fallback", q->fallback},
              {"normalized", q->normalized},
              {"calls", q->calls},
              {"calls_with_duration", q->calls_with_duration},
              {"total_ms", Ms(q->total_ms())},
              {"mean_ms", Ms(q->mean_ms())},
              {"min_ms", Ms(q->min_ms)},
              {"max_ms", Ms(q->max_ms)},
              {"p50_ms", Ms(q->durations.Quantile(0.50))},
              {"p95_ms", Ms(q->durations.Quantile(0.95))},
              {"p99_ms", Ms(q->durations.Quantile(0.99))},
              {"share_of_total_time", s.total_ms() > 0 ? std::round(q->total_ms() / s.total_ms() * 1e6) / 1e6 : 0.0},
              {"first_seen", FormatIsoTime(q->first_us)},
              {"last_seen", FormatIsoTime(q->last_us)},
              {"by_database", Breakdowns(q->by_database)},
              {"by_user", Breakdowns(q->by_user)},
              {"by_application", Breakdowns(q->by_application)},
              {"hourly", hourly},
              {"errors", q->errors()},
              {"errors_by_sqlstate", Counts(q->errors_by_sqlstate)},
              {"prepares", q->prepares},
              {"prepare_ms", Ms(q->prepare_ms())},
              {"plans", q->plans},
              {"temp_files", q->temp_files},
              {"temp_bytes", q->temp_bytes}};
    if (q->truncated) j["truncated"] = true;
    if (q->overflow) j["overflow"] = true;
    out << (i == 0 ? "\n    " : ",\n    ") << dump(j, 2);
  }
  if (!sorted.empty()) out << "\n  ]";
  (void)options;
  out << ",\n  \"findings\": " << dump(FindingsToJson(r.findings), 1) << "\n}\n";
}

}  // namespace pgsift
