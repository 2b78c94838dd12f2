#include <algorithm>
#include <cmath>

#include "pgsift/workload.h"

namespace pgsift {
namespace {
const double kGamma = (1 + DurationSketch::kRelativeError) / (1 - DurationSketch::kRelativeError);
const double kLogGamma = std::log(kGamma);
constexpr double kMinMs = 1e-6;

int32_t BucketOf(double ms) { return static_cast<int32_t>(std::ceil(std::log(ms) / kLogGamma)); }
// The value whose relative distance to every value in bucket k is <= a.
double ValueOf(int32_t k) { return 2 * std::pow(kGamma, k) / (kGamma + 1); }
}  // namespace

void DurationSketch::Add(double ms) {
  double v = ms >= kMinMs ? ms : 0;  // also catches NaN
  min_ = count_ == 0 ? v : std::min(min_, v);
  max_ = count_ == 0 ? v : std::max(max_, v);
  ++count_;
  if (count_ <= kExactValues) {
    exact_.push_back(v);
  } else if (!exact_.empty()) {
    std::vector<double>().swap(exact_);
  }
  if (!(ms >= kMinMs)) {  // also catches NaN
    ++zeros_;
    return;
  }
  int32_t k = BucketOf(ms);
  if (counts_.empty()) {
    offset_ = k;
    counts_.push_back(0);
  } else if (k < offset_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - k), 0);
    offset_ = k;
  } else if (k >= offset_ + static_cast<int32_t>(counts_.size())) {
    counts_.resize(static_cast<size_t>(k - offset_ + 1), 0);
  }
  ++counts_[static_cast<size_t>(k - offset_)];
}

void DurationSketch::Merge(const DurationSketch& o) {
  if (o.count_ == 0) return;
  min_ = count_ == 0 ? o.min_ : std::min(min_, o.min_);
  max_ = count_ == 0 ? o.max_ : std::max(max_, o.max_);
  count_ += o.count_;
  if (count_ <= kExactValues) {
    exact_.insert(exact_.end(), o.exact_.begin(), o.exact_.end());
  } else if (!exact_.empty()) {
    std::vector<double>().swap(exact_);
  }
  zeros_ += o.zeros_;
  if (o.counts_.empty()) return;
  if (counts_.empty()) {
    offset_ = o.offset_;
    counts_ = o.counts_;
    return;
  }
  int32_t lo = std::min(offset_, o.offset_);
  int32_t hi =
      std::max(offset_ + static_cast<int32_t>(counts_.size()), o.offset_ + static_cast<int32_t>(o.counts_.size()));
  std::vector<uint32_t> merged(static_cast<size_t>(hi - lo), 0);
  for (size_t i = 0; i < counts_.size(); ++i) merged[static_cast<size_t>(offset_ - lo) + i] += counts_[i];
  for (size_t i = 0; i < o.counts_.size(); ++i) merged[static_cast<size_t>(o.offset_ - lo) + i] += o.counts_[i];
  counts_ = std::move(merged);
  offset_ = lo;
}

double DurationSketch::Quantile(double q) const {
  if (count_ == 0) return 0;
  // Nearest rank: the smallest value with at least q*count values <= it.
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  if (rank > count_) rank = count_;
  if (count_ <= kExactValues) {
    std::vector<double> sorted = exact_;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<ptrdiff_t>(rank - 1), sorted.end());
    return sorted[rank - 1];
  }
  if (rank <= zeros_) return 0;
  uint64_t seen = zeros_;
  double v = ValueOf(offset_ + static_cast<int32_t>(counts_.size()) - 1);
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      v = ValueOf(offset_ + static_cast<int32_t>(i));
      break;
    }
  }
  // A bucket's representative value may lie past the extreme durations in it.
  return std::clamp(v, min_, max_);
}

}  // namespace pgsift
