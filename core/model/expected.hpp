// corelens::expected and corelens::unexpected: std::expected where the standard library has it
// (g++ 12 with -std=c++23), and a small stand-in where it does not (clang 14 with libstdc++ 12
// hides <expected> behind a concepts level clang 14 lacks). clang matters: libFuzzer, the fuzz
// targets of every parser, exists only there. The stand-in covers what corelens uses.
#pragma once

#if __has_include(<expected>)
#include <expected>
#endif

#if defined(__cpp_lib_expected)

namespace corelens {
template <typename T, typename E>
using expected = std::expected<T, E>;
using std::unexpected;
}  // namespace corelens

#else

#include <optional>
#include <type_traits>
#include <utility>

namespace corelens {

template <typename E>
class unexpected {
 public:
  explicit unexpected(E e) : error_(std::move(e)) {}
  const E& error() const& { return error_; }
  E& error() & { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_;
};
template <typename E>
unexpected(E) -> unexpected<E>;

template <typename T, typename E>
class expected {
 public:
  using value_type = T;
  using error_type = E;

  expected() requires std::is_default_constructible_v<T> : value_(std::in_place) {}
  template <typename U = T>
    requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::remove_cvref_t<U>, expected>)
  expected(U&& v) : value_(std::in_place, std::forward<U>(v)) {}
  template <typename G>
  expected(const unexpected<G>& u) : error_(std::in_place, u.error()) {}
  template <typename G>
  expected(unexpected<G>&& u) : error_(std::in_place, std::move(u).error()) {}

  bool has_value() const { return value_.has_value(); }
  explicit operator bool() const { return has_value(); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  const E& error() const& { return *error_; }
  E& error() & { return *error_; }
  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::optional<T> value_;
  std::optional<E> error_;
};

template <typename E>
class expected<void, E> {
 public:
  expected() = default;
  template <typename G>
  expected(const unexpected<G>& u) : error_(std::in_place, u.error()) {}
  template <typename G>
  expected(unexpected<G>&& u) : error_(std::in_place, std::move(u).error()) {}
  bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const E& error() const& { return *error_; }
  E& error() & { return *error_; }

 private:
  std::optional<E> error_;
};

}  // namespace corelens

#endif
