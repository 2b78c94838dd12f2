// The lock timeline's words and its place in lint findings (lock_timeline.h).
#include "pgsift/lock_timeline.h"

namespace pgsift {

std::string DescribeLockSpan(const LockSpan& s) {
  return s.table + " " + s.mode + " (blocks " + (s.blocks_reads ? "reads and writes" : "writes") + ") from line " +
         std::to_string(s.from_line) +
         (s.to_line ? " to line " + std::to_string(s.to_line) : std::string(" to the end of the file")) +
         (s.rolled_back ? " (rolled back)" : "") + ", " + std::to_string(s.statements) +
         (s.statements == 1 ? " statement" : " statements");
}

bool TransactionLocks::HeldAcross() const {
  for (const LockSpan& s : spans) {
    if (s.statements > 1) return true;
  }
  return false;
}

void AddLockTimelineFacts(const MigrationFile& file, std::vector<Finding>* findings) {
  if (findings->empty()) return;
  for (const TransactionLocks& t : PredictLockTimeline(file)) {
    if (!t.HeldAcross()) continue;
    std::string text = "held to the end of its transaction: ";
    for (size_t i = 0; i < t.spans.size(); ++i) text += (i ? "; " : "") + DescribeLockSpan(t.spans[i]);
    const Location& at = file.statements[t.strongest].location;
    for (Finding& f : *findings) {
      if (f.location.line == at.line && f.location.column == at.column && f.location.file == at.file) {
        f.facts.emplace_back(kLockTimelineFact, text);
      }
    }
  }
}

}  // namespace pgsift
