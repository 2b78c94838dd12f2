// The analyze pipeline:
//
//   reading thread           parsing threads (jobs)          calling thread
//   OpenLog: open,      ->   piece -> reader -> assembler ->  results merged in
//   detect; cut pieces       -> WorkloadBuilder (own cache,   input/piece order:
//   at safe records          own Workload)                    counts, skips,
//                                                             statement stream
//
// Pieces are merged strictly in order, so the statement stream and every
// "first seen" choice equal a one-thread run; per-thread Workloads merge
// order-independently at the end. Memory: at most kInFlight pieces exist at
// once, so it does not grow with input size. Inputs whose format cannot be
// cut (syslog) are read whole by the calling thread when their turn comes.
#include "pgsift/analyze.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "pgsift/input.h"
#include "pgsift/prefix.h"
#include "pgsift/readers.h"

namespace pgsift {
namespace {

// 1 MiB: the pieces in flight (2 per parsing thread + 2) stay in the CPU's
// caches between the reading thread's copy and the parsing, and their
// buffers are reused instead of faulted in (measured on 1 GiB at -j 2:
// CPU time 1.4-1.5 s with 1 MiB, 2.0-2.4 s with 8 MiB, page faults 3.6 k vs 21 k).
constexpr size_t kDefaultPieceBytes = 1 << 20;
// A record is never cut while the piece holding it is below this size (a
// statement of up to 64 MiB stays one record); tests with tiny pieces use
// 16 pieces instead.
constexpr size_t kMaxRecordSpan = 128u << 20;
constexpr size_t kMaxSkipExamples = 5;

// A growable byte buffer without zero-filling (pieces are up to a few MiB
// and are recycled, so neither page faults nor memset recur per piece).
struct Buffer {
  std::unique_ptr<char[]> data;
  size_t size = 0;
  size_t cap = 0;
  void Reserve(size_t n) {
    if (n <= cap) return;
    std::unique_ptr<char[]> bigger(new char[n]);
    if (size) std::memcpy(bigger.get(), data.get(), size);
    data = std::move(bigger);
    cap = n;
  }
  std::string_view view() const { return {data.get(), size}; }
};

struct InputState {
  InputReport rep;
  LogInput log;  // format, compiled prefix and first lines (the "no record" hint)
};

// Collects a piece's statement stream for in-order replay.
class RunBuffer : public StatementSink {
 public:
  struct End {
    size_t before_run;  // position in runs
    uint32_t input;
    uint64_t session;
    int64_t time_us;
  };
  // Runs are assigned over the ones of an earlier piece, so their strings
  // (application_name, comment) reuse their buffers instead of allocating
  // once per statement when longer than the short-string size.
  void OnStatement(const StatementRun& run) override {
    if (count_ < runs_.size()) {
      runs_[count_] = run;
    } else {
      runs_.push_back(run);
    }
    ++count_;
  }
  void OnSessionEnd(uint32_t input, uint64_t session, int64_t time_us) override {
    ends_.push_back({count_, input, session, time_us});
  }
  // `line_offset`: lines of the input before this piece.
  void ReplayInto(StatementSink* sink, uint64_t line_offset) {
    size_t e = 0;
    for (size_t r = 0; r <= count_; ++r) {
      for (; e < ends_.size() && ends_[e].before_run == r; ++e) {
        sink->OnSessionEnd(ends_[e].input, ends_[e].session, ends_[e].time_us);
      }
      if (r < count_) {
        runs_[r].line += line_offset;
        sink->OnStatement(runs_[r]);
      }
    }
  }
  // Forgets the runs and ends, keeping the storage.
  void Clear() {
    count_ = 0;
    ends_.clear();
  }
  // The storage, to lend to another piece's buffer.
  std::vector<StatementRun> TakeStorage() {
    count_ = 0;
    return std::move(runs_);
  }
  void GiveStorage(std::vector<StatementRun> runs) {
    runs_ = std::move(runs);
    count_ = 0;
  }
  bool has_storage() const { return runs_.capacity() != 0; }

