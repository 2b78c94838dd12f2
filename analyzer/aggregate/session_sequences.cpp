#include "pgsift/session_sequences.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "pgsift/sqlcommenter.h"
#include "pgsift/text.h"
#include "pgsift/text_hash.h"

namespace pgsift {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct RequestTags {
  uint64_t trace = 0;  // hash of the traceparent's trace id, 0: none
  uint64_t code = 0;   // hash of CodeTags(), 0: none
};

RequestTags ReadRequestTags(std::string_view comment) {
  RequestTags tags;
  if (comment.empty()) return tags;
  for (const CommentTag& tag : ParseCommentTags(comment)) {
    if (tag.value.empty() || Lower(tag.key) != "traceparent") continue;
    // version-traceid-spanid-flags: the span changes per statement, the trace is the request.
    std::string_view trace = tag.value;
    size_t dash = trace.find('-');
    if (dash != std::string_view::npos) trace = trace.substr(dash + 1, trace.find('-', dash + 1) - dash - 1);
    tags.trace = TextHash(trace) | 1;
  }
  std::string code = CodeTags(comment);
  if (!code.empty()) tags.code = TextHash(code) | 1;
  return tags;
}

}  // namespace

void BurstDetector::OnStatement(const StatementRun& run) {
  if (run.identity == SessionIdentity::kNone) saw_no_identity_ = true;
  if (run.time_us != kNoTime && (now_us_ == kNoTime || run.time_us > now_us_)) now_us_ = run.time_us;
  RequestTags tags = ReadRequestTags(run.comment);
  Key key{run.input, tags.trace != 0 ? tags.trace : run.identity == SessionIdentity::kNone ? 0 : run.session};
  auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    if (static_cast<int64_t>(sessions_.size()) >= options_.max_sessions) EvictHalf();
    it = sessions_.emplace(key, State{}).first;
    it->second.session = key.second;
    it->second.by_request = tags.trace != 0;
  }
  State& s = it->second;
  s.seq = ++seq_;
  if (run.transaction_control) {
    // A transaction ends or begins: what ran before it is no parent of what follows.
    Close(&s);
    s.has_last = false;
    s.recent_size = 0;
    s.end_us = run.time_us;
    MaybeSweep();
    return;
  }
  int64_t start = run.time_us;
  if (start != kNoTime && run.duration_ms >= 0) start -= static_cast<int64_t>(run.duration_ms * 1000);
  // Without times (log_statement without timestamps) consecutive statements count as close.
  bool close =
      start == kNoTime || s.end_us == kNoTime || static_cast<double>(start - s.end_us) <= options_.max_gap_ms * 1000;
  bool same = close && s.count > 0 && run.fingerprint == s.current.fingerprint && run.fallback == s.current.fallback;
  if (same) {
    ++s.count;
    if (run.duration_ms >= 0) {
      s.ms += run.duration_ms;
    } else {
      s.timed = false;
    }
    if (run.values_hash != s.first_values) s.values_differ = true;
  } else {
    // A pause split a run of one query: the next part keeps the run's parent.
    bool split = s.count > 0 && run.fingerprint == s.current.fingerprint && run.fallback == s.current.fallback;
    CloseRun(&s, /*keep_parent=*/split);
    s.current.fingerprint = run.fingerprint;
    s.current.fallback = run.fallback;
    s.current.limit = run.limit;
    s.current.code = tags.code;
    s.current.comment.assign(run.comment, 0, kMaxComment);
    s.count = 1;
    s.ms = run.duration_ms >= 0 ? run.duration_ms : 0;
    s.timed = run.duration_ms >= 0;
    s.first_values = run.values_hash;
    s.values_differ = false;
    s.identity = run.identity;
    s.input = run.input;
    s.line = run.line;
    s.start_us = start;
    s.application.assign(run.application, 0, kMaxComment);
  }
  StepCycle(&s, run, start, close, tags.code);
  s.end_us = run.time_us;
  MaybeSweep();
}

void BurstDetector::MaybeSweep() {
  // Idle sessions are looked for about four times per idle period of log time.
  if (now_us_ != kNoTime && (last_sweep_us_ == kNoTime || now_us_ - last_sweep_us_ > options_.idle_flush_ms * 250)) {
    last_sweep_us_ = now_us_;
    Sweep();
  }
}

