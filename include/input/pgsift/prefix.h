// log_line_prefix: compiled once into a matcher, no regex on the hot path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/log_record.h"
#include "pgsift/result.h"

namespace pgsift {

class LinePrefix {
 public:
  // Accepts every escape PostgreSQL documents: %a %u %d %r %h %b %p %P %t %m
  // %n %i %e %c %l %s %v %x %Q %q %%, with optional padding (%-10u, %5p).
  static Result<LinePrefix> Compile(std::string_view log_line_prefix);

  // Matches the prefix and the "SEVERITY:  " that follows it. On success sets
  // the header fields, severity and message (rest of the line) of `record`.
  bool Match(std::string_view line, LogRecord* record) const;

  // Why `line` does not match: the escape or text expected and the column.
  // Shows none of the line (position and reason only): it may be statement text.
  std::string Explain(std::string_view line) const;

  const std::string& text() const { return text_; }

  struct Element {
    char escape = 0;         // 0 for literal text
    uint8_t op = 0;          // how the fast matcher matches it (see prefix.cpp)
    std::string literal;     // text for literal elements
    bool free_text = false;  // an escape that ends where the next literal starts
    size_t anchor = 0;       // literal: its least common character, searched first
    // Literal of at most 16 bytes: its bytes as two words and which bytes
    // count, compared a word at a time.
    uint64_t word[2] = {0, 0}, mask[2] = {0, 0};
    std::string_view LogRecord::*field = nullptr;  // escape: where its value goes
  };

 private:
  bool MatchFast(std::string_view line, LogRecord* record, bool* sure) const;
  bool MatchFrom(size_t elem, std::string_view line, size_t pos, LogRecord* record, int* budget, size_t* fail_elem,
                 size_t* fail_pos) const;
  std::string text_;
  std::vector<Element> elements_;
  bool fast_ = false;  // every free-text escape is followed by a literal or the severity
};

// What InferPrefix() found in a sample.
struct InferredPrefix {
  std::string prefix;
  size_t lines = 0;  // sampled lines with a severity
  // Of those, the lines `prefix` does not explain completely: it does not
  // match them, or another prefix explains more of them (a field it reads
  // as free text holds what looks like more fields).
  size_t disagreeing = 0;
  std::string other;  // the prefix that explains most of those lines; may be empty
};

// Infers the log_line_prefix from sample lines of a stderr log (spread over
// the input: start, middle, end). Candidates are scored by how many lines
// they explain completely; a line whose prefix ends at %q (a process with
// no session) counts for every candidate it matches. `preferred` (a prefix
// inferred from all inputs of a run) wins a tie. The error names what could
// not be recognised.
Result<InferredPrefix> InferPrefix(const std::vector<std::string>& sample, std::string_view preferred = {});

// True if `s` starts with a PostgreSQL severity followed by ":  ".
bool StartsWithSeverity(std::string_view s, size_t* length = nullptr);

}  // namespace pgsift