 private:
  std::vector<StatementRun> runs_;  // [0, count_) hold this piece's runs
  size_t count_ = 0;
  std::vector<End> ends_;
};

struct Task {
  uint64_t seq = 0;
  size_t input = 0;
  Buffer piece;
  std::string_view view;              // piece.view()
  uint64_t piece_index = 0;           // within its input
  bool last = false;                  // last task of its input
  std::unique_ptr<ByteSource> whole;  // read whole by the calling thread
  std::string error;                  // read/decompress error (last task)
  // Filled by the parsing thread:
  RecordCounts counts;
  std::vector<Assembler::SkipExample> skip_examples;
  std::string source;  // Assembler::source()
  bool several_sources = false;
  uint64_t lines = 0;  // numbered from 1 within the piece
  RunBuffer runs;
  bool done = false;
};

struct ThreadState {
  explicit ThreadState(ShapeBudget* budget) : fingerprinter(Fingerprinter::KeyMode::kShape, budget) {}
  Fingerprinter fingerprinter;
  Workload workload;
};

void AddCounts(RecordCounts* into, const RecordCounts& c) {
  into->records += c.records;
  into->lines_in_records += c.lines_in_records;
  for (size_t k = 0; k < c.skipped_lines.size(); ++k) into->skipped_lines[k] += c.skipped_lines[k];
  for (size_t k = 0; k < c.events.size(); ++k) into->events[k] += c.events[k];
  into->orphan_details += c.orphan_details;
  into->unknown_time_zone += c.unknown_time_zone;
  into->ambiguous_time_zone += c.ambiguous_time_zone;
  if (into->doubtful_zone.empty()) into->doubtful_zone = c.doubtful_zone;
  into->message_languages |= c.message_languages;
  into->message_languages_shared |= c.message_languages_shared;
}

void AddStats(FingerprintStats* into, const FingerprintStats& s) {
  into->statements += s.statements;
  into->cache_hits += s.cache_hits;
  into->parser_calls += s.parser_calls;
  into->shapes += s.shapes;
  into->uncacheable += s.uncacheable;
  into->fallbacks += s.fallbacks;
  into->truncated += s.truncated;
  into->overflow += s.overflow;
  into->ambiguous += s.ambiguous;
  into->too_complex += s.too_complex;
}

class Pipeline {
 public:
  // `run_prefix`: InferRunPrefix() of the inputs, when no prefix is given.
  Pipeline(const AnalyzeOptions& options, const LinePrefix* given, std::string run_prefix)
      : options_(options),
        given_(given),
        open_options_{options.format, given ? std::optional<std::string>(given->text()) : std::nullopt, given,
                      std::move(run_prefix)},
        jobs_(std::min(kMaxJobs, options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency()))),
        piece_bytes_(options.piece_bytes ? options.piece_bytes : kDefaultPieceBytes),
        record_span_(options.piece_bytes ? 16 * options.piece_bytes : kMaxRecordSpan),
        in_flight_(2 * jobs_ + 2),
        budget_(options.max_shapes ? options.max_shapes : kDefaultMaxShapes),
        inputs_(options.inputs.size()) {}

  AnalyzeResult Run() {
    AnalyzeResult result;
    result.threads = jobs_;
    std::vector<std::unique_ptr<ThreadState>> states;
    for (unsigned j = 0; j < jobs_; ++j) states.push_back(std::make_unique<ThreadState>(&budget_));
    std::vector<std::thread> workers;
    for (unsigned j = 0; j < jobs_; ++j) workers.emplace_back([this, s = states[j].get()] { Work(s); });
    std::thread producer([this] { Produce(); });

    ThreadState local(&budget_);  // inputs read whole, on this thread
    Merge(&local, &result);

    producer.join();
    for (auto& w : workers) w.join();
    for (auto& s : states) {
      result.workload.Merge(s->workload);
      AddStats(&result.fingerprints, s->fingerprinter.stats());
    }
    result.workload.Merge(local.workload);
    AddStats(&result.fingerprints, local.fingerprinter.stats());
    for (InputState& in : inputs_) result.inputs.push_back(std::move(in.rep));
    return result;
  }