void BurstDetector::OnSessionEnd(uint32_t input, uint64_t session, int64_t /*time_us*/) {
  if (session != 0) {
    auto it = sessions_.find(Key{input, session});
    if (it == sessions_.end()) return;
    Close(&it->second);
    sessions_.erase(it);
    return;
  }
  // The input ended: flush its sessions in stream order of their runs.
  std::vector<std::pair<uint64_t, Key>> ending;
  for (const auto& [key, state] : sessions_) {
    if (key.first == input) ending.emplace_back(state.line, key);
  }
  std::sort(ending.begin(), ending.end());
  for (const auto& [line, key] : ending) {
    Close(&sessions_[key]);
    sessions_.erase(key);
  }
}

void BurstDetector::StepCycle(State* s, const StatementRun& run, int64_t start, bool close, uint64_t code) {
  Cycle& c = s->cycle;
  if (c.period > 0) {
    size_t k = c.next;
    if (close && run.fingerprint == c.fingerprint[k] && run.fallback == c.fallback[k]) {
      ++c.count[k];
      if (run.duration_ms >= 0) {
        c.ms[k] += run.duration_ms;
      } else {
        c.timed[k] = false;
      }
      if (run.values_hash != c.first_values[k]) c.differ[k] = true;
      c.next = (k + 1) % c.period;
    } else {
      CloseCycle(s);
    }
  }
  auto& r = s->recent;
  std::move_backward(r.begin(), r.end() - 1, r.end());
  r[0] =
      Recent{run.fingerprint, run.fallback, close, run.values_hash, run.duration_ms, start, run.line, run.limit, code};
  s->recent_size = std::min(s->recent_size + 1, r.size());
  if (c.period > 0) return;
  // A new cycle: the newest statement repeats the one `p` back, and the `p`
  // statements from there on are distinct and close together.
  for (size_t p = 2; p <= kMaxPeriod; ++p) {
    if (s->recent_size < p + 1 || r[0].fingerprint != r[p].fingerprint || r[0].fallback != r[p].fallback) continue;
    bool ok = true;
    for (size_t i = 0; i < p && ok; ++i) {
      ok = r[i].close;
      for (size_t j = i + 1; j < p && ok; ++j) {
        ok = r[i].fingerprint != r[j].fingerprint || r[i].fallback != r[j].fallback;
      }
    }
    if (!ok) continue;
    c = Cycle{};
    c.period = p;
    c.next = 1;
    for (size_t m = 0; m < p; ++m) {
      const Recent& first = r[p - m];
      c.fingerprint[m] = first.fingerprint;
      c.fallback[m] = first.fallback;
      c.first_values[m] = first.values;
      c.count[m] = 1;
      c.timed[m] = first.ms >= 0;
      c.ms[m] = first.ms >= 0 ? first.ms : 0;
    }
    ++c.count[0];
    if (r[0].ms >= 0) {
      c.ms[0] += r[0].ms;
    } else {
      c.timed[0] = false;
    }
    c.differ[0] = r[0].values != r[p].values;
    c.has_parent = s->recent_size >= p + 2 && !OtherCode(r[p + 1].code, r[p].code);
    if (c.has_parent) {
      c.parent_fingerprint = r[p + 1].fingerprint;
      c.parent_fallback = r[p + 1].fallback;
      c.parent_limit = r[p + 1].limit;
    }
    c.line = r[p].line;
    c.start_us = r[p].start_us;
    c.application = s->application;
    c.comment = s->current.comment;
    return;
  }
}

void BurstDetector::CloseCycle(State* s) {
  Cycle& c = s->cycle;
  if (c.period == 0) return;
  uint64_t fewest = *std::min_element(c.count.begin(), c.count.begin() + static_cast<ptrdiff_t>(c.period));
  if (fewest >= static_cast<uint64_t>(options_.min_burst) && sink_ != nullptr) {
    for (size_t m = 0; m < c.period; ++m) {
      Burst& b = burst_;
      b.has_parent = c.has_parent;
      b.parent_fingerprint = c.parent_fingerprint;
      b.parent_fallback = c.parent_fallback;
      b.parent_limit = c.parent_limit;
      b.child_fingerprint = c.fingerprint[m];
      b.child_fallback = c.fallback[m];
      b.size = c.count[m];
      b.child_ms = c.ms[m];
      b.timed = c.timed[m];
      b.values_differ = c.differ[m];
      b.identity = s->identity;
      b.session = s->session;
      b.by_request = s->by_request;
      b.input = s->input;
      b.line = c.line;
      b.start_us = c.start_us;
      b.application = c.application;
      b.comment = c.comment;
      b.siblings.clear();
      for (size_t o = 0; o < c.period; ++o) {
        if (o != m) b.siblings.emplace_back(c.fingerprint[o], c.fallback[o]);
      }
      std::sort(b.siblings.begin(), b.siblings.end());
      sink_->OnBurst(b);
    }
  }
  c.period = 0;
}

