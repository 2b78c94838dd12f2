#include "pgsift/analyze.h"

#include <memory>

#include "pgsift/input.h"
#include "pgsift/prefix.h"

namespace pgsift {
namespace {

constexpr size_t kInferLines = 300;

std::vector<std::string> SampleLines(std::string_view head) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < head.size() && out.size() < kInferLines) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) break;  // a partial last line is not a sample
    std::string_view line = head.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    pos = nl + 1;
  }
  if (out.empty() && !head.empty()) out.emplace_back(head);
  return out;
}

class ProgressSource : public ByteSource {
 public:
  ProgressSource(ByteSource* inner, const AnalyzeOptions& o, const std::string& name)
      : inner_(inner), options_(o), name_(name) {}
  Result<size_t> Read(char* buf, size_t n) override {
    Result<size_t> r = inner_->Read(buf, n);
    if (r.ok()) {
      total_ += *r;
      if (options_.progress && total_ - reported_ >= (64u << 20)) {
        reported_ = total_;
        options_.progress(name_, total_);
      }
    }
    return r;
  }

 private:
  ByteSource* inner_;
  const AnalyzeOptions& options_;
  const std::string& name_;
  uint64_t total_ = 0, reported_ = 0;
};

}  // namespace

Result<AnalyzeResult> Analyze(const AnalyzeOptions& options) {
  std::unique_ptr<LinePrefix> given;
  if (options.prefix_given) {
    Result<LinePrefix> p = LinePrefix::Compile(options.prefix);
    if (!p.ok()) return Err("--prefix: " + p.error());
    given = std::make_unique<LinePrefix>(std::move(p.value()));
  }
  AnalyzeResult result;
  WorkloadBuilder builder(&result.workload, options.filters);
  builder.set_statement_sink(options.statements);
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    InputReport rep;
    rep.name = options.inputs[i] == "-" ? "<stdin>" : options.inputs[i];
    builder.set_input(i);
    auto opened = OpenInput(options.inputs[i]);
    if (!opened.ok()) {
      rep.error = opened.error();
      result.inputs.push_back(std::move(rep));
      continue;
    }
    ProgressSource progress(opened->get(), options, rep.name);
    LineReader lines(&progress);
    std::string_view head = lines.Peek();
    if (!lines.error().empty() && head.empty()) {
      rep.error = lines.error();
      result.inputs.push_back(std::move(rep));
      continue;
    }
    rep.format = options.format == LogFormat::kAuto ? DetectFormat(head) : options.format;
    // Copied now: `head` points into the reader's buffer, which reading reuses.
    std::vector<std::string> sample;
    if (rep.format == LogFormat::kStderr) sample = SampleLines(head);
    Assembler assembler(&builder);
    assembler.set_input_name(rep.name);
    bool empty = head.empty();
    if (empty) {
      rep.error = "empty input";
    } else if (rep.format == LogFormat::kStderr || rep.format == LogFormat::kSyslog) {
      if (given) {
        rep.prefix = given->text();
      } else if (rep.format == LogFormat::kStderr) {
        Result<std::string> inferred = InferPrefix(sample);
        if (!inferred.ok()) {
          rep.error = inferred.error();
        } else {
          rep.prefix = *inferred;
          rep.prefix_inferred = true;
        }
      }
      if (rep.error.empty()) {
        if (rep.format == LogFormat::kStderr) {
          Result<LinePrefix> p = given ? Result<LinePrefix>(*given) : LinePrefix::Compile(rep.prefix);
          if (p.ok()) {
            ReadStderr(&lines, *p, &assembler);
          } else {
            rep.error = p.error();
          }
        } else {
          ReadSyslog(&lines, rep.prefix, &assembler);
        }
      }
    } else if (rep.format == LogFormat::kCsv) {
      ReadCsvLog(&lines, &assembler);
    } else if (rep.format == LogFormat::kJson) {
      ReadJsonLog(&lines, &assembler);
    }
    assembler.Flush();
    if (options.statements) options.statements->OnSessionEnd(static_cast<uint32_t>(i), 0, kNoTime);
    if (rep.error.empty() && !lines.error().empty()) rep.error = lines.error();
    rep.lines = lines.line_number();
    rep.bytes = lines.bytes_read();
    rep.counts = assembler.counts();
    rep.skip_examples = assembler.skip_examples();
    if (rep.error.empty() && rep.counts.records == 0 && rep.lines > 0) {
      rep.error = "no log record could be read";
      if (!rep.skip_examples.empty()) rep.error += "; first problem: " + rep.skip_examples.front();
      if (given && rep.format == LogFormat::kStderr) {
        Result<std::string> guess = InferPrefix(sample);
        if (guess.ok()) rep.error += "; the lines look like log_line_prefix '" + *guess + "' (or leave out --prefix)";
      }
    }
    result.lines_total += rep.lines;
    result.lines_in_records += rep.counts.lines_in_records;
    result.lines_skipped += rep.counts.skipped_total();
    result.records += rep.counts.records;
    result.usable |= rep.counts.records > 0;
    result.inputs.push_back(std::move(rep));
  }
  result.fingerprints = builder.fingerprint_stats();
  return result;
}

}  // namespace pgsift