 private:
  // ---- reading thread ----
  void Produce() {
    for (size_t i = 0; i < options_.inputs.size(); ++i) ProduceInput(i);
    std::lock_guard<std::mutex> lock(mu_);
    producer_done_ = true;
    work_cv_.notify_all();
    done_cv_.notify_all();
  }

  // Reads into `b` until it holds `want` bytes or the input ends.
  bool Fill(ByteSource* src, Buffer* b, size_t want, std::string* error, uint64_t* total, const std::string& name) {
    b->Reserve(want);
    while (b->size < want) {
      Result<size_t> n = src->Read(b->data.get() + b->size, want - b->size);
      if (!n.ok()) {
        *error = n.error();
        return false;
      }
      if (*n == 0) return false;
      b->size += *n;
      *total += *n;
      if (options_.progress && *total - reported_ >= (64u << 20)) {
        reported_ = *total;
        options_.progress(name, *total);
      }
    }
    return true;
  }

  void ProduceInput(size_t i) {
    InputState& in = inputs_[i];
    in.rep.name = options_.inputs[i] == "-" ? "<stdin>" : options_.inputs[i];
    auto task = std::make_unique<Task>();
    task->input = i;
    task->last = true;
    Result<LogInput> opened = OpenLog(options_.inputs[i], open_options_);
    if (!opened.ok()) {
      task->error = opened.error();
      Push(std::move(task));
      return;
    }
    in.log = std::move(*opened);
    std::string error = in.log.head_error;
    if (in.log.head.empty()) {
      task->error = error.empty() ? "empty input" : error;
      Push(std::move(task));
      return;
    }
    in.rep.format = in.log.format;
    in.rep.prefix = in.log.prefix;
    in.rep.prefix_inferred = in.log.prefix_inferred;
    in.rep.prefix_fit = in.log.inferred;
    if (!in.log.prefix_error.empty()) {
      task->error = in.log.prefix_error;
      Push(std::move(task));
      return;
    }
    if (!in.log.cuttable()) {
      task->whole = in.log.TakeWhole();
      Push(std::move(task));
      return;
    }
    // The head is the first piece's start; the rest is read after it.
    std::unique_ptr<ByteSource> src = std::move(in.log.rest);
    uint64_t total = in.log.head.size();
    reported_ = 0;
    Buffer cur = TakeBuffer();
    cur.Reserve(kLogHeadBytes);
    std::memcpy(cur.data.get(), in.log.head.data(), in.log.head.size());
    cur.size = in.log.head.size();
    in.log.head = std::string();  // kept by every input until the run ends otherwise
    bool more = cur.size == kLogHeadBytes;
    uint64_t piece_index = 0;
    while (true) {
      if (more)
        more = Fill(src.get(), &cur, std::max(piece_bytes_, cur.size + (cur.size >> 1)), &error, &total, in.rep.name);
      size_t cut = more ? in.log.LastCut(cur.view()) : std::string_view::npos;
      if (more && cut == std::string_view::npos && cur.size < record_span_) continue;  // one huge record: read on
      auto t = std::make_unique<Task>();
      t->input = i;
      t->piece_index = piece_index++;
      Buffer next = TakeBuffer();
      if (more) {
        if (cut == std::string_view::npos) {  // no safe start within record_span_: cut after the last line
          const void* nl = memrchr(cur.data.get(), '\n', cur.size);
          cut = nl ? static_cast<size_t>(static_cast<const char*>(nl) - cur.data.get()) + 1 : cur.size;
        }
        next.Reserve(std::max(piece_bytes_, cur.size - cut));
        std::memcpy(next.data.get(), cur.data.get() + cut, cur.size - cut);
        next.size = cur.size - cut;
        cur.size = cut;
      }
      t->piece = std::move(cur);
      t->view = t->piece.view();
      cur = std::move(next);
      t->last = !more;
      if (!more) t->error = error;
      Push(std::move(t));
      if (!more) break;
    }
    if (options_.progress) options_.progress(in.rep.name, total);
  }