void BurstDetector::CloseRun(State* s, bool keep_parent) {
  if (s->count >= static_cast<uint64_t>(options_.min_burst) && sink_ != nullptr) {
    Burst& b = burst_;
    b.siblings.clear();
    b.has_parent = s->has_last && !OtherCode(s->last.code, s->current.code);
    b.parent_fingerprint = b.has_parent ? s->last.fingerprint : 0;
    b.parent_fallback = b.has_parent && s->last.fallback;
    b.parent_limit = b.has_parent ? s->last.limit : -1;
    b.child_fingerprint = s->current.fingerprint;
    b.child_fallback = s->current.fallback;
    b.size = s->count;
    b.child_ms = s->ms;
    b.timed = s->timed;
    b.values_differ = s->values_differ;
    b.identity = s->identity;
    b.session = s->session;
    b.by_request = s->by_request;
    b.input = s->input;
    b.line = s->line;
    b.start_us = s->start_us;
    b.application = s->application;
    b.comment = !s->current.comment.empty() || !s->has_last ? s->current.comment : s->last.comment;
    sink_->OnBurst(b);
  }
  if (s->count > 0 && !keep_parent) {
    std::swap(s->last, s->current);
    s->has_last = true;
  }
  s->count = 0;
}

void BurstDetector::Sweep() {
  int64_t horizon = now_us_ - static_cast<int64_t>(options_.idle_flush_ms * 1000);
  std::vector<std::pair<uint64_t, Key>> idle;
  for (const auto& [key, state] : sessions_) {
    if (state.end_us != kNoTime && state.end_us < horizon) idle.emplace_back(state.seq, key);
  }
  std::sort(idle.begin(), idle.end());
  for (const auto& [seq, key] : idle) {
    Close(&sessions_[key]);
    sessions_.erase(key);
    ++flushed_idle_;
  }
}

void BurstDetector::EvictHalf() {
  std::vector<std::pair<uint64_t, Key>> by_age;
  by_age.reserve(sessions_.size());
  for (const auto& [key, state] : sessions_) by_age.emplace_back(state.seq, key);
  std::sort(by_age.begin(), by_age.end());
  by_age.resize((by_age.size() + 1) / 2);
  for (const auto& [seq, key] : by_age) {
    Close(&sessions_[key]);
    sessions_.erase(key);
    ++flushed_cap_;
  }
}

uint64_t BurstGroup::TypicalSize() const {
  uint64_t seen = 0;
  for (const auto& [size, n] : sizes) {
    seen += n;
    if (seen * 2 >= bursts) return size;
  }
  return 0;
}

void BurstGroups::OnBurst(const Burst& b) {
  if (b.values_differ != values_differ_) return;
  BurstGroup& g = groups_[Key{!b.has_parent, b.parent_fingerprint, b.parent_fallback, b.child_fingerprint,
                              b.child_fallback, b.siblings}];
  // The biggest burst is the example; ties go to the earliest start, then
  // the session, then the position in the log. Start times and sessions are
  // the same whichever format the server wrote; line numbers differ, and so
  // can the order of records from concurrent sessions.
  const Burst& e = g.example;
  if (g.bursts == 0 || b.size > e.size ||
      (b.size == e.size &&
       std::tie(b.start_us, b.session, b.input, b.line) < std::tie(e.start_us, e.session, e.input, e.line))) {
    g.example = b;
  }
  g.has_parent = b.has_parent;
  g.parent_fingerprint = b.parent_fingerprint;
  g.parent_fallback = b.parent_fallback;
  g.child_fingerprint = b.child_fingerprint;
  g.child_fallback = b.child_fallback;
  g.siblings = b.siblings;
  ++g.bursts;
  g.executions += b.size;
  g.max_size = std::max(g.max_size, b.size);
  ++g.sizes[b.size];
  if (b.timed) ++g.timed_bursts;
  if (b.parent_limit >= 0) {
    ++g.limited;
    if (static_cast<int64_t>(b.size) <= b.parent_limit + 1) ++g.fitting;
  }

  g.child_ms += b.child_ms;
  if (b.by_request) {
    ++g.by_request;
  } else {
    ++g.identities[b.identity];
  }
  if (!b.application.empty()) ++g.applications[b.application];
  std::string tags = CodeTags(b.comment);
  if (!tags.empty()) ++g.code[tags];
}

std::vector<const BurstGroup*> BurstGroups::Sorted() const {
  std::vector<const BurstGroup*> out;
  for (const auto& [key, g] : groups_) out.push_back(&g);
  std::stable_sort(out.begin(), out.end(),
                   [](const BurstGroup* a, const BurstGroup* b) { return a->child_ms > b->child_ms; });
  return out;
}

