// Infers a log_line_prefix from sample lines of a stderr log: each rendered
// prefix (the text before the severity) is turned back into escapes by what
// its parts look like (timestamps, pids, key=value pairs, addresses).
#include <algorithm>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "pgsift/prefix.h"
#include "prefix_internal.h"

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

const KeyEscape* KnownKey(std::string_view key) {
  for (const KeyEscape& k : kKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

// A rendered %e: five of [0-9A-Z], either "00000" (successful completion,
// every LOG line) or a code with a letter and a digit ("42P01", "57P01",
// "XX000"). An all-digit code other than 00000 could as well be a pid.
bool LooksLikeSqlState(std::string_view t) {
  if (t.size() != 5) return false;
  bool letter = false, digit = false;
  for (char c : t) {
    if (IsDigit(c)) {
      digit = true;
    } else if (c >= 'A' && c <= 'Z') {
      letter = true;
    } else {
      return false;
    }
  }
  return t == "00000" || (letter && digit);
}

// True when s[p..p+5) is a whole token that looks like a SQLSTATE.
bool SqlStateAt(std::string_view s, size_t p) {
  if (p > 0 && std::string_view(" [(:,").find(s[p - 1]) == std::string_view::npos) return false;
  if (p + 5 < s.size() && std::string_view(" ]):,").find(s[p + 5]) == std::string_view::npos) return false;
  return LooksLikeSqlState(s.substr(p, 5));
}

// The end of free text that runs to the end of the prefix at s.size() - 1
// (the space before the severity), less a trailing " %e": 'app=psql 00000 '
// is '%a %e', not an application named "psql 00000".
size_t BeforeTrailingSqlState(std::string_view s, size_t from) {
  size_t end = s.size() - 1;
  if (end >= from + 6 && s[end - 6] == ' ' && SqlStateAt(s, end - 5)) return end - 6;
  return end;
}

// The position of the ' ' or ',' before the next "known_key=" at or after
// s[from], or npos.
size_t NextKey(std::string_view s, size_t from) {
  for (size_t p = from; p < s.size(); ++p) {
    if (s[p] != ' ' && s[p] != ',') continue;
    size_t q = p + 1;
    while (q < s.size() && (std::isalnum(static_cast<unsigned char>(s[q])) || s[q] == '_')) ++q;
    if (q > p + 1 && q < s.size() && s[q] == '=' && KnownKey(s.substr(p + 1, q - p - 1)) != nullptr) return p;
  }
  return std::string_view::npos;
}

// After a user@db that ends at s[r]: free text from there to the end of
// the prefix, with no key=value, ':' or '@' in it and not a [number], is
// the application_name, the one free-form field ('%u@%d %a ': 'front desk
// [2]', and '[unknown]' before the startup packet is read). Appends " %a "
// and returns the end of the prefix, or returns r.
size_t TrailingApplication(std::string_view s, size_t r, std::string* out) {
  if (r + 2 >= s.size() || s[r] != ' ' || s.back() != ' ') return r;
  std::string_view rest = s.substr(r + 1, BeforeTrailingSqlState(s, r + 1) - r - 1);
  if (SqlStateAt(s, r + 1) && rest.size() == 5) return r;  // '%u@%d %e '
  bool free_text = !rest.empty() && rest[0] != '[' && rest[0] != ' ' && !IsDigit(rest[0]) &&
                   rest.find_first_of("=:@") == std::string_view::npos;
  if (!free_text && rest != "[unknown]") return r;
  *out += " %a";
  return r + 1 + rest.size();
}

// Turns one rendered prefix (the text before the severity) into a
// log_line_prefix.
std::string InferFromRendered(std::string_view s) {
  std::string out;
  size_t p = 0;
  while (p < s.size()) {
    char c = s[p];
    if (SqlStateAt(s, p)) {
      out += "%e";
      p += 5;
      continue;
    }
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
        const KeyEscape* found = KnownKey(key);
        if (found != nullptr) {
          size_t e = q + 1;
          bool bracket = e < s.size() && s[e] == '[';  // [unknown], [local]
          while (e < s.size() && s[e] != ',' && s[e] != ' ' && s[e] != ';' && (bracket || s[e] != ']')) {
            if (bracket && s[e] == ']') bracket = false;
            ++e;
          }
          // A value with spaces ("app=front desk [2] session=..."): it runs
          // to the next known key unless a user@db comes first. An
          // application_name (the one free-form field) at the end of the
          // prefix runs to its end, unless a ':' follows ("[%p]: ").
          if (e < s.size() && s[e] == ' ') {
            size_t next = NextKey(s, e);
            if (next == std::string_view::npos && found->escape == 'a' && s.back() == ' ' &&
                s.find(':', e) == std::string_view::npos) {
              next = BeforeTrailingSqlState(s, e);
            }
            // (A prefix has one user@db: after it, an '@' is the value's own.)
            if (next != std::string_view::npos &&
                (out.find("%u@%d") != std::string::npos || s.substr(e, next - e).find('@') == std::string_view::npos)) {
              e = next;
            }
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
        p = TrailingApplication(s, r, &out);
        continue;
      }
    }
    // A session before authentication: "[unknown]@[unknown]".
    if (c == '[' && s.compare(p, 19, "[unknown]@[unknown]") == 0) {
      out += "%u@%d";
      p = TrailingApplication(s, p + 19, &out);
      continue;
    }
    if (c == '[' && s.compare(p, 7, "[local]") == 0) {
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

namespace {

// True when an escape other than %% and %q appears twice: a prefix holds
// each field once, and '%u@%d app=%a %u@%d' is an application_name with an
// '@' in it ('sidekiq worker@prod'), not a second user@db.
bool RepeatsAnEscape(std::string_view prefix) {
  bool seen[128] = {};
  for (size_t i = 0; i + 1 < prefix.size(); ++i) {
    if (prefix[i] != '%') continue;
    unsigned char e = static_cast<unsigned char>(prefix[++i]);
    if (e == '%' || e == 'q' || e >= 128) continue;
    if (seen[e]) return true;
    seen[e] = true;
  }
  return false;
}

// How much of a matched line's prefix the candidate explains by its
// structure: the prefix's length less the text free-text escapes (%u %d %a
// %h %r) took. '%m [%p] %q%u@%d ' matches 'user@db app=x session=1.2 LOG:'
// too, with %d taking 'db app=x session=1.2': a candidate with app= and
// session= explains more of it.
// A generalized shape (Generalized below) explains its %a as fully as the
// literal shapes it stands for.
long Coverage(std::string_view line, const LogRecord& rec, bool application_explained) {
  long covered = rec.severity.data() - line.data();
  for (std::string_view v : {rec.user, rec.database, rec.client}) covered -= static_cast<long>(v.size());
  if (!application_explained) covered -= static_cast<long>(rec.application.size());
  return covered;
}

// Whether the values a generalized %a took look like one field each, not
// like several fields run together ('web postgres' and 'cron postgres' are
// %a %u; 'web 27155' took the pid; '[unknown]:[unknown]' is user and
// database before authentication): no value holds '[unknown]' beside other
// text or starts or ends with a number, and no two values share a
// separator-led start or end.
bool OneFieldEach(const std::vector<std::string_view>& names) {
  auto separator = [](char c) { return std::string_view(" :@[]=,/").find(c) != std::string_view::npos; };
  auto number = [](std::string_view t) {
    return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return IsDigit(c); });
  };
  for (std::string_view n : names) {
    if (n != "[unknown]" && n.find("[unknown]") != std::string_view::npos) return false;
    size_t first = n.find_first_of(" :"), last = n.find_last_of(" :");
    if (first != std::string_view::npos && (number(n.substr(0, first)) || number(n.substr(last + 1)))) return false;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = i + 1; j < names.size(); ++j) {
      std::string_view a = names[i], b = names[j];
      size_t s = 0;
      while (s < a.size() && s < b.size() && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
      for (size_t k = a.size() - s; k + 1 < a.size(); ++k) {
        if (separator(a[k]) && IsAlnum(a[k + 1])) return false;  // ' postgres', ':db', '[user'
      }
      size_t p = 0;
      while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
      for (size_t k = 1; k < p; ++k) {
        if (separator(a[k]) && IsAlnum(a[k - 1])) return false;  // 'web ', 'app:'
      }
    }
  }
  return true;
}

// Two inferred shapes that differ only in one run of plain text between
// the same escapes ('%e %m [%p] psql: ' and '%e %m [%p] My App: v2 [beta] x: ')
// rendered a free-form field that varies from session to session: the
// application_name, as nothing else in a prefix is free text without a
// key= or an '@' to tell it. Returns the shape with '%a' there, or "".
std::string Generalized(std::string_view a, std::string_view b) {
  size_t p = 0;
  while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
  while (p > 0 && IsAlnum(a[p - 1])) --p;  // cut at a word's start
  size_t s = 0;
  while (s < a.size() - p && s < b.size() - p && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  while (s > 0 && IsAlnum(a[a.size() - s])) --s;  // the suffix starts at punctuation
  std::string_view head = a.substr(0, p), mid_a = a.substr(p, a.size() - p - s), mid_b = b.substr(p, b.size() - p - s);
  if (mid_a.empty() || mid_b.empty() || (!head.empty() && head.back() == '%')) return {};
  if (mid_a.find('%') != std::string_view::npos || mid_b.find('%') != std::string_view::npos) return {};
  if (head.find("%a") != std::string_view::npos || a.substr(a.size() - s).find("%a") != std::string_view::npos) return {};
  return std::string(head) + "%a" + std::string(a.substr(a.size() - s));
}

}  // namespace

Result<InferredPrefix> InferPrefix(const std::vector<std::string>& sample, std::string_view preferred) {
  // Rendered prefixes: the text before the first severity of each line.
  std::vector<std::string_view> rendered;
  std::vector<std::string_view> lines;
  for (const std::string& line : sample) {
    if (!line.empty() && line[0] == '\t') continue;  // a continuation: statement text, never a prefix
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
    return Err("no line with a PostgreSQL severity (LOG:, ERROR:, ...) in the " + std::to_string(sample.size()) +
               " sampled lines: is this a PostgreSQL log? (severity words are read in English and in every"
               " language of PostgreSQL's message catalogs)");
  }
  // Candidates: inferred from the rendered prefixes (the most frequent
  // shapes first, so a session line with an odd value cannot crowd out the
  // others), with %q inserted where session fields may begin, plus common
  // settings and the prefix preferred by the caller.
  std::vector<std::string> candidates;
  auto add = [&](std::string c) {
    if (std::find(candidates.begin(), candidates.end(), c) == candidates.end()) candidates.push_back(std::move(c));
  };
  std::vector<std::pair<std::string, size_t>> shapes;  // inferred prefix, lines
  for (std::string_view r : rendered) {
    std::string inferred = InferFromRendered(r);
    auto it = std::find_if(shapes.begin(), shapes.end(), [&](const auto& s) { return s.first == inferred; });
    if (it != shapes.end()) {
      ++it->second;
    } else if (shapes.size() < 256) {
      shapes.emplace_back(std::move(inferred), 1);
    }
  }
  std::stable_sort(shapes.begin(), shapes.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  // A line with a client port ("10.0.0.5(40001)") shows %r: the lines of
  // local sessions ("[local]", read as %h) have the same prefix.
  if (std::any_of(shapes.begin(), shapes.end(),
                  [](const auto& s) { return s.first.find("%r") != std::string::npos; })) {
    for (auto& shape : shapes) {
      size_t h = shape.first.find("%h");
      if (h != std::string::npos && shape.first.find("%r") == std::string::npos) shape.first.replace(h, 2, "%r");
    }
  }
  std::vector<std::string> generalized;
  for (size_t i = 0; i < shapes.size() && i < 16; ++i) {
    for (size_t j = i + 1; j < shapes.size() && j < 16; ++j) {
      std::string g = Generalized(shapes[i].first, shapes[j].first);
      if (!g.empty() && std::find(generalized.begin(), generalized.end(), g) == generalized.end())
        generalized.push_back(std::move(g));
    }
  }
  for (size_t i = 0; i < shapes.size() && i < 16; ++i) {
    const std::string& inferred = shapes[i].first;
    add(inferred);
    // %q variants: after each space that is not the last character.
    for (size_t k = 1; k + 1 < inferred.size(); ++k) {
      if (inferred[k - 1] == ' ' && inferred[k] != ' ') add(inferred.substr(0, k) + "%q" + inferred.substr(k));
    }
  }
  for (const char* known : {"%m [%p] ", "%t [%p]: [%l-1] ", "%t [%p]: ", "%m [%p] %q%u@%d ",
                            "%t:%r:%u@%d:[%p]:", "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", "%m [%p]: [%l-1] ",
                            "%t [%p-%l] %q%u@%d ", "[%p]: [%l-1] ", "%m %u@%d(%p) ", ""}) {
    add(known);
  }
  // Last, so that they win only by explaining more lines, never a tie.
  for (const std::string& g : generalized) add(g);
  if (!preferred.empty()) add(std::string(preferred));
  // coverage[c][l]: how much of line l candidate c explains, -1 when it
  // does not match. A line is explained completely by the candidates that
  // explain the most of it.
  std::vector<std::string> texts;
  std::vector<std::vector<long>> coverage;
  for (const std::string& c : candidates) {
    if (RepeatsAnEscape(c)) continue;
    Result<LinePrefix> lp = LinePrefix::Compile(c);
    if (!lp.ok()) continue;
    bool is_generalized = std::find(generalized.begin(), generalized.end(), c) != generalized.end();
    std::vector<long> cov(lines.size(), -1);
    std::vector<std::string_view> names;  // a generalized candidate's %a values
    for (size_t l = 0; l < lines.size(); ++l) {
      LogRecord rec;
      if (lp->Match(lines[l], &rec)) {
        cov[l] = Coverage(lines[l], rec, is_generalized);
        if (is_generalized && names.size() < 64 &&
            std::find(names.begin(), names.end(), rec.application) == names.end()) {
          names.push_back(rec.application);
        }
      }
    }
    if (is_generalized && !OneFieldEach(names)) continue;
    texts.push_back(c);
    coverage.push_back(std::move(cov));
  }
  std::vector<long> most(lines.size(), -1);
  for (const std::vector<long>& cov : coverage) {
    for (size_t l = 0; l < lines.size(); ++l) most[l] = std::max(most[l], cov[l]);
  }
  auto complete = [&](size_t c, size_t l) { return coverage[c][l] >= 0 && coverage[c][l] == most[l]; };
  // The candidate that can be taken (below) and explains the most lines
  // completely; then the one that matches most; then the caller's; then no %q when none is needed;
  // then the more specific (longer) one.
  size_t best = texts.size(), best_complete = 0, best_hits = 0;
  for (size_t c = 0; c < texts.size(); ++c) {
    size_t full = 0, hits = 0;
    for (size_t l = 0; l < lines.size(); ++l) {
      full += complete(c, l);
      hits += coverage[c][l] >= 0;
    }
    if (hits == 0) continue;
    if (best < texts.size()) {
      const std::string& a = texts[c];
      const std::string& b = texts[best];
      bool q = a.find("%q") != std::string::npos, best_q = b.find("%q") != std::string::npos;
      // A candidate that fits too few lines to be taken (below) never
      // beats one that can be.
      auto key = [&](size_t f, size_t h, const std::string& t, bool has_q) {
        return std::make_tuple(h * 10 >= lines.size() * 9, f, h, !preferred.empty() && t == preferred, !has_q,
                               t.size());
      };
      if (key(full, hits, a, q) <= key(best_complete, best_hits, b, best_q)) continue;
    }
    best = c;
    best_complete = full;
    best_hits = hits;
  }
  // A prefix that fits nine lines in ten is taken (a reload changed it
  // late in the log, a few lines of another program): the first output line
  // says how many do not fit. Below that the log is mixed: refused.
  if (best == texts.size() || best_hits * 10 < lines.size() * 9) {
    std::string guess = best < texts.size() ? texts[best] : std::string();
    return Err("could not infer log_line_prefix: the best guess '" + guess + "' matches " + std::to_string(best_hits) +
               " of " + std::to_string(lines.size()) +
               " sampled lines; pass --prefix with your server's log_line_prefix");
  }
  InferredPrefix out;
  out.prefix = texts[best];
  out.lines = lines.size();
  // The lines the choice does not explain completely, and the candidate
  // that explains most of them.
  std::vector<size_t> others(texts.size(), 0);
  for (size_t l = 0; l < lines.size(); ++l) {
    if (complete(best, l)) continue;
    ++out.disagreeing;
    for (size_t c = 0; c < texts.size(); ++c) others[c] += complete(c, l);
  }
  if (out.disagreeing > 0) {
    size_t top = static_cast<size_t>(std::max_element(others.begin(), others.end()) - others.begin());
    if (others[top] > 1) out.other = texts[top];
  }
  return out;
}

}  // namespace pgsift
