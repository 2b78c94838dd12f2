#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/event.h"

namespace pgsift {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Num(std::string_view s, size_t p, size_t n, int* out) {
  if (p + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[p + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

struct Zone {
  const char* name;
  int minutes;
};
// Abbreviations PostgreSQL prints for common zones; ambiguous ones (IST, CST)
// take their most common meaning in server logs (kAmbiguous says which, and
// the summary says so).
constexpr Zone kZones[] = {
    {"UTC", 0},    {"GMT", 0},     {"Z", 0},       {"UCT", 0},    {"WET", 0},    {"WEST", 60},  {"BST", 60},
    {"CET", 60},   {"CEST", 120},  {"MET", 60},    {"MEST", 120}, {"EET", 120},  {"EEST", 180}, {"MSK", 180},
    {"IST", 330},  {"PKT", 300},   {"ICT", 420},   {"WIB", 420},  {"HKT", 480},  {"SGT", 480},  {"AWST", 480},
    {"CST", -360}, {"CDT", -300},  {"JST", 540},   {"KST", 540},  {"ACST", 570}, {"AEST", 600}, {"AEDT", 660},
    {"NZST", 720}, {"NZDT", 780},  {"EST", -300},  {"EDT", -240}, {"MST", -420}, {"MDT", -360}, {"PST", -480},
    {"PDT", -420}, {"AKST", -540}, {"AKDT", -480}, {"HST", -600}, {"BRT", -180}, {"ART", -180}, {"SAST", 120},
    {"IDT", 180},  {"EAT", 180},   {"CAT", 120},   {"WAT", 60},   {"AST", -240}, {"ADT", -180}, {"NST", -210},
    {"NDT", -150},
};

struct Ambiguous {
  const char* name;
  const char* taken;
  const char* others;
};
// Abbreviations the time zone database gives several zones PostgreSQL
// servers run in (Asia/Kolkata, Asia/Jerusalem and Europe/Dublin all print
// IST; America/Chicago, Asia/Shanghai and America/Havana CST;
// America/Los_Angeles and Asia/Manila PST).
constexpr Ambiguous kAmbiguous[] = {
    {"IST", "India's (+05:30)", "Israel (+02:00) and Ireland in summer (+01:00)"},
    {"CST", "US Central (-06:00)", "China (+08:00) and Cuba (-05:00)"},
    {"CDT", "US Central summer time (-05:00)", "Cuba in summer (-04:00)"},
    {"PST", "US Pacific (-08:00)", "the Philippines (+08:00)"},
};

// SetLogZone's abbreviations (few; set before reading, read-only after).
struct Given {
  std::string name;
  int minutes;
};
std::vector<Given>& GivenZones() {
  static std::vector<Given> given;
  return given;
}

// Offset in minutes for " TZ" text; sets *unknown for abbreviations we do not
// know and *ambiguous for those with several meanings (unless given).
int ZoneMinutes(std::string_view z, bool* unknown, bool* ambiguous) {
  if (z.empty()) return 0;
  for (const Given& g : GivenZones()) {
    if (z == g.name) return g.minutes;
  }
  if (z[0] == '+' || z[0] == '-') {
    int sign = z[0] == '-' ? -1 : 1;
    int h = 0, m = 0;
    std::string_view d = z.substr(1);
    if (Num(d, 0, 2, &h)) {
      if (d.size() >= 5 && d[2] == ':')
        Num(d, 3, 2, &m);
      else if (d.size() >= 4)
        Num(d, 2, 2, &m);
    } else if (!Num(d, 0, 1, &h)) {
      *unknown = true;
      return 0;
    }
    return sign * (h * 60 + m);
  }
  for (const Zone& zone : kZones) {
    if (z != zone.name) continue;
    for (const Ambiguous& a : kAmbiguous) {
      if (z == a.name) *ambiguous = true;
    }
    return zone.minutes;
  }
  *unknown = true;
  return 0;
}

// "+05:30", "-5", "+0530", "0" -> minutes east of UTC.
bool ParseOffset(std::string_view v, int* minutes) {
  int sign = 1;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    sign = v[0] == '-' ? -1 : 1;
    v.remove_prefix(1);
  }
  int h = 0, m = 0;
  if (v.size() == 5 && v[2] == ':' && Num(v, 0, 2, &h) && Num(v, 3, 2, &m)) {
  } else if (v.size() == 4 && v[1] == ':' && Num(v, 0, 1, &h) && Num(v, 2, 2, &m)) {  // +5:30
  } else if (v.size() == 4 && Num(v, 0, 2, &h) && Num(v, 2, 2, &m)) {
  } else if ((v.size() == 1 || v.size() == 2) && Num(v, 0, v.size(), &h)) {
  } else {
    return false;
  }
  if (h > 15 || m > 59) return false;
  *minutes = sign * (h * 60 + m);
  return true;
}

}  // namespace

ZoneMeaning LookUpZone(std::string_view z) {
  ZoneMeaning out;
  for (const Given& g : GivenZones()) {
    if (z == g.name) {
      out.known = out.given = true;
      out.minutes = g.minutes;
      return out;
    }
  }
  for (const Zone& zone : kZones) {
    if (z != zone.name) continue;
    out.known = true;
    out.minutes = zone.minutes;
    for (const Ambiguous& a : kAmbiguous) {
      if (z == a.name) {
        out.taken = a.taken;
        out.others = a.others;
      }
    }
  }
  return out;
}

std::string SetLogZone(std::string_view spec) {
  size_t eq = spec.find('=');
  std::string_view name = spec.substr(0, eq), offset = eq == std::string_view::npos ? "" : spec.substr(eq + 1);
  bool letters = !name.empty() && name.size() <= 6;
  for (char c : name) letters = letters && c >= 'A' && c <= 'Z';
  int minutes = 0;
  if (eq == std::string_view::npos || !letters || !ParseOffset(offset, &minutes)) {
    return "--log-zone " + std::string(spec) +
           ": expected ABBREVIATION=OFFSET as the log prints it, for example IST=+02:00 or CST=+08:00";
  }
  for (Given& g : GivenZones()) {
    if (g.name == name) {
      g.minutes = minutes;
      return "";
    }
  }
  GivenZones().push_back({std::string(name), minutes});
  return "";
}

int64_t ParseLogTimestamp(std::string_view s, bool* unknown_zone, std::string_view* doubtful_zone) {
  bool unknown = false, ambiguous = false;
  // Consecutive records mostly share their second: the last valid
  // "YYYY-MM-DD HH:MM:SS" and its value are remembered (per thread).
  thread_local char last_second[19] = {};
  thread_local int64_t last_second_us = kNoTime;
  int64_t us;
  if (s.size() >= 19 && last_second_us != kNoTime && std::memcmp(last_second, s.data(), 19) == 0) {
    us = last_second_us;
  } else {
    int y, mo, d, h, mi, se;
    if (!(s.size() >= 19 && Num(s, 0, 4, &y) && s[4] == '-' && Num(s, 5, 2, &mo) && s[7] == '-' && Num(s, 8, 2, &d) &&
          (s[10] == ' ' || s[10] == 'T') && Num(s, 11, 2, &h) && s[13] == ':' && Num(s, 14, 2, &mi) && s[16] == ':' &&
          Num(s, 17, 2, &se))) {
      // Epoch seconds with fraction (%n).
      double epoch = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), epoch);
      if (ec == std::errc() && ptr == s.data() + s.size() && epoch > 1e8 && epoch < 1e11) {
        return static_cast<int64_t>(epoch * 1e6);  // 1973 to year 5138: no overflow
      }
      return kNoTime;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return kNoTime;
    us = (DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + se) *
         1000000;
    std::memcpy(last_second, s.data(), 19);
    last_second_us = us;
  }
  size_t p = 19;
  if (p < s.size() && s[p] == '.') {
    ++p;
    int64_t frac = 0, scale = 1000000;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (scale > 1) {
        scale /= 10;
        frac += (s[p] - '0') * scale;
      }
      ++p;
    }
    us += frac;
  }
  while (p < s.size() && s[p] == ' ') ++p;
  us -= static_cast<int64_t>(ZoneMinutes(s.substr(p), &unknown, &ambiguous)) * 60 * 1000000;
  if (unknown_zone != nullptr) *unknown_zone = unknown;
  if (doubtful_zone != nullptr && (unknown || ambiguous)) *doubtful_zone = s.substr(p);
  return us;
}

std::string FormatIsoTime(int64_t us) {
  if (us == kNoTime) return "";
  int64_t ms = us >= 0 ? us / 1000 : (us - 999) / 1000;
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // Civil from days (H. Hinnant).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60),
                static_cast<long long>(ms - secs * 1000));
  return buf;
}

}  // namespace pgsift
