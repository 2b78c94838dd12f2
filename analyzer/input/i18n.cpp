#include "pgsift/i18n.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace pgsift::i18n {
namespace {

struct I18nWord {
  const char* lang;
  const char* english;
  const char* translation;
};

#include "messages_i18n.inc"

constexpr size_t kLanguageCount = sizeof(kI18nLanguages) / sizeof(kI18nLanguages[0]);
static_assert(kLanguageCount < 32, "a language mask is 32 bits");

// A pattern piece: literal text, or argument `arg` (0-based).
struct Seg {
  std::string_view lit;
  int arg = -1;
};

struct Pattern {
  std::string_view translation;
  std::vector<Seg> tr;
  std::vector<Seg> en;
  uint32_t langs = 0;
  bool open_tail = false;  // the English ends with '\n': more text follows
  size_t literal_bytes = 0;
};

struct Translated {
  std::string_view english;
  uint32_t langs = 0;
};

// A severity word or tag, and whether its text may follow the ':' directly.
struct SeverityWord {
  std::string_view word;
  bool tight = false;
};

struct Tables {
  std::unordered_map<std::string_view, Translated> severity;
  std::array<std::vector<SeverityWord>, 256> severity_by_first;
  std::unordered_map<std::string_view, uint32_t> unknown;
  std::vector<Pattern> patterns;
  std::unordered_map<uint32_t, std::vector<uint32_t>> by_key;  // first 3 bytes of the translation
  std::vector<uint32_t> wild;                                  // translations with a shorter literal start
  std::vector<uint32_t> bare_duration;
  std::vector<uint32_t> shared_masks;  // language sets that share a translation
};

uint32_t LangBit(std::string_view lang) {
  for (size_t k = 0; k < kLanguageCount; ++k) {
    if (lang == kI18nLanguages[k]) return uint32_t{1} << (k + 1);
  }
  return 0;
}

int ArgIndex(char c) {
  if (c >= '1' && c <= '9') return c - '1';
  if (c >= 'a' && c <= 'z') return 9 + (c - 'a');
  return -1;
}

// "%1 ms" -> [arg 0][" ms"]; "%%" is a literal '%', kept in the literal as
// a view of the table's "%" (the table's text lives for the program).
std::vector<Seg> Parse(std::string_view s) {
  std::vector<Seg> out;
  size_t start = 0, i = 0;
  auto flush = [&](size_t end) {
    if (end > start) out.push_back(Seg{s.substr(start, end - start), -1});
  };
  while (i < s.size()) {
    if (s[i] != '%' || i + 1 >= s.size()) {
      ++i;
      continue;
    }
    if (s[i + 1] == '%') {
      flush(i + 1);  // keep one '%'
      i += 2;
      start = i;
      continue;
    }
    int a = ArgIndex(s[i + 1]);
    if (a < 0) {
      ++i;
      continue;
    }
    flush(i);
    out.push_back(Seg{{}, a});
    i += 2;
    start = i;
  }
  flush(s.size());
  return out;
}

uint32_t Key(std::string_view s) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[0])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[2])) << 16;
}

