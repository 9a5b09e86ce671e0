#pragma once
/// @file
/// @brief Random streams and service-time laws of the simulator: one small, fast stream per
/// purpose, seeded from (seed, replication, purpose, index), and variates computed by the
/// library's own code so that a seed gives the same numbers on every platform.
///
/// Why not `std::mt19937_64` with `std::exponential_distribution`: the distributions of
/// `<random>` are implementation-defined (the same seed gives different variates with
/// libstdc++ and libc++), and a Mersenne Twister carries 2.5 KB of state, too much for one
/// stream per unit and link of a large model. xoshiro256++ (Blackman & Vigna, "Scrambled
/// linear pseudorandom number generators", ACM TOMS 47(4), 2021) has 32 bytes of state,
/// passes BigCrush, and is seeded here through SplitMix64 (Steele, Lea & Flood, OOPSLA 2014)
/// as its authors recommend.

#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace servicechain {

/// @brief One step of SplitMix64: advances `state` and returns a well-mixed 64-bit value.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// @brief What a random stream is used for: with common random numbers, the same purpose of
/// the same unit, link or class draws from the same stream in every scenario.
enum class stream_purpose : std::uint64_t {
  arrivals = 1,    ///< per class: inter-arrival times (open) or think times (closed)
  service = 2,     ///< per unit: service requirements of every service the unit performs
  requests = 3,    ///< per link: the number of requests per item
  acceptance = 4,  ///< per link: whether a delivery is accepted
};

/// @brief The seed of the stream for `purpose` of entity `index` (class, unit or link) in
/// replication `replication` of a run seeded with `seed`: SplitMix64 applied to each part in
/// turn, so that every (seed, replication, purpose, index) gets an unrelated stream.
[[nodiscard]] constexpr std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t replication, stream_purpose purpose,
                                                  std::uint64_t index) noexcept {
  std::uint64_t state = seed;
  std::uint64_t h = splitmix64(state);
  for (const std::uint64_t part : {replication, static_cast<std::uint64_t>(purpose), index}) {
    state = h ^ part;
    h = splitmix64(state);
  }
  return h;
}

/// @brief xoshiro256++ with the variates the simulator needs. 32 bytes of state; copyable.
class random_stream {
 public:
  /// @brief A stream whose state is four SplitMix64 outputs from `seed` (never all zero).
  explicit constexpr random_stream(std::uint64_t seed = 0) noexcept {
    for (auto& word : s_) word = splitmix64(seed);
  }

  /// @brief A stream with this exact state (not all zero), e.g. to check the generator
  /// against published test vectors.
  [[nodiscard]] static constexpr random_stream from_state(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2,
                                                          std::uint64_t s3) noexcept {
    random_stream r;
    r.s_[0] = s0;
    r.s_[1] = s1;
    r.s_[2] = s2;
    r.s_[3] = s3;
    return r;
  }

  /// @brief The next 64 random bits.
  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = std::rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

  /// @brief Uniform on the open interval (0, 1): 53 random bits, centred in their cell, so
  /// that `log` never sees 0 and `1 − u` never rounds to 0.
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

  /// @brief True with probability `p`.
  bool bernoulli(double p) noexcept { return uniform() < p; }

  /// @brief Exponential with mean `mean`, by inversion.
  double exponential(double mean) noexcept { return -mean * std::log(uniform()); }

  /// @brief Standard normal, by Marsaglia's polar method (one of the pair is kept).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

  /// @brief Gamma with shape `shape ≥ 1` and scale 1, by Marsaglia & Tsang, "A simple method
  /// for generating gamma variables", ACM TOMS 26(3), 2000.
  double gamma(double shape) noexcept {
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

 private:
  std::uint64_t s_[4]{};
  double spare_ = 0;
  bool has_spare_ = false;
};

/// @brief The law of a service time, chosen from its mean and squared coefficient of
/// variation (the two moments the model knows):
///
/// | SCV | law |
/// |---|---|
/// | 0 | deterministic, `mean` |
/// | 0 < SCV < 1, 1/SCV an integer k ≤ 64 | Erlang-k, the sum of k exponentials of mean `mean/k` |
/// | 0 < SCV < 1 otherwise | gamma with shape 1/SCV and scale `mean·SCV` |
/// | 1 | exponential |
/// | > 1 | two-phase hyperexponential with balanced means: phase 1 with probability `p = (1 + √((SCV − 1)/(SCV +
/// 1)))/2` and mean `mean/(2p)`, phase 2 with mean `mean/(2(1 − p))`, so that each phase carries half the mean (Whitt,
/// "Approximating a point process by a renewal process, I", Operations Research 30(1), 1982) |
///
/// Each has exactly the given mean and SCV.
class service_distribution {
 public:
  /// @brief The shape of the law.
  enum class kind : std::uint8_t { deterministic, erlang, gamma, exponential, hyperexponential };

  /// @brief A deterministic zero (a placeholder; sample() returns 0).
  constexpr service_distribution() noexcept = default;

  /// @brief The law with this mean (time units, > 0) and SCV (≥ 0); see the class comment.
  /// Arguments are assumed valid (the model is validated before it is simulated).
  [[nodiscard]] static service_distribution from_moments(double mean, double scv) noexcept {
    service_distribution d;
    d.mean_ = mean;
    if (scv <= 0.0) {
      d.kind_ = kind::deterministic;
    } else if (scv < 1.0) {
      const double shape = 1.0 / scv;
      const double k = std::round(shape);
      if (k <= 64 && std::abs(shape - k) <= 1e-12 * k) {
        d.kind_ = kind::erlang;
        d.stages_ = static_cast<std::uint32_t>(k);
        d.a_ = mean / k;  // mean of one stage
      } else {
        d.kind_ = kind::gamma;
        d.a_ = shape;
        d.b_ = mean * scv;  // scale
      }
    } else if (scv == 1.0) {
      d.kind_ = kind::exponential;
    } else {
      d.kind_ = kind::hyperexponential;
      d.p_ = 0.5 * (1.0 + std::sqrt((scv - 1.0) / (scv + 1.0)));
      d.a_ = mean / (2.0 * d.p_);
      d.b_ = mean / (2.0 * (1.0 - d.p_));
    }
    return d;
  }

  /// @brief One service time drawn from `stream`.
  double sample(random_stream& stream) const noexcept {
    switch (kind_) {
      case kind::deterministic:
        return mean_;
      case kind::exponential:
        return stream.exponential(mean_);
      case kind::erlang: {
        // A product of uniforms: one logarithm for all the stages. The product is folded
        // into the sum of logarithms before it could underflow (each factor is ≥ 2^-54).
        double product = 1.0, log_sum = 0.0;
        for (std::uint32_t k = 0; k < stages_; ++k) {
          product *= stream.uniform();
          if (product < 0x1.0p-900) {
            log_sum += std::log(product);
            product = 1.0;
          }
        }
        return -a_ * (log_sum + std::log(product));
      }
      case kind::gamma:
        return b_ * stream.gamma(a_);
      case kind::hyperexponential:
        return stream.exponential(stream.uniform() < p_ ? a_ : b_);
    }
    return mean_;
  }

  /// @brief The distribution family.
  [[nodiscard]] constexpr kind law() const noexcept { return kind_; }
  /// @brief The mean, time units.
  [[nodiscard]] constexpr double mean() const noexcept { return mean_; }

 private:
  double mean_ = 0;
  double a_ = 0, b_ = 0, p_ = 0;
  std::uint32_t stages_ = 0;
  kind kind_ = kind::deterministic;
};

}  // namespace servicechain
