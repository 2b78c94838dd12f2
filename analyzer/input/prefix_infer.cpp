// Infers a log_line_prefix from sample lines of a stderr log: each rendered
// prefix (the text before the severity) is turned back into escapes by what
// its parts look like (timestamps, pids, key=value pairs, addresses).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "prefix_internal.h"
#include "pgsift/prefix.h"

namespace pgsift {

using prefix_internal::Digits;
using prefix_internal::IsAlnum;
using prefix_internal::IsDigit;
using prefix_internal::MatchTimestamp;
using prefix_internal::MatchTyped;

namespace {

struct KeyEscape {
  std::string_view key;
  char escape;
};
constexpr KeyEscape kKeys[] = {
    {"user", 'u'},
    {"usr", 'u'},
    {"u", 'u'},
    {"db", 'd'},
    {"database", 'd'},
    {"dbname", 'd'},
    {"d", 'd'},
    {"app", 'a'},
    {"appli", 'a'},
    {"application", 'a'},
    {"application_name", 'a'},
    {"a", 'a'},
    {"client", 'h'},
    {"host", 'h'},
    {"remote", 'h'},
    {"h", 'h'},
    {"session", 'c'},
    {"sess", 'c'},
    {"session_id", 'c'},
    {"c", 'c'},
    {"line", 'l'},
    {"l", 'l'},
    {"xid", 'x'},
    {"x", 'x'},
    {"state", 'e'},
    {"sqlstate", 'e'},
    {"e", 'e'},
    {"pid", 'p'},
    {"p", 'p'},
    {"vxid", 'v'},
    {"v", 'v'},
    {"query_id", 'Q'},
    {"queryid", 'Q'},
    {"qid", 'Q'},
    {"backend", 'b'},
    {"tag", 'i'},
    {"cmd", 'i'},
    {"i", 'i'},
};

// Turns one rendered prefix (the text before the severity) into a
// log_line_prefix.
std::string InferFromRendered(std::string_view s) {
  std::string out;
  size_t p = 0;
  while (p < s.size()) {
    char c = s[p];
    // IPv4 client, optionally with (port)
    if (IsDigit(c) && (p == 0 || !IsDigit(s[p - 1]))) {
      size_t q = p;
      int dots = 0;
      while (q < s.size() && (IsDigit(s[q]) || s[q] == '.')) dots += s[q++] == '.';
      if (dots == 3) {
        if (q < s.size() && s[q] == '(') {
          size_t r = s.find(')', q);
          if (r != std::string_view::npos) {
            out += "%r";
            p = r + 1;
            continue;
          }
        }
        out += "%h";
        p = q;
        continue;
      }
    }
    if (IsDigit(c)) {
      if (size_t n = MatchTimestamp(s, p, true); n > 0) {
        out += "%m";
        p += n;
        continue;
      }
      if (size_t n = MatchTimestamp(s, p, false); n > 0) {
        out += "%t";
        p += n;
        continue;
      }
      if (long n = MatchTyped('n', s, p); n > 0 && Digits(s, p) >= 9) {
        out += "%n";
        p += static_cast<size_t>(n);
        continue;
      }
      if (long n = MatchTyped('c', s, p); n > 0 && s.substr(p).find('.') < 9) {
        out += "%c";
        p += static_cast<size_t>(n);
        continue;
      }
    }
    if (c == '[' && p + 1 < s.size() && IsDigit(s[p + 1])) {
      size_t d = Digits(s, p + 1);
      size_t q = p + 1 + d;
      if (q < s.size() && s[q] == ']') {
        // The first bare [number] is the pid; a later one is most often the xid.
        out += out.find("%p") == std::string::npos ? "[%p]" : "[%x]";
        p = q + 1;
        continue;
      }
      if (q + 1 < s.size() && s[q] == '-' && IsDigit(s[q + 1])) {
        size_t r = q + 1 + Digits(s, q + 1);
        if (r < s.size() && s[r] == ']') {
          out += "[%l-" + std::string(s.substr(q + 1, r - q - 1)) + "]";
          p = r + 1;
          continue;
        }
      }
    }
    // key=value
    if (std::isalpha(static_cast<unsigned char>(c)) &&
        (p == 0 || !std::isalnum(static_cast<unsigned char>(s[p - 1])))) {
      size_t q = p;
      while (q < s.size() && (std::isalnum(static_cast<unsigned char>(s[q])) || s[q] == '_')) ++q;
      if (q < s.size() && s[q] == '=') {
        std::string_view key = s.substr(p, q - p);
        const KeyEscape* found = nullptr;
        for (const KeyEscape& k : kKeys) {
          if (k.key == key) found = &k;
        }
        if (found != nullptr) {
          size_t e = q + 1;
          bool bracket = e < s.size() && s[e] == '[';  // [unknown], [local]
          while (e < s.size() && s[e] != ',' && s[e] != ' ' && s[e] != ';' && (bracket || s[e] != ']')) {
            if (bracket && s[e] == ']') bracket = false;
            ++e;
          }
          char esc = found->escape;
          if (esc == 'h' && s.substr(q + 1, e - q - 1).find('(') != std::string_view::npos) esc = 'r';
          out += std::string(key) + "=%" + esc;
          p = e;
          continue;
        }
      }
      // user@db
      if (q < s.size() && s[q] == '@') {
        size_t r = q + 1;
        while (r < s.size() && s[r] != ' ' && s[r] != ':' && s[r] != ',' && s[r] != ']') ++r;
        out += "%u@%d";
        p = r;
        continue;
      }
    }
    if (c == '[' && s.compare(p, 8, "[local]") == 0) {
      out += "%h";
      p += 7;
      continue;
    }
    if (c == '%')
      out += "%%";
    else
      out.push_back(c);
    ++p;
  }
  return out;
}

}  // namespace

Result<std::string> InferPrefix(const std::vector<std::string>& sample) {
  // Rendered prefixes: the text before the first severity of each line.
  std::vector<std::string_view> rendered;
  std::vector<std::string_view> lines;
  for (const std::string& line : sample) {
    for (size_t q = 0; q < line.size() && q < 512; ++q) {
      if ((q == 0 || line[q - 1] == ' ' || line[q - 1] == ':' || line[q - 1] == ']') &&
          StartsWithSeverity(std::string_view(line).substr(q))) {
        rendered.push_back(std::string_view(line).substr(0, q));
        lines.push_back(line);
        break;
      }
    }
  }
  if (rendered.empty()) {
    return Err("no line with a PostgreSQL severity (LOG:, ERROR:, ...) in the first " + std::to_string(sample.size()) +
               " lines: is this a PostgreSQL log? (lc_messages must be English, C or POSIX)");
  }
  // Candidates: inferred from each distinct longest rendered prefix, plus
  // common settings; with %q inserted where session fields begin.
  std::vector<std::string> candidates;
  auto add = [&](std::string c) {
    if (std::find(candidates.begin(), candidates.end(), c) == candidates.end()) candidates.push_back(std::move(c));
  };
  std::vector<std::string_view> by_length = rendered;
  std::sort(by_length.begin(), by_length.end(), [](auto a, auto b) { return a.size() > b.size(); });
  for (size_t i = 0; i < by_length.size() && i < 8; ++i) {
    std::string inferred = InferFromRendered(by_length[i]);
    add(inferred);
    // %q variants: before each escape after the first two elements.
    for (size_t k = 1; k < inferred.size(); ++k) {
      if (inferred[k] == '%' && inferred[k - 1] == ' ') add(inferred.substr(0, k) + "%q" + inferred.substr(k));
      if (std::isalpha(static_cast<unsigned char>(inferred[k])) && inferred[k - 1] == ' ' && k + 1 < inferred.size())
        add(inferred.substr(0, k) + "%q" + inferred.substr(k));
    }
  }
  for (const char* known : {"%m [%p] ", "%t [%p]: [%l-1] ", "%t [%p]: ", "%m [%p] %q%u@%d ",
                            "%t:%r:%u@%d:[%p]:", "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", "%m [%p]: [%l-1] ",
                            "%t [%p-%l] %q%u@%d ", "[%p]: [%l-1] ", "%m %u@%d(%p) ", ""}) {
    add(known);
  }
  std::string best;
  size_t best_hits = 0;
  for (const std::string& c : candidates) {
    Result<LinePrefix> lp = LinePrefix::Compile(c);
    if (!lp.ok()) continue;
    size_t hits = 0;
    LogRecord rec;
    for (std::string_view line : lines) hits += lp->Match(line, &rec) ? 1 : 0;
    // Prefer more matches, then no %q when it is not needed, then the more
    // specific (longer) prefix.
    bool q = c.find("%q") != std::string::npos, best_q = best.find("%q") != std::string::npos;
    if (hits > best_hits ||
        (hits == best_hits && hits > 0 && (best_q > q || (best_q == q && c.size() > best.size())))) {
      best = c;
      best_hits = hits;
    }
  }
  if (best_hits * 10 < lines.size() * 9) {
    return Err("could not infer log_line_prefix: the best guess '" + best + "' matches " + std::to_string(best_hits) +
               " of " + std::to_string(lines.size()) +
               " sampled lines; pass --prefix with your server's log_line_prefix");
  }
  return best;
}

}  // namespace pgsift