namespace {

// URL-decoded, digits masked (a route or job argument may carry an id),
// an e-mail address masked, control characters dropped, at most 80 bytes.
std::string CleanTagValue(std::string_view v) {
  std::string decoded = UrlDecode(v);
  std::string out;
  for (size_t i = 0; i < decoded.size() && out.size() < 80; ++i) {
    char c = decoded[i];
    if (c == '@') {
      // the address around it: back to the last separator, on to the next
      while (!out.empty() && out.back() != '/' && out.back() != ' ' && out.back() != '=' && out.back() != ',') {
        out.pop_back();
      }
      out += '?';
      while (i + 1 < decoded.size() && decoded[i + 1] != '/' && decoded[i + 1] != ' ' && decoded[i + 1] != ',') ++i;
      continue;
    }
    if (c >= '0' && c <= '9') {
      if (out.empty() || out.back() != '#') out += '#';
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
    out += c;
  }
  return out;
}

// A route as a template: "/patients/:id" and "/patients/{id}/visits" are
// kept (words and placeholders); a route without placeholders is a request
// path whose segments may be values (a name, an address): only its first
// segment is kept ("/patients/…").
std::string CleanRoute(std::string_view v) {
  std::string clean = CleanTagValue(v);
  bool tmpl = clean.find_first_of(":{<*") != std::string::npos;
  std::string out;
  size_t start = 0, segments = 0;
  while (start <= clean.size()) {
    size_t slash = clean.find('/', start);
    std::string seg = clean.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    bool placeholder = !seg.empty() && std::string_view(":{<*").find(seg[0]) != std::string_view::npos;
    bool word = !seg.empty() && seg.size() <= 40 && std::all_of(seg.begin(), seg.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.' || c == '#';
    });
    if (!seg.empty()) {
      if (!tmpl && segments == 1) {
        out += "…";
        break;
      }
      out += placeholder || word ? seg : "?";
      ++segments;
    }
    if (slash == std::string::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string CodeTags(std::string_view comment) {
  static const std::set<std::string, std::less<>> kKeys = {"action", "application", "controller", "framework",
                                                           "job",    "namespace",   "route"};
  std::string out;
  for (const CommentTag& tag : ParseCommentTags(comment)) {
    std::string key = Lower(tag.key);
    if (!kKeys.count(key)) continue;
    std::string clean = key == "route" ? CleanRoute(tag.value) : CleanTagValue(tag.value);
    if (clean.empty()) continue;
    if (!out.empty()) out += ", ";
    out += key + "=" + clean;
  }
  return out;
}

namespace {

// The first keyword, lower case, after leading white space, comments and
// parentheses; "" when a comment does not end.
std::string FirstWord(std::string_view q) {
  for (;;) {
    q = Trim(q);
    if (!q.empty() && q.front() == '(') {
      q.remove_prefix(1);
    } else if (q.substr(0, 2) == "/*") {
      size_t end = q.find("*/", 2);
      if (end == std::string_view::npos) return "";
      q.remove_prefix(end + 2);
    } else if (q.substr(0, 2) == "--") {
      size_t end = q.find('\n');
      if (end == std::string_view::npos) return "";
      q.remove_prefix(end + 1);
    } else {
      break;
    }
  }
  size_t end = 0;
  while (end < q.size() && std::isalpha(static_cast<unsigned char>(q[end]))) ++end;
  return Lower(q.substr(0, end));
}

bool IdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// The number at the start of `text` (digits only, at most 18), -1 if none.
int64_t LeadingNumber(std::string_view text) {
  int64_t n = 0;
  size_t i = 0;
  for (; i < text.size() && i < 18 && text[i] >= '0' && text[i] <= '9'; ++i) n = n * 10 + (text[i] - '0');
  return i == 0 || (i < text.size() && IdentChar(text[i])) ? -1 : n;
}

// The value of bind parameter $`index` in a "parameters: $1 = '3', $2 = '8'"
// detail, if it is a number.
int64_t ParameterNumber(std::string_view parameters, int64_t index) {
  std::string key = "$" + std::to_string(index) + " = '";
  for (size_t at = parameters.find(key); at != std::string_view::npos; at = parameters.find(key, at + 1)) {
    if (at > 0 && parameters[at - 1] != ' ' && parameters[at - 1] != ',') continue;
    std::string_view value = parameters.substr(at + key.size());
    value = value.substr(0, value.find('\''));
    return value.find_first_not_of("0123456789") == std::string_view::npos ? LeadingNumber(value) : -1;
  }
  return -1;
}

}  // namespace

bool IsReadQuery(std::string_view q) {
  std::string word = FirstWord(q);
  if (word == "select" || word == "values" || word == "table") return true;
  if (word != "with") return false;
  // A data-modifying CTE is not a read.
  std::string all = Lower(q);
  for (const char* verb : {"insert ", "update ", "delete ", "merge "}) {
    if (all.find(verb) != std::string::npos) return false;
  }
  return true;
}

bool IsTransactionControl(std::string_view sql) {
  std::string word = FirstWord(sql);
  return word == "begin" || word == "start" || word == "commit" || word == "end" || word == "rollback" ||
         word == "abort";
}

int64_t LimitValue(std::string_view sql, std::string_view parameters) {
  int64_t value = -1;
  int depth = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // a string or quoted identifier ('' and "" stay inside)
      size_t end = sql.find(c, i + 1);
      while (end != std::string_view::npos && end + 1 < sql.size() && sql[end + 1] == c) end = sql.find(c, end + 2);
      if (end == std::string_view::npos) return -1;
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '$' && i + 1 < sql.size() &&
               (sql[i + 1] == '$' || std::isalpha(static_cast<unsigned char>(sql[i + 1])) || sql[i + 1] == '_') &&
               (i == 0 || !IdentChar(sql[i - 1]))) {
      // A dollar-quoted string: $$...$$ or $tag$...$tag$.
      size_t close = sql.find('$', i + 1);
      if (close == std::string_view::npos) return -1;
      std::string_view tag = sql.substr(i, close - i + 1);
      size_t end = sql.find(tag, close + 1);
      if (end == std::string_view::npos) return -1;
      i = end + tag.size() - 1;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && (c == 'l' || c == 'L') && (i == 0 || !IdentChar(sql[i - 1])) &&
               Lower(sql.substr(i, 5)) == "limit" && (i + 5 == sql.size() || !IdentChar(sql[i + 5]))) {
      size_t at = i + 5;
      while (at < sql.size() && std::isspace(static_cast<unsigned char>(sql[at]))) ++at;
      std::string_view rest = sql.substr(at);
      if (!rest.empty() && rest.front() == '$') {
        int64_t index = LeadingNumber(rest.substr(1));
        value = index > 0 ? ParameterNumber(parameters, index) : -1;
      } else {
        value = LeadingNumber(rest);
      }
      i = at - 1;
    }
  }
  return value;
}

bool IsPageQuery(std::string_view normalized) {
  std::string q = " " + Lower(normalized) + " ";
  for (char& c : q) {
    if (std::isspace(static_cast<unsigned char>(c))) c = ' ';
  }
  auto has = [&q](std::string_view word) { return q.find(word) != std::string::npos; };
  if (has(" offset ") || has(" fetch first ") || has(" fetch next ")) return true;
  if (!has(" order by ") || !has(" limit ")) return false;
  for (const char* op : {"> $", "< $", ">= $", "<= $", ">$", "<$", ">=$", "<=$", "> ($", "< ($"}) {
    if (has(op)) return true;
  }
  return false;
}

const QueryStats* FindQuery(const Workload& workload, uint64_t fingerprint, bool fallback) {
  const auto& map = fallback ? workload.fallback_queries : workload.queries;
  auto it = map.find(fingerprint);
  return it == map.end() ? nullptr : &it->second;
}

std::string QueryText(const Workload& workload, uint64_t fingerprint, bool fallback, size_t max_chars) {
  const QueryStats* q = FindQuery(workload, fingerprint, fallback);
  if (q == nullptr) return "";
  // Comments go: sqlcommenter/marginalia tags are in the text and may carry
  // values (a trace id, a patient id in a route). Literals are already $n.
  std::string_view text = q->normalized;
  std::string out;
  bool space = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == 0 && c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 1;
      space = !out.empty();
      continue;
    }
    if (quote == 0 && c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      size_t end = text.find('\n', i);
      i = end == std::string_view::npos ? text.size() : end;
      space = !out.empty();
      continue;
    }
    if (c == '"') quote = quote == 0 ? '"' : 0;
    if (quote == 0 && std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space && !(c == ';' && i + 1 == text.size())) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > max_chars) {
    size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string_view IdentityLabel(SessionIdentity identity) {
  switch (identity) {
    case SessionIdentity::kSession:
      return "session id (%c, session_id)";
    case SessionIdentity::kProcess:
      return "process id (%p)";
    case SessionIdentity::kNone:
      break;
  }
  return "none: log order across all sessions (weaker heuristic)";
}

}  // namespace pgsift