  Buffer TakeBuffer() {
    std::lock_guard<std::mutex> lock(mu_);
    if (pool_.empty()) return Buffer{};
    Buffer b = std::move(pool_.back());
    pool_.pop_back();
    b.size = 0;
    return b;
  }

  void Push(std::unique_ptr<Task> task) {
    std::unique_lock<std::mutex> lock(mu_);
    space_cv_.wait(lock, [&] { return next_seq_ - merged_ < in_flight_; });
    task->seq = next_seq_++;
    Task* t = task.get();
    pending_[t->seq] = std::move(task);
    if (t->whole || t->view.empty()) {
      t->done = true;  // nothing to parse; the merging thread takes it as is
      done_cv_.notify_all();
    } else {
      queue_.push_back(t);
      work_cv_.notify_one();
    }
  }

  // ---- parsing threads ----
  void Work(ThreadState* state) {
    for (;;) {
      Task* t = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [&] { return !queue_.empty() || producer_done_; });
        if (queue_.empty()) return;
        t = queue_.front();
        queue_.pop_front();
      }
      Parse(state, t);
      std::lock_guard<std::mutex> lock(mu_);
      t->done = true;
      done_cv_.notify_all();
    }
  }

  void Parse(ThreadState* state, Task* t) {
    const InputState& in = inputs_[t->input];
    WorkloadBuilder builder(&state->workload, options_.filters, &state->fingerprinter);
    builder.set_input(t->input);
    builder.set_line_base(t->piece_index << 32);
    if (options_.statements) {
      // A run buffer of an earlier piece: its capacity is kept, so the
      // vector neither grows by copying nor faults in fresh pages.
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!run_pool_.empty()) {
          t->runs.GiveStorage(std::move(run_pool_.back()));
          run_pool_.pop_back();
        }
      }
      builder.set_statement_sink(&t->runs);
    }
    builder.set_plan_sink(options_.plans);
    Assembler assembler(&builder);
    // Lines are numbered within the piece; the in-order merge adds the lines
    // of the pieces before (so the reading thread never scans for newlines).
    LineReader lines(t->view, 0);
    in.log.Read(&lines, &assembler);
    assembler.Flush();
    builder.Finish();
    t->counts = assembler.counts();
    t->skip_examples = assembler.skip_examples();
    t->source = assembler.source();
    t->several_sources = assembler.several_sources();
    t->lines = lines.line_number();
  }

  // ---- calling thread ----
  void Merge(ThreadState* local, AnalyzeResult* result) {
    for (uint64_t seq = 0;; ++seq) {
      std::unique_ptr<Task> t;
      {
        std::unique_lock<std::mutex> lock(mu_);
        done_cv_.wait(lock, [&] {
          auto it = pending_.find(seq);
          return (it != pending_.end() && it->second->done) || (producer_done_ && seq >= next_seq_);
        });
        auto it = pending_.find(seq);
        if (it == pending_.end()) return;  // everything merged
        t = std::move(it->second);
        pending_.erase(it);
      }
      InputState& in = inputs_[t->input];
      InputReport& rep = in.rep;
      if (t->whole) ReadWhole(local, t.get());
      AddCounts(&rep.counts, t->counts);
      if (!t->source.empty() && rep.source.empty()) rep.source = t->source;
      if ((t->several_sources || (!t->source.empty() && rep.source != t->source)) &&
          !rep.source.ends_with(" and others")) {
        rep.source += " and others";
      }
      const uint64_t lines_before = rep.lines;
      for (const Assembler::SkipExample& ex : t->skip_examples) {
        if (rep.skip_examples.size() < kMaxSkipExamples) {
          rep.skip_examples.push_back(rep.name + ":" + std::to_string(lines_before + ex.line) + ": " + ex.hint);
        }
      }
      rep.lines += t->lines;
      result->pieces += !t->view.empty();
      rep.bytes += t->view.size();
      if (options_.statements) t->runs.ReplayInto(options_.statements, lines_before);
      t->runs.Clear();
      if (t->last) FinishInput(t->input, t->error, result);
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++merged_;
        if (t->piece.cap) pool_.push_back(std::move(t->piece));
        if (t->runs.has_storage()) run_pool_.push_back(t->runs.TakeStorage());
        space_cv_.notify_all();
      }
    }
  }

  void ReadWhole(ThreadState* local, Task* t) {
    const InputState& in = inputs_[t->input];
    WorkloadBuilder builder(&local->workload, options_.filters, &local->fingerprinter);
    builder.set_input(t->input);
    builder.set_statement_sink(options_.statements);
    builder.set_plan_sink(options_.plans);
    Assembler assembler(&builder);
    LineReader lines(t->whole.get());
    in.log.Read(&lines, &assembler);
    assembler.Flush();
    builder.Finish();
    if (!lines.error().empty()) t->error = lines.error();
    t->counts = assembler.counts();
    t->skip_examples = assembler.skip_examples();
    t->source = assembler.source();
    t->several_sources = assembler.several_sources();
    t->lines = lines.line_number();
    inputs_[t->input].rep.bytes += lines.bytes_read();
  }

  void FinishInput(size_t i, const std::string& error, AnalyzeResult* result) {
    InputState& in = inputs_[i];
    InputReport& rep = in.rep;
    if (options_.statements) options_.statements->OnSessionEnd(static_cast<uint32_t>(i), 0, kNoTime);
    if (rep.error.empty()) rep.error = error;
    if (!error.empty() && rep.lines > 0) {
      rep.error += "; stopped after line " + std::to_string(rep.lines) + ", the lines before it were read";
    }
    if (rep.error.empty() && rep.counts.records == 0 && rep.lines > 0) {
      rep.error = "no log record could be read";
      if (!rep.skip_examples.empty()) rep.error += "; first problem: " + rep.skip_examples.front();
      if (given_ && rep.format == LogFormat::kStderr) {
        Result<InferredPrefix> guess = InferPrefix(in.log.sample);
        if (guess.ok()) {
          rep.error += "; the lines look like log_line_prefix '" + guess->prefix + "' (or leave out --prefix)";
        }
      }
    }
    result->lines_total += rep.lines;
    result->lines_in_records += rep.counts.lines_in_records;
    result->lines_skipped += rep.counts.skipped_total();
    result->records += rep.counts.records;
    result->usable |= rep.counts.records > 0;
  }

  const AnalyzeOptions& options_;
  const LinePrefix* given_;
  const LogOpenOptions open_options_;
  const unsigned jobs_;
  const size_t piece_bytes_;
  const size_t record_span_;
  const uint64_t in_flight_;
  // Shared by every thread's Fingerprinter: --max-shapes bounds the run.
  ShapeBudget budget_;
  std::vector<InputState> inputs_;
  uint64_t reported_ = 0;  // reading thread only

  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_, space_cv_;
  std::deque<Task*> queue_;
  std::map<uint64_t, std::unique_ptr<Task>> pending_;
  std::vector<Buffer> pool_;
  std::vector<std::vector<StatementRun>> run_pool_;  // emptied run buffers, capacity kept
  uint64_t next_seq_ = 0;
  uint64_t merged_ = 0;
  bool producer_done_ = false;
};

}  // namespace

Result<AnalyzeResult> Analyze(const AnalyzeOptions& options) {
  std::unique_ptr<LinePrefix> given;
  if (options.prefix_given) {
    Result<LinePrefix> p = LinePrefix::Compile(options.prefix);
    if (!p.ok()) return Err("--prefix: " + p.error());
    given = std::make_unique<LinePrefix>(std::move(p.value()));
  }
  Pipeline pipeline(options, given.get(), given ? std::string() : InferRunPrefix(options.inputs, options.format));
  return pipeline.Run();
}

}  // namespace pgsift
