// Agreement: how a collective keeps every rank on one path when the input is
// bad on some of them.
//
// Every public collective begins with one of two calls, so a reviewer can
// see at its first line that it cannot leave ranks behind:
//   detail::agree(c, "dist::save_npy", [&] { local checks }, detail::arg("path", path), ...);
//     for collectives that validate input or communicate before acting
//     (construction, planning, I/O, element access): every rank runs the
//     checks, then one MPI_Allreduce tells every rank whether any rank
//     failed (all then throw the lowest failing rank's exception) and
//     whether all passed the same operation and global arguments (else all
//     throw mpi_error naming the argument), in every build;
//   detail::collective_entry(c, "dist::sum", ...) (collective_check.hpp), or
//   detail::validated_entry(c, "dist::sum", [&] { local checks }, ...)
//     for the hot paths (expressions, reductions, halo exchanges), where the
//     argument check costs an allreduce and so runs only with
//     DIST_CHECK_COLLECTIVES (the local checks then run inside it, so one
//     rank's bad axis raises on every rank; without it they run locally).
// A user callable (fromfunction's functor, a vectorized function) runs
// inside detail::agree_on_errors, so its exception reaches every rank.
// Users' reference: docs/reliability.md.
#pragma once

#include <array>
#include <complex>
#include <cstring>
#include <climits>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <memory>
#include <type_traits>
#include <vector>

#include "linkage.hpp"
#include "communicator.hpp"
#include "error.hpp"
#include "types.hpp"

namespace dist::detail {

#ifdef DIST_CHECK_COLLECTIVES
inline constexpr bool check_collectives = true;
#else
inline constexpr bool check_collectives = false;
#endif

/// FNV-1a hash of the global arguments of a collective call.
class arg_hash {
 public:
  arg_hash& bytes(const void* p, std::size_t n) noexcept {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ b[i]) * 1099511628211ull;
    return *this;
  }
  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  arg_hash& add(T v) noexcept { return bytes(&v, sizeof v); }
  template <class T>
  arg_hash& add(const std::complex<T>& z) noexcept { return add(z.real()).add(z.imag()); }
  arg_hash& add(std::string_view s) noexcept { return add(s.size()).bytes(s.data(), s.size()); }
  template <class T, std::size_t N>
  arg_hash& add(const std::array<T, N>& a) noexcept {
    for (const auto& v : a) add(v);
    return *this;
  }
  template <class T>
  arg_hash& add(const std::vector<T>& a) noexcept {
    add(a.size());
    for (const auto& v : a) add(v);
    return *this;
  }
  /// Anything with a `signature()` (e.g. a distribution) hashes by it.
  template <class T>
    requires requires(const T& t) { { t.signature() } -> std::convertible_to<std::uint64_t>; }
  arg_hash& add(const T& t) noexcept { return add(static_cast<std::uint64_t>(t.signature())); }
  std::uint64_t value() const noexcept { return h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ull;
};

/// A global argument of a collective, by name: hashed for the agreement,
/// described in the message when ranks differ.
template <class T>
struct named_arg {
  const char* name;
  const T& value;
};
template <class T>
named_arg<T> arg(const char* name, const T& v) {
  return {name, v};
}

/// Text of an argument for messages.
DIST_INLINE std::string describe(std::string_view s);
inline std::string describe(const std::string& s) { return describe(std::string_view(s)); }
inline std::string describe(const char* s) { return describe(std::string_view(s)); }
/// A number as std::to_string writes it (core/types' number_text).
template <class T>
  requires std::is_arithmetic_v<T>
std::string describe(const T& v) {
  return number_text(v);
}
template <class T, std::size_t N>
std::string describe(const std::array<T, N>& a) {
  return to_string(a);
}
template <class T>
std::string describe(const std::vector<T>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size() && i < 8; ++i) s += (i ? ", " : "") + describe(v[i]);
  return s + (v.size() > 8 ? ", ...]" : "]");
}
template <class T>
  requires requires(const T& t) { { t.describe() } -> std::convertible_to<std::string>; }
std::string describe(const T& t) {
  return t.describe();
}
template <class T>
std::string describe(const T&) {
  return "(not shown)";
}

/// What a local check threw: a dist error class (1..5), another exception
/// (6), or nothing (0).
struct failure {
  int kind = 0;
  std::string msg;
};

/// Runs check(ctx) and reports what it threw (one copy for every check).
DIST_INLINE failure run_check_erased(void (*check)(void*), void* ctx) noexcept;
/// Runs `check` and reports what it threw. Local.
template <class F>
failure run_check(F&& check) noexcept {
  return run_check_erased([](void* f) { (*static_cast<std::remove_reference_t<F>*>(f))(); },
                          const_cast<void*>(static_cast<const void*>(std::addressof(check))));
}

/// Throws, on every rank, the failure of rank `first` (broadcast from it):
/// the same dist error class and message, plus "(on rank r)". Collective.
[[noreturn]] DIST_INLINE void throw_failure_of(const communicator& c, int first, failure f);