const Tables& Get() {
  static const Tables tables = [] {
    Tables t;
    for (const I18nWord& w : kI18nSeverities) {
      Translated& e = t.severity[w.translation];
      if (e.english.empty()) e.english = w.english;
      if (e.english == w.english) e.langs |= LangBit(w.lang);
    }
    for (const auto& entry : t.severity) {
      std::string_view word = entry.first;
      bool tight = std::any_of(std::begin(kI18nTightTags), std::end(kI18nTightTags),
                               [word](const I18nWord& w) { return word == w.translation; });
      t.severity_by_first[static_cast<unsigned char>(word[0])].push_back(SeverityWord{word, tight});
    }
    for (auto& v : t.severity_by_first) {
      std::sort(v.begin(), v.end(),
                [](const SeverityWord& a, const SeverityWord& b) { return a.word.size() > b.word.size(); });
    }
    for (const I18nWord& w : kI18nUnknown) t.unknown[w.translation] |= LangBit(w.lang);
    std::unordered_map<std::string_view, size_t> seen;
    for (const I18nWord& w : kI18nMessages) {
      auto [it, fresh] = seen.try_emplace(w.translation, t.patterns.size());
      if (!fresh) {
        t.patterns[it->second].langs |= LangBit(w.lang);
        continue;
      }
      Pattern p;
      p.translation = w.translation;
      p.tr = Parse(w.translation);
      p.en = Parse(w.english);
      p.langs = LangBit(w.lang);
      std::string_view en(w.english);
      p.open_tail = !en.empty() && en.back() == '\n';
      for (const Seg& s : p.tr) p.literal_bytes += s.lit.size();
      t.patterns.push_back(std::move(p));
    }
    std::vector<uint32_t> order(t.patterns.size());
    for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
    // The most specific first: "期間: %1 ミリ秒  文: %2" before "期間: %1 ミリ秒".
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return t.patterns[a].literal_bytes > t.patterns[b].literal_bytes; });
    for (uint32_t k : order) {
      const Pattern& p = t.patterns[k];
      if (!p.tr.empty() && p.tr[0].arg < 0 && p.tr[0].lit.size() >= 3) {
        t.by_key[Key(p.tr[0].lit)].push_back(k);
      } else {
        t.wild.push_back(k);
      }
    }
    for (const I18nWord& w : kI18nMessages) {
      if (std::string_view(w.english) == "duration: %1 ms") {
        for (uint32_t k = 0; k < t.patterns.size(); ++k) {
          if (t.patterns[k].translation == w.translation &&
              std::find(t.bare_duration.begin(), t.bare_duration.end(), k) == t.bare_duration.end()) {
            t.bare_duration.push_back(k);
          }
        }
      }
    }
    auto shared = [&t](uint32_t m) {
      if ((m & (m - 1)) != 0 && std::find(t.shared_masks.begin(), t.shared_masks.end(), m) == t.shared_masks.end()) {
        t.shared_masks.push_back(m);
      }
    };
    for (const auto& [word, e] : t.severity) shared(e.langs);
    for (const auto& [word, m] : t.unknown) shared(m);
    for (const Pattern& p : t.patterns) shared(p.langs);
    return t;
  }();
  return tables;
}

constexpr size_t kMaxArgs = 36;

// Matches `msg` against the translation; arguments end at the leftmost
// occurrence of the literal after them. *end is where the pattern ended.
bool MatchPattern(const Pattern& p, std::string_view msg, std::array<std::string_view, kMaxArgs>* args, size_t* end) {
  size_t pos = 0;
  for (size_t i = 0; i < p.tr.size(); ++i) {
    const Seg& s = p.tr[i];
    if (s.arg < 0) {
      if (msg.compare(pos, s.lit.size(), s.lit) != 0) return false;
      pos += s.lit.size();
      continue;
    }
    if (i + 1 == p.tr.size()) {
      (*args)[static_cast<size_t>(s.arg)] = msg.substr(pos);
      pos = msg.size();
      continue;
    }
    size_t f = msg.find(p.tr[i + 1].lit, pos);
    if (f == std::string_view::npos) return false;
    (*args)[static_cast<size_t>(s.arg)] = msg.substr(pos, f - pos);
    pos = f;
  }
  *end = pos;
  return true;
}

bool OnlySpaces(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\r' && c != '\n') return false;
  }
  return true;
}

