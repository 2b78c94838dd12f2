// Joins log records into events: a statement and its DETAIL parameters, an
// ERROR with its STATEMENT, a plan with its Query Text. Holds at most one
// pending record (PostgreSQL writes a message's DETAIL/STATEMENT lines right
// after it), copied into reused buffers unless the record is stable, so
// memory does not grow with input.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "pgsift/event.h"
#include "pgsift/log_record.h"

namespace pgsift {

struct RecordCounts {
  uint64_t records = 0;
  uint64_t lines_in_records = 0;
  std::array<uint64_t, static_cast<size_t>(SkipReason::kCount_)> skipped_lines{};
  std::array<uint64_t, static_cast<size_t>(EventKind::kCount_)> events{};
  uint64_t orphan_details = 0;  // DETAIL/STATEMENT with no message before it
  uint64_t unknown_time_zone = 0;    // records whose zone was read as UTC
  uint64_t ambiguous_time_zone = 0;  // records whose zone has several meanings (IST, CST)
  std::string doubtful_zone;         // the first such zone text
  // Languages the server wrote its messages in (lc_messages), detected from
  // the messages: bit 0 English, then the catalogs' (i18n::LanguageName).
  uint32_t message_languages = 0;
  uint32_t message_languages_shared = 0;  // of translations several languages share
  uint64_t skipped_total() const;
};

class Assembler : public RecordSink {
 public:
  explicit Assembler(EventSink* sink) : sink_(sink) {}
  void OnRecord(const LogRecord& record) override;
  void OnSkip(uint64_t line, uint32_t lines, SkipReason reason, std::string_view hint) override;
  void OnSource(std::string_view source) override;
  // The source identity a platform log named first ("pod NAME"); empty when
  // none. several_sources: it named others after it.
  const std::string& source() const { return source_; }
  bool several_sources() const { return several_sources_; }
  // Emits the pending record. Call at the end of each input.
  void Flush();
  const RecordCounts& counts() const { return counts_; }
  // First few skip explanations (hint + line), for the summary.
  // First few skipped lines (line number as read, hint), for the summary.
  struct SkipExample {
    uint64_t line = 0;
    std::string hint;
  };
  const std::vector<SkipExample>& skip_examples() const { return skip_examples_; }

 private:
  // Fields of the pending record: views of the record when it is stable,
  // else of the reused buffers in `copies`.
  enum Field {
    kTimestamp,
    kPid,
    kSession,
    kUser,
    kDatabase,
    kApplication,
    kClient,
    kSqlstate,
    kSeverity,
    kMessage,
    kDetail,
    kStatement,
    kFieldCount
  };
  struct Pending {
    bool active = false;
    std::array<std::string_view, kFieldCount> f;
    std::array<std::string, kFieldCount> copies;
    uint64_t line = 0;
    void Keep(Field k, std::string_view v, bool stable) {
      if (stable) {
        f[k] = v;
      } else {
        copies[k].assign(v.data(), v.size());
        f[k] = copies[k];
      }
    }
  };
  void Emit(const Pending& p);
  void ClassifyLog(std::string_view msg, const Pending& p, Event* e);
  void NoteLanguages(uint32_t langs);
  EventSink* sink_;
  Pending pending_;
  RecordCounts counts_;
  std::vector<SkipExample> skip_examples_;
  std::string source_;
  bool several_sources_ = false;
  // A translated message or DETAIL rewritten as its English original; the
  // event's views point here during OnEvent.
  std::string translated_message_;
  std::string translated_detail_;
};

}  // namespace pgsift