inline std::uint64_t hash_of(std::string_view s) { return arg_hash().add(s).value(); }
template <class T>
std::uint64_t hash_of(const T& v) {
  return arg_hash().add(v).value();
}

/// Every agreement is one MPI_Allreduce of this many 64-bit words, whatever
/// the operation: two different agreements meeting (ranks on different
/// paths) compare their digests instead of mismatching counts.
inline constexpr std::size_t agreement_words = 24;
inline constexpr std::size_t max_agreed_args = 8, max_agreed_extras = agreement_words - 3 - 2 * max_agreed_args;

/// The communicating part of agree_and_reduce, compiled once for all its
/// callers: one MPI_Allreduce over `c` of whether this rank failed (`f`),
/// the digests `h` (the operation's, then each argument's) and `extra`.
/// Throws on every rank as agree_and_reduce says (different operations; the
/// lowest failing rank's failure); returns the position in `h` of the first
/// argument whose digest differs between ranks, 0 when none does. Collective.
DIST_INLINE std::size_t agreement_allreduce(const communicator& c, std::string_view op, std::span<std::uint64_t> extra,
                                       failure f, std::span<const std::uint64_t> h);

/// The error of ranks that passed different values of argument `name`.
[[noreturn]] DIST_INLINE void throw_argument_mismatch(std::string_view op, const char* name, const std::string& mine);

/// The agreement step of a collective (see the file comment): runs `check`
/// on every rank, then one MPI_Allreduce over `c` carries whether any rank
/// failed, a digest of `op` and of each argument, and `extra` (values the
/// caller wants reduced with MPI_MIN in the same message; encode a maximum
/// as ~v). Throws on every rank: mpi_error when ranks called different
/// operations; else the failure of the lowest failing rank; else mpi_error
/// when they passed different arguments (naming the argument and this
/// rank's value). Collective.
template <class F, class... A>
void agree_and_reduce(const communicator& c, std::string_view op, std::span<std::uint64_t> extra, F&& check,
                      const named_arg<A>&... args) {
  static_assert(sizeof...(A) <= max_agreed_args, "dist: too many arguments for one agreement");
  const std::array<std::uint64_t, 1 + sizeof...(A)> h{hash_of(op), hash_of(args.value)...};
  const std::size_t differing = agreement_allreduce(c, op, extra, run_check(check), h);
  if (differing == 0) return;
  std::size_t i = 1;
  const auto check_arg = [&](const auto& a) {
    if (i++ == differing) throw_argument_mismatch(op, a.name, describe(a.value));
  };
  (check_arg(args), ...);
  (void)check_arg;
}
/// agree_and_reduce without extra values. Collective.
template <class F, class... A>
void agree(const communicator& c, std::string_view op, F&& check, const named_arg<A>&... args) {
  agree_and_reduce(c, op, {}, std::forward<F>(check), args...);
}

/// The first call of every hot-path collective (expressions, reductions,
/// halo exchanges), once its operands are bound. `validate` runs the
/// operation's local argument checks (it throws on bad input: an axis out
/// of range, an empty input without identity). With DIST_CHECK_COLLECTIVES
/// defined, they run inside one agreement that also checks that all ranks
/// of `c` called operation `op` with equal global `args`: a bad argument on
/// some ranks raises the lowest such rank's error on every rank, a mismatch
/// raises mpi_error naming `op` on every rank. Without it, `validate` runs
/// here and nothing is communicated (a rank-divergent argument of a hot
/// collective is then the caller's bug, undetected). Collective (when
/// enabled).
template <class F, class... Args>
void validated_entry(const communicator& c, std::string_view op, F&& validate, const Args&... args) {
  if constexpr (check_collectives) {
    arg_hash h;
    (h.add(args), ...);
    const std::uint64_t all = h.value();
    agree(c, op, std::forward<F>(validate), arg("global arguments (DIST_CHECK_COLLECTIVES)", all));
  } else {
    (void)c;
    (void)op;
    ((void)args, ...);
    validate();
  }
}
/// validated_entry of a collective without local argument checks.
/// Collective (when enabled).
template <class... Args>
void collective_entry(const communicator& c, std::string_view op, const Args&... args) {
  validated_entry(c, op, [] {}, args...);
}

/// Runs `validate` (local checks, or a user callable) on every rank of `c`.
/// If it throws on one or more ranks, every rank throws the exception of
/// the lowest failing rank (same dist error class, same message, plus "(on
/// rank r)"). Costs one allreduce when all is well. Collective.
template <class F>
void agree_on_errors(const communicator& c, F&& validate) {
  agree_and_reduce(c, "dist (agreeing on errors)", {}, std::forward<F>(validate));
}

}  // namespace dist::detail

#if DIST_INLINE_DEFINITIONS
#include "agree-inl.hpp"
#endif