bool TryPattern(const Pattern& p, std::string_view msg, std::string* out) {
  // Most tries fail on the leading literal or the length: ask before the
  // arguments array is set up (English messages try several patterns each).
  if (msg.size() < p.literal_bytes) return false;
  if (!p.tr.empty() && p.tr[0].arg < 0 && msg.compare(0, p.tr[0].lit.size(), p.tr[0].lit) != 0) return false;
  std::array<std::string_view, kMaxArgs> args{};
  size_t end = 0;
  if (!MatchPattern(p, msg, &args, &end)) return false;
  std::string_view tail = msg.substr(end);
  if (!p.open_tail && !OnlySpaces(tail)) return false;
  out->clear();
  for (const Seg& s : p.en) {
    if (s.arg < 0) {
      out->append(s.lit);
    } else {
      out->append(args[static_cast<size_t>(s.arg)]);
    }
  }
  out->append(tail);
  return true;
}

}  // namespace

std::string_view LanguageName(size_t bit) {
  if (bit == 0) return "en";
  return bit <= kLanguageCount ? std::string_view(kI18nLanguages[bit - 1]) : std::string_view();
}

std::string LanguageList(uint32_t mask) {
  std::string out;
  for (size_t b = 0; b <= kLanguageCount; ++b) {
    if ((mask >> b) & 1) {
      if (!out.empty()) out += ',';
      out += LanguageName(b);
    }
  }
  return out;
}

uint32_t DetectedLanguages(uint32_t single, uint32_t shared) {
  uint32_t out = single;
  for (uint32_t m : Get().shared_masks) {
    if ((m & shared) == m && (m & single) == 0) out |= m & ~(m - 1);
  }
  return out;
}

bool StartsWithTranslatedSeverity(std::string_view s, size_t* length) {
  if (s.empty()) return false;
  const auto& words = Get().severity_by_first[static_cast<unsigned char>(s[0])];
  for (const auto& [w, tight] : words) {
    if (s.size() > w.size() && s[w.size()] == ':' && (tight || s.size() == w.size() + 1 || s[w.size() + 1] == ' ') &&
        std::memcmp(s.data(), w.data(), w.size()) == 0) {
      if (length != nullptr) *length = w.size();
      return true;
    }
  }
  return false;
}

std::string_view EnglishSeverity(std::string_view word, uint32_t* langs) {
  const Tables& t = Get();
  auto it = t.severity.find(word);
  if (it == t.severity.end()) return {};
  if (langs != nullptr) *langs = it->second.langs;
  return it->second.english;
}

bool IsTranslatedUnknown(std::string_view s, uint32_t* langs) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  const Tables& t = Get();
  auto it = t.unknown.find(s);
  if (it == t.unknown.end()) return false;
  if (langs != nullptr) *langs = it->second;
  return true;
}

uint32_t TranslateMessage(std::string_view message, std::string* out) {
  const Tables& t = Get();
  if (message.size() >= 3) {
    auto it = t.by_key.find(Key(message));
    if (it != t.by_key.end()) {
      for (uint32_t k : it->second) {
        if (TryPattern(t.patterns[k], message, out)) return t.patterns[k].langs;
      }
    }
  }
  for (uint32_t k : t.wild) {
    if (TryPattern(t.patterns[k], message, out)) return t.patterns[k].langs;
  }
  return 0;
}

bool IsTranslatedBareDuration(std::string_view m) {
  const Tables& t = Get();
  for (uint32_t k : t.bare_duration) {
    const Pattern& p = t.patterns[k];
    if (p.tr.size() != 3 || p.tr[1].arg < 0) continue;
    std::string_view head = p.tr[0].lit, unit = p.tr[2].lit;
    if (m.substr(0, head.size()) != head) continue;
    size_t i = head.size();
    while (i < m.size() && ((m[i] >= '0' && m[i] <= '9') || m[i] == '.')) ++i;
    if (i == head.size() || m.substr(i, unit.size()) != unit) continue;
    i += unit.size();
    while (i < m.size() && (m[i] == ' ' || m[i] == '\r')) ++i;
    if (i == m.size() || m[i] == '"') return true;
  }
  return false;
}

}  // namespace pgsift::i18n
