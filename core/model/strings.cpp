#include "core/model/strings.hpp"

#include <cstdio>

namespace corelens {

std::string hex(std::uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

std::string hex_padded(std::uint64_t value, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(value));
  return buf;
}

std::string hex_bytes(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

std::string about(std::string_view subject, std::string message) {
  if (message.size() > subject.size() && message.compare(0, subject.size(), subject) == 0 &&
      message[subject.size()] == ':') {
    return message;
  }
  std::string out(subject);
  out += ": ";
  out += message;
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    // Keep UTF-8 multibyte sequences as they are; replace ASCII control characters only.
    out.push_back((c < 0x20 && c != '\t') || c == 0x7f ? '?' : static_cast<char>(c));
  }
  return out;
}

}  // namespace corelens
